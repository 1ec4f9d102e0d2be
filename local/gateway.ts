import { randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import { GatewayError, renderGatewayResponse, RenderContext } from './gateway-responses';
import { buildProxyEvent, parseQueryString } from './proxy-event';
import { RequestValidator } from './request-validator';
import { Router } from './router';
import type { SigV4Verifier } from './sigv4';
import type { MethodSpec, RestApiSpec } from './template-api';
import type { InvokeOptions, InvokeOutcome } from './workers';

/**
 * The REST API as API Gateway runs it, in API Gateway's order: stage, route,
 * authorization, request validation, then the Lambda proxy integration; every
 * refusal on the way is a gateway response rendered from the template.
 *
 * A function at its reserved concurrency (Lambda refuses the invoke with 429) is
 * an INTEGRATION_FAILURE, as API Gateway reports it.
 *
 * Not emulated: stage throttling (THROTTLED, 429) and usage plans, API keys,
 * custom authorizers and Cognito, mapping templates, caching, CORS responses.
 */

export interface GatewayOptions {
  readonly api: RestApiSpec;
  readonly accountId: string;
  readonly verifier: SigV4Verifier;
  readonly invoke: (functionLogicalId: string, event: unknown, options: InvokeOptions) => Promise<InvokeOutcome>;
  /** One line per request (an access log). */
  readonly log?: (line: string) => void;
}

/** API Gateway's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const INTERNAL_SERVER_ERROR = 'Internal server error';

interface Reply {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

function readBody(request: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the client still gets an answer.
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: size > MAX_PAYLOAD_BYTES }));
    request.on('error', reject);
  });
}

/** The function's answer as an HTTP reply, or undefined when API Gateway would call it malformed (502). */
export function toReply(payload: string): Reply | undefined {
  let result: any;
  try {
    result = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  const scalar = (value: unknown) => ['string', 'number', 'boolean'].includes(typeof value);
  const replyHeaders: Record<string, string | string[]> = {};
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (typeof multiValueHeaders !== 'object') return undefined;
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(scalar)) return undefined;
      replyHeaders[name] = values.map(String);
    }
  }
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') return undefined;
    for (const [name, value] of Object.entries(headers)) {
      if (!scalar(value)) return undefined;
      replyHeaders[name] = String(value);
    }
  }
  if (!Object.keys(replyHeaders).some((name) => name.toLowerCase() === 'content-type')) {
    replyHeaders['Content-Type'] = 'application/json';
  }
  const text = typeof body === 'string' ? body : '';
  return { statusCode, headers: replyHeaders, body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8') };
}

export class Gateway {
  private readonly router: Router;
  private readonly validator: RequestValidator;

  constructor(private readonly options: GatewayOptions) {
    this.router = new Router(options.api.resources);
    this.validator = new RequestValidator(options.api.resources.flatMap((resource) => [...resource.methods.values()]));
  }

