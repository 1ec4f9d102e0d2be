import { randomUUID } from 'crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The Lambda proxy integration events, built as API Gateway builds them: the REST
 * API's (v1), and an HTTP API's in payload format 1.0, which has the same shape
 * with a few differences (see {@link buildHttpApiEvent}). In both, single-value
 * header maps keep the *last* value of a repeated header, empty maps are `null`,
 * the body is text unless its content type is one of the API's binary media types.
 */

/** What the caller of the API is, as far as the event says. */
export interface CallerInput {
  readonly requestId: string;
  readonly apiId: string;
  readonly accountId: string;
  /** Set when the method or route is IAM-authorized and the signature verified. */
  readonly accessKeyId?: string;
}

/** Where the request went: the stage and what routing matched. */
interface MatchedInput {
  readonly method: string;
  /** The event's `path`: below the stage, URL-decoded, for REST (`/track`); as requested, stage included, for HTTP APIs (`/prod/track`). */
  readonly path: string;
  readonly stage: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** The matched resource's path (`/items/{id}`); `$default` for an HTTP API's `$default` route. */
  readonly resourcePath: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

export interface ProxyEventInput extends RequestInput, CallerInput, MatchedInput {
  readonly resourceId: string;
  readonly binaryMediaTypes: readonly string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.requestTime`: CLF format, e.g. `26/Nov/2026:19:50:00 +0000`. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** An X-Ray trace id (`Root=1-<8 hex time>-<24 hex>`), which API Gateway adds to every proxied request. */
function traceId(epochMs: number): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Query parameters as API Gateway passes them: decoded, every value in order. */
export function parseQueryString(rawQuery: string): Map<string, string[]> {
  const query = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decodeQueryPart(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeQueryPart(pair.slice(equals + 1));
    query.set(key, [...(query.get(key) ?? []), value]);
  }
  return query;
}

/** Whether a content type is one of the API's binary media types (`image/*`, `*\/*` included). */
export function isBinary(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!contentType || binaryMediaTypes.length === 0) return false;
  const [type, subtype] = contentType.split(';')[0].trim().toLowerCase().split('/');
  return binaryMediaTypes.some((pattern) => {
    const [patternType, patternSubtype] = pattern.split('/');
    return (patternType === '*' || patternType === type) && (patternSubtype === '*' || patternSubtype === subtype);
  });
}

/** What both event formats take from the request as it arrived. */
export interface RequestInput {
  readonly rawQuery: string;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestTimeEpoch: number;
  readonly localPort: number;
}

/** The request as both event formats carry it: header and query maps, the body. */
interface RequestParts {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly query: Map<string, string[]>;
  readonly multiValueQuery: Record<string, string[]> | null;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
  /** A header's (last) value, by any casing. */
  header(name: string): string | undefined;
}

/**
 * Headers keep the client's casing (names that differ only in case share one
 * entry), with what API Gateway adds in front of the integration; `extra` are
 * added the same way when the client did not send them.
 */
function requestParts(input: RequestInput, binaryMediaTypes: readonly string[], extra: Readonly<Record<string, string>> = {}): RequestParts {
  const multiValueHeaders: Record<string, string[]> = {};
  const casing = new Map<string, string>();
  const add = (name: string, value: string) => {
    const key = casing.get(name.toLowerCase()) ?? name;
    casing.set(name.toLowerCase(), key);
    (multiValueHeaders[key] ??= []).push(value);
  };
  for (let i = 0; i + 1 < input.rawHeaders.length; i += 2) add(input.rawHeaders[i], input.rawHeaders[i + 1]);
  const added: Record<string, string> = {
    'X-Forwarded-For': input.sourceIp,
    'X-Forwarded-Port': String(input.localPort),
    'X-Forwarded-Proto': 'http',
    'X-Amzn-Trace-Id': traceId(input.requestTimeEpoch),
    ...extra,
  };
  for (const [name, value] of Object.entries(added)) if (!casing.has(name.toLowerCase())) add(name, value);
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values[values.length - 1]]));
  const header = (name: string) => headers[casing.get(name.toLowerCase()) ?? name.toLowerCase()];

  const query = parseQueryString(input.rawQuery);
  const binary = isBinary(header('content-type'), binaryMediaTypes);
  const body = input.body.length === 0 ? null : binary ? input.body.toString('base64') : input.body.toString('utf8');
  return {
    headers,
    multiValueHeaders,
    query,
    multiValueQuery: query.size > 0 ? Object.fromEntries(query) : null,
    body,
    isBase64Encoded: binary && body !== null,
    header,
  };
}

/** One value per query parameter: REST APIs keep the last, HTTP APIs the first (see {@link buildHttpApiEvent}). */
function singleValues(query: Map<string, string[]>, keep: 'first' | 'last'): Record<string, string> | null {
  if (query.size === 0) return null;
  return Object.fromEntries([...query].map(([key, values]) => [key, keep === 'first' ? values[0] : values[values.length - 1]]));
}

/** The caller fields of `requestContext.identity`: set for an IAM-authorized request, null otherwise. */
function caller(accessKeyId: string | undefined, accountId: string) {
  const iam = accessKeyId !== undefined;
  return {
    accessKey: iam ? accessKeyId : null,
    accountId: iam ? accountId : null,
    caller: iam ? accessKeyId : null,
  };
}

