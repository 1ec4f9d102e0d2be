import type { ApiResourceSpec, MethodSpec } from '../assembly/rest-api';

/**
 * API Gateway's REST routing: a request path selects one resource, then the
 * method on it.
 *
 * - Resource: at each level a literal path part beats a `{param}` part, which
 *   beats a greedy `{proxy+}` (one or more remaining segments); when a literal
 *   branch leads nowhere deeper, the next candidate is tried.
 * - Method: the exact HTTP method beats `ANY`. A resource that matches without
 *   either method does not fall back to a `{proxy+}` elsewhere: API Gateway
 *   answers 403 "Missing Authentication Token", as for an unknown path.
 */

export interface RouteMatch {
  readonly resource: ApiResourceSpec;
  readonly method: MethodSpec;
  /** `{name}` and `{proxy+}` values (as `proxy`), URL-decoded; null when there are none, as in the proxy event. */
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

interface Node {
  readonly literal: Map<string, Node>;
  param?: { readonly name: string; readonly node: Node };
  greedy?: { readonly name: string; readonly resource: ApiResourceSpec };
  resource?: ApiResourceSpec;
}

const newNode = (): Node => ({ literal: new Map() });

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class Router {
  private readonly root = newNode();

  constructor(resources: readonly ApiResourceSpec[]) {
    for (const resource of resources) this.add(resource);
  }

  private add(resource: ApiResourceSpec): void {
    const parts = resource.path.split('/').filter(Boolean);
    let node = this.root;
    for (const [i, part] of parts.entries()) {
      const greedy = /^\{(.+)\+\}$/.exec(part);
      if (greedy) {
        // API Gateway allows nothing below a greedy resource.
        if (i !== parts.length - 1) throw new Error(`API resource ${resource.path}: nothing can follow a {${greedy[1]}+} path part`);
        node.greedy = { name: greedy[1], resource };
        return;
      }
      const param = /^\{(.+)\}$/.exec(part);
      if (param) {
        node.param ??= { name: param[1], node: newNode() };
        node = node.param.node;
      } else {
        let next = node.literal.get(part);
        if (!next) node.literal.set(part, next = newNode());
        node = next;
      }
    }
    node.resource = resource;
  }

  /** The route for `path` (below the stage, e.g. `/track`), or undefined when API Gateway would answer 403 Missing Authentication Token. */
  public match(httpMethod: string, path: string): RouteMatch | undefined {
    // Empty segments (a trailing slash, `//`) select the same resource as without them.
    const segments = path.split('/').filter(Boolean);
    const found = this.find(this.root, segments, 0, {});
    if (!found) return undefined;
    const method = found.resource.methods.get(httpMethod.toUpperCase()) ?? found.resource.methods.get('ANY');
    if (!method) return undefined;
    const names = Object.keys(found.parameters);
    return { resource: found.resource, method, pathParameters: names.length > 0 ? found.parameters : null };
  }

  private find(node: Node, segments: readonly string[], index: number, parameters: Record<string, string>):
  { resource: ApiResourceSpec; parameters: Record<string, string> } | undefined {
    if (index === segments.length) {
      return node.resource ? { resource: node.resource, parameters } : undefined;
    }
    const segment = segments[index];
    const literal = node.literal.get(decode(segment)) ?? node.literal.get(segment);
    const viaLiteral = literal && this.find(literal, segments, index + 1, parameters);
    if (viaLiteral) return viaLiteral;
    if (node.param) {
      const viaParam = this.find(node.param.node, segments, index + 1, { ...parameters, [node.param.name]: decode(segment) });
      if (viaParam) return viaParam;
    }
    if (node.greedy) {
      return { resource: node.greedy.resource, parameters: { ...parameters, [node.greedy.name]: segments.slice(index).map(decode).join('/') } };
    }
    return undefined;
  }
}