  /** The `http.Server` request listener. */
  public readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    const started = Date.now();
    this.handle(request, started).catch((error) => ({
      statusCode: 500,
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ message: `local runtime error: ${(error as Error).message}` })),
    })).then((reply) => {
      // API Gateway answers with a Content-Length, never chunked.
      response.writeHead(reply.statusCode, { ...reply.headers, 'Content-Length': String(reply.body.length) });
      response.end(request.method === 'HEAD' ? undefined : reply.body);
      this.options.log?.(`${request.method} ${request.url} ${reply.statusCode} ${Date.now() - started} ms`);
    }, () => response.destroy());
  };

  private async handle(request: IncomingMessage, requestTimeEpoch: number): Promise<Reply> {
    const requestId = randomUUID();
    const method = (request.method ?? 'GET').toUpperCase();
    const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const { body, tooLarge } = await readBody(request);
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);

    const rawStage = rawPath.split('/')[1] ?? '';
    const stageName = decodeURIComponentSafe(rawStage);
    const stage = this.options.api.stages.get(stageName);
    const base = { 'x-amzn-RequestId': requestId, 'x-amz-apigw-id': requestId.slice(0, 16) };
    if (!stage) {
      // An unknown stage never reaches the API, so its gateway responses do not apply.
      return { statusCode: 403, headers: { ...base, 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException' }, body: Buffer.from('{"message":"Forbidden"}') };
    }
    const pathBelowStage = rawPath.slice(rawStage.length + 1) || '/';
    const context: RenderContext = { requestId, stage: stageName, httpMethod: method, sourceIp };
    const refuse = (error: GatewayError, resourcePath?: string): Reply => {
      const rendered = renderGatewayResponse(error, this.options.api.gatewayResponses, { ...context, resourcePath });
      return { statusCode: rendered.statusCode, headers: { ...base, ...rendered.headers }, body: Buffer.from(rendered.body) };
    };

    if (tooLarge) return refuse({ type: 'REQUEST_TOO_LARGE', message: 'Request Too Long' });
    const route = this.router.match(method, pathBelowStage);
    if (!route) return refuse({ type: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' });
    const spec: MethodSpec = route.method;

    let accessKeyId: string | undefined;
    if (spec.authorizationType === 'AWS_IAM') {
      const verdict = await this.options.verifier.verify({ method, rawPath, rawQuery, rawHeaders: request.rawHeaders, body });
      if (!verdict.ok) {
        return refuse({ type: verdict.problem === 'missing' ? 'MISSING_AUTHENTICATION_TOKEN' : 'INVALID_SIGNATURE', message: verdict.message }, spec.resourcePath);
      }
      accessKeyId = verdict.accessKeyId;
    }

    const query = parseQueryString(rawQuery);
    const headers = new Map<string, string>();
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) headers.set(request.rawHeaders[i].toLowerCase(), request.rawHeaders[i + 1]);
    const invalid = this.validator.validate(spec, { query, headers, body });
    if (invalid) return refuse(invalid, spec.resourcePath);

    const integration = spec.integration;
    if (integration.kind !== 'lambda-proxy') {
      return refuse({ type: 'API_CONFIGURATION_ERROR', message: INTERNAL_SERVER_ERROR }, spec.resourcePath);
    }
    const event = buildProxyEvent({
      method,
      path: decodeURIComponentSafe(pathBelowStage),
      stage: stageName,
      stageVariables: stage.variables,
      resourcePath: route.resource.path,
      resourceId: route.resource.id,
      pathParameters: route.pathParameters,
      rawQuery,
      rawHeaders: request.rawHeaders,
      body,
      binaryMediaTypes: this.options.api.binaryMediaTypes,
      sourceIp,
      requestId,
      requestTimeEpoch,
      apiId: this.options.api.id,
      accountId: this.options.accountId,
      accessKeyId,
      localPort: request.socket.localPort ?? 0,
    });

    // API Gateway stops waiting after the integration timeout (29 s by default),
    // whatever the function's own timeout; a queued invocation is then dropped.
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'integration-timeout'>((resolve) => {
      timer = setTimeout(() => resolve('integration-timeout'), integration.timeoutMs);
    });
    const traceId = Object.entries(event.headers).find(([name]) => name.toLowerCase() === 'x-amzn-trace-id')?.[1];
    const outcome = await Promise.race([
      this.options.invoke(integration.functionLogicalId, event, { requestId, signal: abort.signal, traceId }),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome === 'integration-timeout') {
      abort.abort();
      return refuse({ type: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' }, spec.resourcePath);
    }
    // Lambda refused to run the function (TooManyRequestsException): the invoke
    // itself failed, which API Gateway answers with INTEGRATION_FAILURE (504 unless
    // the template customizes it), never reaching the function.
    if (outcome.kind === 'throttled') {
      return refuse({ type: 'INTEGRATION_FAILURE', message: INTERNAL_SERVER_ERROR }, spec.resourcePath);
    }
    // A function error or a function timeout below the integration timeout is, to
    // API Gateway, a failed invocation: 502, like a malformed proxy response.
    if (outcome.kind !== 'result') {
      return refuse({ type: 'DEFAULT_5XX', statusCode: 502, message: INTERNAL_SERVER_ERROR }, spec.resourcePath);
    }
    const reply = toReply(outcome.payload);
    if (!reply) return refuse({ type: 'DEFAULT_5XX', statusCode: 502, message: INTERNAL_SERVER_ERROR }, spec.resourcePath);
    return { ...reply, headers: { ...base, ...reply.headers } };
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
