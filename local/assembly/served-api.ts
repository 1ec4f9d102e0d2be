import { DEFAULT_STAGE_NAME, HttpApiSpec, httpApiIds, readHttpApi } from './http-api';
import { IntrinsicResolver, TemplateError } from './intrinsics';
import { describeResource } from './resource-names';
import { readRestApi, RestApiSpec } from './rest-api';
import type { FunctionSpec, HttpLocalTemplate, LocalTemplate, LocalTemplateBase, RestLocalTemplate } from './template';

/**
 * Which API a template serves: its one REST API or its one HTTP API, or the one
 * chosen by logical id when it holds several. A template with REST APIs only is
 * read exactly as before HTTP APIs were served (same choice, same messages).
 */

export interface ApiSelection {
  /** Which API to serve (a RestApi's or an HTTP API's logical id) when the template has several. */
  readonly api?: string;
  /** The older name of `api`, for RestApis; `api` wins when both are given. */
  readonly restApi?: string;
}

export type ServedApi =
  | { readonly protocol: 'REST'; readonly api: RestApiSpec }
  | { readonly protocol: 'HTTP'; readonly httpApi: HttpApiSpec };

export function readServedApi(
  byType: (...types: string[]) => string[],
  resolver: IntrinsicResolver,
  functions: ReadonlyMap<string, FunctionSpec>,
  selection: ApiSelection,
  notServed: string[],
): ServedApi {
  const chosen = selection.api ?? selection.restApi;
  const restIds = byType('AWS::ApiGateway::RestApi');
  const httpIds = httpApiIds(byType, resolver, notServed);
  const rest = (): ServedApi => ({ protocol: 'REST', api: readRestApi(byType, resolver, functions, chosen, notServed) });
  const http = (): ServedApi => ({ protocol: 'HTTP', httpApi: readHttpApi(byType, resolver, functions, chosen, notServed) });
  if (httpIds.length === 0) return rest();
  if (restIds.length === 0) return http();

  const all = [...restIds, ...httpIds];
  if (chosen === undefined) {
    throw new TemplateError(`the template holds RestApis (${restIds.join(', ')}) and HTTP APIs (${httpIds.join(', ')}); choose one with --api`);
  }
  if (!all.includes(chosen)) throw new TemplateError(`API ${chosen} is not in the template; it holds: ${all.join(', ')}`);
  const otherKind = restIds.includes(chosen) ? httpIds : restIds;
  for (const other of otherKind) notServed.push(`${other} (only one API is served)`);
  return restIds.includes(chosen) ? rest() : http();
}

/** The template with its served API: `api` for a REST API, `httpApi` for an HTTP API. */
export function withServedApi(base: LocalTemplateBase, served: ServedApi): LocalTemplate {
  if (served.protocol === 'REST') return { ...base, protocol: 'REST', api: served.api } satisfies RestLocalTemplate;
  return { ...base, protocol: 'HTTP', httpApi: served.httpApi } satisfies HttpLocalTemplate;
}

/** One route or method of the served API, as far as start-up checks need it. */
export interface ApiEndpoint {
  /** How messages name it: `POST /track` (REST), the route key (HTTP). */
  readonly label: string;
  /**
   * The method or route resource, for messages that must name it: `method
   * ApiPOST1A2B (MyStack/Tracking/Api/Default/track/POST)`, `route Route1A2B (...)`.
   */
  readonly resource: string;
  readonly authorizationType: string;
  /** The function it invokes, when it is a served Lambda proxy integration. */
  readonly functionLogicalId?: string;
}

/** The served API's methods (REST) or routes (HTTP). */
export function apiEndpoints(template: LocalTemplate): ApiEndpoint[] {
  const named = (kind: string, logicalId: string | undefined, apiLogicalId: string) =>
    (logicalId !== undefined ? `${kind} ${describeResource(logicalId, template.resourcePaths)}` : `a ${kind} of ${describeResource(apiLogicalId, template.resourcePaths)}`);
  if (template.protocol === 'HTTP') {
    return template.httpApi.routes.map((route) => ({
      label: route.routeKey,
      resource: named('route', route.logicalId, template.httpApi.logicalId),
      authorizationType: route.authorizationType,
      functionLogicalId: route.integration.kind === 'lambda-proxy' ? route.integration.functionLogicalId : undefined,
    }));
  }
  return template.api.resources.flatMap((resource) => [...resource.methods.values()]).map((method) => ({
    label: `${method.httpMethod} ${method.resourcePath}`,
    resource: named('method', method.logicalId, template.api.logicalId),
    authorizationType: method.authorizationType,
    functionLogicalId: method.integration.kind === 'lambda-proxy' ? method.integration.functionLogicalId : undefined,
  }));
}

/** The served API's stage names, in template order. */
export function stageNames(template: LocalTemplate): string[] {
  return [...(template.protocol === 'HTTP' ? template.httpApi.stages.keys() : template.api.stages.keys())];
}

/** The path a stage is invoked under: `/<stage>/`, or `/` for an HTTP API's `$default` stage (served at the root). */
export function stageBasePath(template: LocalTemplate, stage: string): string {
  return template.protocol === 'HTTP' && stage === DEFAULT_STAGE_NAME ? '/' : `/${stage}/`;
}
