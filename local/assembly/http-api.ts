import { IntrinsicResolver, TemplateError } from './intrinsics';
import { ApiKind, chooseApi, functionOfArn } from './rest-api';
import type { FunctionSpec } from './template';

/**
 * The HTTP API part of a template (`AWS::ApiGatewayV2::*`, ProtocolType HTTP),
 * read the way API Gateway deploys it: the stages, and each route (its route key,
 * authorization and integration). HTTP APIs have no request validators, models
 * or gateway responses, so there is nothing else to read.
 */

/** HTTP APIs' limit, and the default when an integration names no TimeoutInMillis (the HTTP API quotas page: "Maximum integration timeout 30 seconds"). */
export const HTTP_API_INTEGRATION_TIMEOUT_MS = 30_000;

/** The route key of the catch-all route. */
export const DEFAULT_ROUTE_KEY = '$default';

/** The stage served at the root of the invoke URL, with no stage segment. */
export const DEFAULT_STAGE_NAME = '$default';

export type HttpIntegrationSpec =
  | {
    readonly kind: 'lambda-proxy';
    readonly functionLogicalId: string;
    /** Only `1.0` is served; a `2.0` integration is unsupported. */
    readonly payloadFormatVersion: '1.0';
    readonly timeoutMs: number;
  }
  | { readonly kind: 'unsupported'; readonly description: string; readonly timeoutMs: number };

export interface HttpRouteSpec {
  /** The `AWS::ApiGatewayV2::Route`'s logical id (absent in specs not read from a template). */
  readonly logicalId?: string;
  /** As written in the template: `GET /items/{id}`, `ANY /{proxy+}` or `$default`. */
  readonly routeKey: string;
  /** Upper-case method, `ANY`, or undefined for `$default`. */
  readonly method?: string;
  /** The route's path (`/items/{id}`), or undefined for `$default`. */
  readonly path?: string;
  /** `NONE`, `AWS_IAM`, `JWT` or `CUSTOM`. */
  readonly authorizationType: string;
  readonly integration: HttpIntegrationSpec;
}

export interface HttpStageSpec {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
  /** `DefaultRouteSettings` throttling, read for the report; the local runtime does not throttle. */
  readonly throttling: { readonly rateLimit?: number; readonly burstLimit?: number };
}

export interface HttpApiSpec {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly stages: ReadonlyMap<string, HttpStageSpec>;
  readonly routes: readonly HttpRouteSpec[];
}

const HTTP_API: ApiKind = { type: 'AWS::ApiGatewayV2::Api of ProtocolType HTTP', singular: 'HTTP API', plural: 'HTTP APIs', option: '--api' };

/** Methods a route key may name (API Gateway's list, plus ANY). */
const ROUTE_METHODS = new Set(['ANY', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'DELETE']);

/**
 * The logical ids of the template's HTTP APIs. WebSocket APIs share the resource
 * type; they are listed in `notServed` instead.
 */
export function httpApiIds(byType: (...types: string[]) => string[], resolver: IntrinsicResolver, notServed: string[]): string[] {
  const ids: string[] = [];
  for (const id of byType('AWS::ApiGatewayV2::Api')) {
    const protocol = String(resolver.properties(id).ProtocolType ?? '');
    if (protocol === 'HTTP') ids.push(id);
    else notServed.push(`${id} (a ${protocol || 'protocol-less'} AWS::ApiGatewayV2::Api: only HTTP APIs and REST APIs are served)`);
  }
  return ids;
}

export function readHttpApi(
  byType: (...types: string[]) => string[],
  resolver: IntrinsicResolver,
  functions: ReadonlyMap<string, FunctionSpec>,
  chosen: string | undefined,
  notServed: string[],
): HttpApiSpec {
  const apiLogicalId = chooseApi(httpApiIds(byType, resolver, []), chosen, HTTP_API, notServed);
  const apiProps = resolver.properties(apiLogicalId);
  const where = `Resources.${apiLogicalId}.Properties`;
  if (apiProps.Body !== undefined || apiProps.BodyS3Location !== undefined) {
    throw new TemplateError(`${where}: an HTTP API defined by an OpenAPI body is not served locally; define its routes and integrations in the template`);
  }
  if (apiProps.Target !== undefined || apiProps.RouteKey !== undefined) {
    throw new TemplateError(`${where}: a quick-create HTTP API (Target, RouteKey) is not served locally; define its routes and integrations in the template`);
  }
  const apiId = resolver.ref(apiLogicalId, `Resources.${apiLogicalId}`);
  const belongs = (id: string) => resolver.properties(id).ApiId === apiId;

  const integrations = new Map(byType('AWS::ApiGatewayV2::Integration').filter(belongs).map((id) => [
    resolver.ref(id, `Resources.${id}`),
    readIntegration(id, resolver.properties(id), functions),
  ]));
  const routes = byType('AWS::ApiGatewayV2::Route').filter(belongs).map((id) => readRoute(id, resolver.properties(id), integrations));
  checkUniqueRouteKeys(routes, apiLogicalId);
  for (const route of routes) {
    if (route.integration.kind === 'unsupported') notServed.push(`${route.routeKey}: ${route.integration.description} (answers 500 locally)`);
  }

  const stages = new Map(byType('AWS::ApiGatewayV2::Stage').filter(belongs).map((id) => {
    const stage = readStage(resolver.properties(id));
    return [stage.name, stage];
  }));
  if (stages.size === 0) throw new TemplateError(`${apiLogicalId} has no stage (AWS::ApiGatewayV2::Stage)`);

  return { logicalId: apiLogicalId, id: apiId, name: String(apiProps.Name ?? apiLogicalId), stages, routes };
}

