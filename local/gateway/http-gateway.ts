import { randomBytes } from 'crypto';
import type { IncomingMessage } from 'http';
import { decodeURIComponentSafe, Invoke, invokeWithin, messageReply, readBody, Reply, replyListener, requestInput, requestLine, toReply } from './common';
import { HttpRouter } from './http-router';
import { buildHttpApiEvent } from './proxy-event';
import type { SigV4Verifier } from './sigv4';
import { DEFAULT_ROUTE_KEY, DEFAULT_STAGE_NAME, HttpApiSpec, HttpStageSpec } from '../assembly/http-api';

/**
 * An HTTP API as API Gateway runs it: stage, route, IAM authorization, then the
 * Lambda proxy integration in payload format 1.0. HTTP APIs have no request
 * validators and no customizable gateway responses: every refusal is API
 * Gateway's own `{"message": ...}`, and every answer carries `apigw-requestid`.
 *
 * Not emulated: stage and route throttling (429 {"message":"Too Many Requests"}),
 * JWT and Lambda authorizers (refused at start-up), CORS, parameter mapping,
 * custom domains and API mappings.
 */

export interface HttpGatewayOptions {
  readonly api: HttpApiSpec;
  readonly accountId: string;
  readonly verifier: SigV4Verifier;
  readonly invoke: Invoke;
  /** One line per request (an access log). */
  readonly log?: (line: string) => void;
}

/**
 * HTTP APIs' own answers. Sources: "Create routes for HTTP APIs" (no stage or
 * route: `{"message":"Not Found"}`); "Troubleshooting issues with HTTP API Lambda
 * integrations" (a failed invocation: `{"message":"Internal Server Error"}`); the
 * 30 s integration limit answering 503 "Service Unavailable" as reported by HTTP
 * API users (github.com/anomalyco/sst issue 2232). The 403 body for IAM and the
 * 413 body are API Gateway's usual ones, not documented for HTTP APIs.
 */
const NOT_FOUND = { statusCode: 404, message: 'Not Found' };
const FORBIDDEN = { statusCode: 403, message: 'Forbidden' };
const TOO_LARGE = { statusCode: 413, message: 'Request Entity Too Large' };
const INTERNAL_SERVER_ERROR = { statusCode: 500, message: 'Internal Server Error' };
const SERVICE_UNAVAILABLE = { statusCode: 503, message: 'Service Unavailable' };

/** An id shaped like an HTTP API's request id (`FWxDPgqTiYcEPew=`: 11 random bytes in base64), also its `apigw-requestid`. */
function httpApiRequestId(): string {
  return randomBytes(11).toString('base64');
}

/** The stage a request path selects, and the path below it. */
interface StageMatch {
  readonly stage: HttpStageSpec;
  /** Below the stage, still percent-encoded. */
  readonly pathBelowStage: string;
  /** What the event's `path` says: the request path, with the stage segment of a named stage. */
  readonly eventPath: string;
}

export class HttpGateway {
  private readonly router: HttpRouter;

  /** The `http.Server` request listener. */
  public readonly listener = replyListener((request, started) => this.handle(request, started), (line) => this.options.log?.(line));

  constructor(private readonly options: HttpGatewayOptions) {
    this.router = new HttpRouter(options.api.routes);
  }


  /**
   * "If the request explicitly matches a stage, API Gateway sends the request to
   * that stage. If no stage fully matches the request, API Gateway sends the
   * request to the $default stage" (Create routes for HTTP APIs).
   */
  private selectStage(rawPath: string): StageMatch | undefined {
    const rawStage = rawPath.split('/')[1] ?? '';
    const named = this.options.api.stages.get(decodeURIComponentSafe(rawStage));
    if (named && named.name !== DEFAULT_STAGE_NAME) {
      return { stage: named, pathBelowStage: rawPath.slice(rawStage.length + 1) || '/', eventPath: rawPath };
    }
    const defaultStage = this.options.api.stages.get(DEFAULT_STAGE_NAME);
    return defaultStage && { stage: defaultStage, pathBelowStage: rawPath, eventPath: rawPath };
  }

  private async handle(request: IncomingMessage, requestTimeEpoch: number): Promise<Reply> {
    const requestId = httpApiRequestId();
    const line = requestLine(request);
    const { method, rawPath, rawQuery } = line;
    const { body, tooLarge } = await readBody(request);
    const base = { 'apigw-requestid': requestId };
    const refuse = (answer: { statusCode: number; message: string }): Reply => messageReply(answer.statusCode, answer.message, base);

    const selected = this.selectStage(rawPath);
    if (!selected) return refuse(NOT_FOUND);
    if (tooLarge) return refuse(TOO_LARGE);
    const match = this.router.match(method, selected.pathBelowStage);
    if (!match) return refuse(NOT_FOUND);
    const route = match.route;

    let accessKeyId: string | undefined;
    if (route.authorizationType === 'AWS_IAM') {
      const verdict = await this.options.verifier.verify({ method, rawPath, rawQuery, rawHeaders: request.rawHeaders, body });
      if (!verdict.ok) return refuse(FORBIDDEN);
      accessKeyId = verdict.accessKeyId;
    }

    const integration = route.integration;
    if (integration.kind !== 'lambda-proxy') return refuse(INTERNAL_SERVER_ERROR);
    const caller = { requestTimeEpoch, requestId, apiId: this.options.api.id, accountId: this.options.accountId, accessKeyId };
    const event = buildHttpApiEvent({
      method,
      path: selected.eventPath,
      stage: selected.stage.name,
      stageVariables: selected.stage.variables,
      routeKey: route.routeKey,
      resourcePath: route.path ?? DEFAULT_ROUTE_KEY,
      pathParameters: match.pathParameters,
      ...requestInput(request, line, body, caller),
    });

    const outcome = await invokeWithin(this.options.invoke, integration.functionLogicalId, event, requestId, integration.timeoutMs);
    if (outcome === 'integration-timeout') return refuse(SERVICE_UNAVAILABLE);
    // Lambda refused the invoke (TooManyRequestsException, reserved concurrency
    // reached). UNCERTAIN: HTTP APIs document no answer of their own for it; AWS's
    // knowledge center says a throttled Lambda backend makes API Gateway answer
    // "Internal server error" (repost.aws/knowledge-center/api-gateway-internal-server-error),
    // so it is answered like any other failed invocation.
    if (outcome.kind === 'throttled') return refuse(INTERNAL_SERVER_ERROR);
    // A function error, a function timeout below the integration timeout, or a
    // malformed proxy response: "Internal Server Error" (HTTP API troubleshooting).
    if (outcome.kind !== 'result') return refuse(INTERNAL_SERVER_ERROR);
    const reply = toReply(outcome.payload);
    if (!reply) return refuse(INTERNAL_SERVER_ERROR);
    return { ...reply, headers: { ...base, ...reply.headers } };
  }
}