/** The fields both formats' `requestContext.identity` end with, in API Gateway's order. */
function identityTail(input: RequestInput & CallerInput, userAgent: string | null) {
  const iam = input.accessKeyId !== undefined;
  return {
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: input.sourceIp,
    user: iam ? input.accessKeyId! : null,
    userAgent,
    userArn: iam ? `arn:aws:iam::${input.accountId}:user/${input.accessKeyId}` : null,
  };
}

export function buildProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const { headers, multiValueHeaders, query, multiValueQuery, body, isBase64Encoded, header } = requestParts(input, input.binaryMediaTypes);
  const singleQuery = singleValues(query, 'last');
  const userAgent = header('user-agent') ?? null;
  const who = caller(input.accessKeyId, input.accountId);

  return {
    resource: input.resourcePath,
    path: input.path,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters: singleQuery,
    multiValueQueryStringParameters: multiValueQuery,
    pathParameters: input.pathParameters ? { ...input.pathParameters } : null,
    stageVariables: Object.keys(input.stageVariables).length > 0 ? { ...input.stageVariables } : null,
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      authorizer: null,
      domainName: header('host') ?? `127.0.0.1:${input.localPort}`,
      domainPrefix: input.apiId,
      extendedRequestId: input.requestId.replace(/-/g, '').slice(0, 16),
      httpMethod: input.method,
      identity: {
        accessKey: who.accessKey,
        accountId: who.accountId,
        apiKey: null,
        apiKeyId: null,
        caller: who.caller,
        clientCert: null,
        ...identityTail(input, userAgent),
      },
      path: `/${input.stage}${input.path}`,
      protocol: 'HTTP/1.1',
      requestId: input.requestId,
      requestTime: clfTime(input.requestTimeEpoch),
      requestTimeEpoch: input.requestTimeEpoch,
      resourceId: input.resourceId,
      resourcePath: input.resourcePath,
      stage: input.stage,
    },
    body,
    isBase64Encoded,
  };
}

export interface HttpApiEventInput extends RequestInput, CallerInput, MatchedInput {
  /** The matched route key, e.g. `POST /track` or `$default`. */
  readonly routeKey: string;
}

/** A Lambda proxy event of an HTTP API in payload format 1.0 (aws-lambda has no type for it). */
export interface HttpApiProxyEventV1 {
  readonly version: '1.0';
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly extendedRequestId: string;
    readonly httpMethod: string;
    readonly identity: Readonly<Record<string, string | null>>;
    readonly path: string;
    readonly protocol: string;
    readonly requestId: string;
    readonly requestTime: string;
    readonly requestTimeEpoch: number;
    readonly resourceId: string;
    readonly resourcePath: string;
    readonly stage: string;
  };
  readonly pathParameters: Record<string, string> | null;
  readonly stageVariables: Record<string, string> | null;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

/**
 * An HTTP API's payload format 1.0 event. Where it differs from the REST event,
 * it follows the format's documented example ("Create AWS Lambda proxy
 * integrations for HTTP APIs", payload format 1.0) and events HTTP APIs delivered
 * (published as test fixtures in public repositories):
 * - `version: '1.0'`; `path` and `requestContext.path` are the path as requested,
 *   with the stage segment of a named stage (`/prod/track`), none for `$default`;
 * - `resource` and `requestContext.resourcePath` are the route's path, or `$default`
 *   for the `$default` route; `requestContext.resourceId` is the route key
 *   (`GET /track`, `$default`): 1.0 events carry no `requestContext.routeKey`;
 * - a repeated query parameter's *first* value in `queryStringParameters` (the
 *   documented example: `parameter1=value1&parameter1=value2` gives `value1`);
 * - `Content-Length` among the headers even when the client sent none;
 * - no `authorizer` for IAM or open routes; identity has `cognitoAmr` and no API key
 *   or client certificate fields;
 * - no binary media types: the body is passed as text.
 */
export function buildHttpApiEvent(input: HttpApiEventInput): HttpApiProxyEventV1 {
  const parts = requestParts(input, [], { 'Content-Length': String(input.body.length) });
  const who = caller(input.accessKeyId, input.accountId);
  return {
    version: '1.0',
    resource: input.resourcePath,
    path: input.path,
    httpMethod: input.method,
    headers: parts.headers,
    multiValueHeaders: parts.multiValueHeaders,
    queryStringParameters: singleValues(parts.query, 'first'),
    multiValueQueryStringParameters: parts.multiValueQuery,
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      domainName: parts.header('host') ?? `127.0.0.1:${input.localPort}`,
      domainPrefix: input.apiId,
      extendedRequestId: input.requestId,
      httpMethod: input.method,
      identity: {
        accessKey: who.accessKey,
        accountId: who.accountId,
        caller: who.caller,
        cognitoAmr: null,
        ...identityTail(input, parts.header('user-agent') ?? null),
      },
      path: input.path,
      protocol: 'HTTP/1.1',
      requestId: input.requestId,
      requestTime: clfTime(input.requestTimeEpoch),
      requestTimeEpoch: input.requestTimeEpoch,
      resourceId: input.routeKey,
      resourcePath: input.resourcePath,
      stage: input.stage,
    },
    pathParameters: input.pathParameters ? { ...input.pathParameters } : null,
    stageVariables: Object.keys(input.stageVariables).length > 0 ? { ...input.stageVariables } : null,
    body: parts.body,
    isBase64Encoded: parts.isBase64Encoded,
  };
}
