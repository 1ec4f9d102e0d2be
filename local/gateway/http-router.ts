import { decodeURIComponentSafe } from './common';
import type { HttpRouteSpec } from '../assembly/http-api';

/**
 * An HTTP API's routing, which differs from a REST API's resource tree: a route
 * is a method and a path together, so a request the best path match does not
 * take (another method) may still match a less specific route. From "Create
 * routes for HTTP APIs" (Routing API requests), API Gateway picks, in order:
 *
 * 1. a full match of route and method (`ANY` matches any method the path has no
 *    route of its own for: a method-specific route beats `ANY` on the same path);
 * 2. a match through a greedy path variable (`{proxy+}`, one or more segments);
 * 3. the `$default` route.
 *
 * Among matches, the most specific path wins: segment by segment, a literal beats
 * a `{param}`, which beats a `{proxy+}`. No match and no `$default`: 404.
 */

export interface HttpRouteMatch {
  readonly route: HttpRouteSpec;
  /** `{name}` and `{proxy+}` values (greedy under its own name), URL-decoded; null when there are none, as in the event. */
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

/** Lower is more specific, per segment. */
const SPECIFICITY: Record<Segment['kind'], number> = { literal: 0, param: 1, greedy: 2 };

interface CompiledRoute {
  readonly route: HttpRouteSpec;
  readonly segments: readonly Segment[];
}

interface Candidate {
  readonly route: HttpRouteSpec;
  readonly parameters: Record<string, string>;
  /** Per-segment specificity, then 0 for an exact method and 1 for `ANY`. */
  readonly rank: readonly number[];
}

function compile(path: string): Segment[] {
  return path.split('/').filter(Boolean).map((part): Segment => {
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) return { kind: 'greedy', name: greedy[1] };
    const param = /^\{(.+)\}$/.exec(part);
    return param ? { kind: 'param', name: param[1] } : { kind: 'literal', text: part };
  });
}

/** The route's path parameters for `segments`, or undefined when it does not match them. */
function matchSegments(pattern: readonly Segment[], segments: readonly string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    if (part.kind === 'greedy') {
      if (i >= segments.length) return undefined;
      parameters[part.name] = segments.slice(i).map(decodeURIComponentSafe).join('/');
      return parameters;
    }
    if (i >= segments.length) return undefined;
    const segment = decodeURIComponentSafe(segments[i]);
    if (part.kind === 'literal' && part.text !== segment) return undefined;
    if (part.kind === 'param') parameters[part.name] = segment;
  }
  return pattern.length === segments.length ? parameters : undefined;
}

/** Lexicographic: the first differing position decides; a shorter prefix sorts first. */
function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export class HttpRouter {
  private readonly routes: readonly CompiledRoute[];
  private readonly defaultRoute?: HttpRouteSpec;

  constructor(routes: readonly HttpRouteSpec[]) {
    this.routes = routes.filter((route) => route.path !== undefined).map((route) => ({ route, segments: compile(route.path!) }));
    this.defaultRoute = routes.find((route) => route.path === undefined);
  }

  /** The route for `path` (below the stage, still percent-encoded), or undefined when API Gateway answers 404 Not Found. */
  public match(httpMethod: string, path: string): HttpRouteMatch | undefined {
    // Empty segments (a trailing slash, `//`) select the same route as without them.
    const segments = path.split('/').filter(Boolean);
    const method = httpMethod.toUpperCase();
    const best = this.routes
      .map((compiled) => this.candidate(compiled, method, segments))
      .filter((candidate): candidate is Candidate => candidate !== undefined)
      .sort((a, b) => compareRanks(a.rank, b.rank))[0];
    if (best) {
      const names = Object.keys(best.parameters);
      return { route: best.route, pathParameters: names.length > 0 ? best.parameters : null };
    }
    return this.defaultRoute ? { route: this.defaultRoute, pathParameters: null } : undefined;
  }

  private candidate(compiled: CompiledRoute, method: string, segments: readonly string[]): Candidate | undefined {
    if (compiled.route.method !== method && compiled.route.method !== 'ANY') return undefined;
    const parameters = matchSegments(compiled.segments, segments);
    if (!parameters) return undefined;
    const pathRank = compiled.segments.map((segment) => SPECIFICITY[segment.kind]);
    // The method decides only between equally specific paths: it goes after every segment's rank,
    // padded so a shorter path's method never compares against a longer path's segment.
    return { route: compiled.route, parameters, rank: [...pathRank, 9, compiled.route.method === 'ANY' ? 1 : 0] };
  }
}
