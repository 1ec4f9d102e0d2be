import { randomUUID } from 'crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The REST API (v1) Lambda proxy integration event, built as API Gateway builds
 * it: single-value maps keep the *last* value of a repeated header or query
 * parameter, empty maps are `null`, the body is text unless its content type is
 * one of the API's binary media types.
 */

export interface ProxyEventInput {
  readonly method: string;
  /** The request path below the stage, URL-decoded (e.g. `/track`). */
  readonly path: string;
  readonly stage: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly rawQuery: string;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly binaryMediaTypes: readonly string[];
  readonly sourceIp: string;
  readonly requestId: string;
  readonly requestTimeEpoch: number;
  readonly apiId: string;
  readonly accountId: string;
  /** Set when the method is IAM-authorized and the signature verified. */
  readonly accessKeyId?: string;
  readonly localPort: number;
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

export function buildProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const multiValueHeaders: Record<string, string[]> = {};
  // Headers keep the client's casing; names that differ only in case share one entry.
  const casing = new Map<string, string>();
  const add = (name: string, value: string) => {
    const key = casing.get(name.toLowerCase()) ?? name;
    casing.set(name.toLowerCase(), key);
    (multiValueHeaders[key] ??= []).push(value);
  };
  for (let i = 0; i + 1 < input.rawHeaders.length; i += 2) add(input.rawHeaders[i], input.rawHeaders[i + 1]);
  // What API Gateway adds in front of the integration.
  if (!casing.has('x-forwarded-for')) add('X-Forwarded-For', input.sourceIp);
  if (!casing.has('x-forwarded-port')) add('X-Forwarded-Port', String(input.localPort));
  if (!casing.has('x-forwarded-proto')) add('X-Forwarded-Proto', 'http');
  if (!casing.has('x-amzn-trace-id')) add('X-Amzn-Trace-Id', traceId(input.requestTimeEpoch));
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values[values.length - 1]]));

  const query = parseQueryString(input.rawQuery);
  const multiValueQuery = query.size > 0 ? Object.fromEntries(query) : null;
  const singleQuery = multiValueQuery && Object.fromEntries([...query].map(([key, values]) => [key, values[values.length - 1]]));

  const contentType = headers[casing.get('content-type') ?? 'content-type'];
  const binary = isBinary(contentType, input.binaryMediaTypes);
  const body = input.body.length === 0 ? null : binary ? input.body.toString('base64') : input.body.toString('utf8');
  const userAgent = headers[casing.get('user-agent') ?? 'user-agent'] ?? null;
  const iam = input.accessKeyId !== undefined;

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
      domainName: headers[casing.get('host') ?? 'host'] ?? `127.0.0.1:${input.localPort}`,
      domainPrefix: input.apiId,
      extendedRequestId: input.requestId.replace(/-/g, '').slice(0, 16),
      httpMethod: input.method,
      identity: {
        accessKey: iam ? input.accessKeyId! : null,
        accountId: iam ? input.accountId : null,
        apiKey: null,
        apiKeyId: null,
        caller: iam ? input.accessKeyId! : null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp,
        user: iam ? input.accessKeyId! : null,
        userAgent,
        userArn: iam ? `arn:aws:iam::${input.accountId}:user/${input.accessKeyId}` : null,
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
    isBase64Encoded: binary && body !== null,
  };
}