function readStage(props: Record<string, any>): HttpStageSpec {
  const settings = props.DefaultRouteSettings ?? {};
  const numberOrUndefined = (value: unknown) => (value === undefined ? undefined : Number(value));
  return {
    name: String(props.StageName),
    variables: Object.fromEntries(Object.entries(props.StageVariables ?? {}).map(([key, value]) => [key, String(value)])),
    throttling: { rateLimit: numberOrUndefined(settings.ThrottlingRateLimit), burstLimit: numberOrUndefined(settings.ThrottlingBurstLimit) },
  };
}

function readIntegration(id: string, props: Record<string, any>, functions: ReadonlyMap<string, FunctionSpec>): HttpIntegrationSpec {
  const timeoutMs = Number(props.TimeoutInMillis ?? HTTP_API_INTEGRATION_TIMEOUT_MS);
  const type = String(props.IntegrationType ?? 'none');
  if (type !== 'AWS_PROXY' || typeof props.IntegrationUri !== 'string') return { kind: 'unsupported', description: `a ${type} integration (${id})`, timeoutMs };
  const functionLogicalId = functionOfArn(props.IntegrationUri, functions);
  if (!functionLogicalId) {
    return { kind: 'unsupported', description: `an AWS_PROXY integration with ${props.IntegrationUri}, not a function of this stack`, timeoutMs };
  }
  const version = String(props.PayloadFormatVersion ?? '');
  if (version !== '1.0') {
    return { kind: 'unsupported', description: `a Lambda integration with payload format version ${version || '(none)'}: only 1.0 is served locally`, timeoutMs };
  }
  return { kind: 'lambda-proxy', functionLogicalId, payloadFormatVersion: '1.0', timeoutMs };
}

function readRoute(id: string, props: Record<string, any>, integrations: ReadonlyMap<string, HttpIntegrationSpec>): HttpRouteSpec {
  const where = `Resources.${id}.Properties`;
  const routeKey = String(props.RouteKey ?? '');
  const target = props.Target === undefined ? undefined : String(props.Target);
  const integrationId = target && /^integrations\/(.+)$/.exec(target)?.[1];
  const integration: HttpIntegrationSpec = (integrationId && integrations.get(integrationId))
    || { kind: 'unsupported', description: target ? `a target ${target} that is not an integration of this API` : 'no integration (Target)', timeoutMs: HTTP_API_INTEGRATION_TIMEOUT_MS };
  return { logicalId: id, routeKey, ...parseRouteKey(routeKey, `${where}.RouteKey`), authorizationType: String(props.AuthorizationType ?? 'NONE').toUpperCase(), integration };
}

/** `GET /items/{id}` as method and path; `$default` as neither. */
export function parseRouteKey(routeKey: string, where: string): { method?: string; path?: string } {
  if (routeKey === DEFAULT_ROUTE_KEY) return {};
  const match = /^(\S+) (\/\S*)$/.exec(routeKey);
  const method = match?.[1].toUpperCase();
  if (!match || !ROUTE_METHODS.has(method!)) {
    throw new TemplateError(`${where}: ${JSON.stringify(routeKey)} is not a route key ("$default", or a method of ${[...ROUTE_METHODS].join(', ')} and a path)`);
  }
  const parts = match[2].split('/').filter(Boolean);
  // "The greedy path variable must be at the end of the resource path" (HTTP API routes documentation).
  if (parts.slice(0, -1).some((part) => /^\{.+\+\}$/.test(part))) throw new TemplateError(`${where}: nothing can follow a greedy path variable in ${routeKey}`);
  return { method, path: `/${parts.join('/')}` };
}

function checkUniqueRouteKeys(routes: readonly HttpRouteSpec[], apiLogicalId: string): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const key = route.path === undefined ? DEFAULT_ROUTE_KEY : `${route.method} ${route.path}`;
    if (seen.has(key)) throw new TemplateError(`${apiLogicalId} has two routes ${key}, which API Gateway refuses`);
    seen.add(key);
  }
}
