import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';
import { decodeURIComponentSafe, Invoke, invokeWithin, readBody, Reply, replyListener, requestInput, requestLine, toReply } from './common';
import { buildProxyEvent, parseQueryString } from './proxy-event';
import { RequestValidator } from './request-validator';
import { GatewayError, renderGatewayResponse, RenderContext } from './responses';
import { Router } from './rest-router';
import type { SigV4Verifier } from './sigv4';
import type { MethodSpec, RestApiSpec } from '../assembly/rest-api';

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

/** Kept here for the callers that imported it from the REST gateway. */
export { toReply };

export interface GatewayOptions {
  readonly api: RestApiSpec;
  readonly accountId: string;
  readonly verifier: SigV4Verifier;
  readonly invoke: Invoke;
  /** One line per request (an access log). */
  readonly log?: (line: string) => void;
}

const INTERNAL_SERVER_ERROR = 'Internal server error';

export class Gateway {
  private readonly router: Router;
  private readonly validator: RequestValidator;

  /** The `http.Server` request listener. */
  public readonly listener = replyListener((request, started) => this.handle(request, started), (line) => this.options.log?.(line));

  constructor(private readonly options: GatewayOptions) {
    this.router = new Router(options.api.resources);
    this.validator = new RequestValidator(options.api.resources.flatMap((resource) => [...resource.methods.values()]));
  }


  private async handle(request: IncomingMessage, requestTimeEpoch: number): Promise<Reply> {
    const requestId = randomUUID();
    const line = requestLine(request);
    const { method, sourceIp, rawPath, rawQuery } = line;
    const { body, tooLarge } = await readBody(request);
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
    const caller = { requestTimeEpoch, requestId, apiId: this.options.api.id, accountId: this.options.accountId, accessKeyId };
    const event = buildProxyEvent({
      method,
      path: decodeURIComponentSafe(pathBelowStage),
      stage: stageName,
      stageVariables: stage.variables,
      resourcePath: route.resource.path,
      resourceId: route.resource.id,
      pathParameters: route.pathParameters,
      binaryMediaTypes: this.options.api.binaryMediaTypes,
      ...requestInput(request, line, body, caller),
    });

    // API Gateway stops waiting after the integration timeout (29 s by default),
    // whatever the function's own timeout; a queued invocation is then dropped.
    const outcome = await invokeWithin(this.options.invoke, integration.functionLogicalId, event, requestId, integration.timeoutMs);
    if (outcome === 'integration-timeout') {
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
