import { AsyncLocalStorage } from 'async_hooks';
import { randomUUID } from 'crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FunctionSpec } from '../../../local/assembly/template';
import { apiEvent } from '../../handler/events';

/**
 * One in-process Lambda invocation: its clock, its context object, and the
 * API Gateway event and answer around it.
 *
 * `getRemainingTimeInMillis()` counts down the function's timeout (from the
 * template) from the start of the invocation. Once it has run out the function
 * is "frozen", as Lambda stops a function at its timeout: SDK calls it still
 * starts are refused (fault-injector.ts) and its answer is replaced by the one
 * API Gateway gives for a timed-out function.
 */
export class InvocationClock {
  private readonly startedAt = Date.now();

  constructor(readonly timeoutMs: number) {}

  public get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  public get remainingMs(): number {
    return this.timeoutMs - this.elapsedMs;
  }
}

/** The invocation the current async call chain belongs to (none outside an invocation). */
export const currentInvocation = new AsyncLocalStorage<InvocationClock>();

export function lambdaContext(fn: FunctionSpec, clock: InvocationClock, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: fn.logGroupName,
    logStreamName: `model/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, clock.remainingMs),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An API Gateway (REST, proxy integration) event with a request id of its own. */
export function proxyEvent(options: {
  readonly method: string;
  readonly resource: string;
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** Values of the resource's `{name}` parameters, filled into the path as API Gateway does. */
  readonly pathParameters?: Record<string, string>;
}): APIGatewayProxyEvent {
  const body = options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers = options.headers ?? (options.method === 'POST' ? { 'Content-Type': 'application/json' } : {});
  const parameters = options.pathParameters;
  const path = parameters
    ? options.resource.replace(/\{([^}]+)\}/g, (match, name: string) => (name in parameters ? encodeURIComponent(parameters[name]) : match))
    : options.resource;
  const event = apiEvent({ method: options.method, resource: options.resource, path, body, headers, query: options.query });
  return {
    ...event,
    pathParameters: parameters ? { ...parameters } : null,
    requestContext: { ...event.requestContext, requestId: randomUUID(), requestTimeEpoch: Date.now() },
  };
}

/** What the client of the API receives for one request. */
export interface HandlerResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly body: any;
  /** The body as sent. */
  readonly text: string;
  /** Wall-clock time of the invocation, in ms. */
  readonly durationMs: number;
  /**
   * Set when the function did not answer: it threw, or ran past its timeout.
   * The client then gets API Gateway's 502
   * `{"message":"Internal server error"}`; writes made before it stay.
   */
  readonly functionError?: string;
}

/** The 502 API Gateway answers when the proxy integration's function fails or times out. */
const FUNCTION_FAILED = { statusCode: 502, headers: { 'Content-Type': 'application/json' }, body: '{"message":"Internal server error"}' };

/** Runs `handler` as one invocation of `fn` and returns what the API client would receive. */
export async function invokeApiHandler(
  fn: FunctionSpec,
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
  event: APIGatewayProxyEvent,
): Promise<HandlerResponse> {
  const clock = new InvocationClock(fn.timeoutSeconds * 1000);
  const started = performance.now();
  let result: APIGatewayProxyResult = FUNCTION_FAILED;
  let functionError: string | undefined;
  try {
    result = await currentInvocation.run(clock, () => handler(event, lambdaContext(fn, clock, randomUUID())));
  } catch (error) {
    functionError = `${(error as Error)?.name}: ${(error as Error)?.message}`;
  }
  if (clock.remainingMs < 0) {
    functionError = `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`;
  }
  if (functionError !== undefined) result = FUNCTION_FAILED;
  const text = result.body ?? '';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return {
    status: result.statusCode,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])),
    body,
    text,
    durationMs: performance.now() - started,
    ...(functionError !== undefined ? { functionError } : {}),
  };
}
