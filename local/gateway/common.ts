import type { IncomingMessage, ServerResponse } from 'http';
import type { CallerInput, RequestInput } from './proxy-event';
import type { InvokeOptions, InvokeOutcome } from '../functions/workers';

/**
 * What the REST gateway (gateway.ts) and the HTTP API gateway (http-gateway.ts)
 * do alike: read the request, call the function under the integration timeout,
 * turn its proxy response into a reply, and write the reply the way API Gateway
 * does (a Content-Length, never chunked).
 */

/** API Gateway's payload limit, 10 MB for REST and HTTP APIs alike. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface Reply {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** The function call a gateway makes; the stack wires it to the worker pools. */
export type Invoke = (functionLogicalId: string, event: unknown, options: InvokeOptions) => Promise<InvokeOutcome>;

/** The request line and peer, split the way both gateways need them. */
export interface RequestLine {
  readonly method: string;
  readonly sourceIp: string;
  /** As sent, still percent-encoded, without the query string. */
  readonly rawPath: string;
  /** As sent, without `?`. */
  readonly rawQuery: string;
}

export function requestLine(request: IncomingMessage): RequestLine {
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    rawPath: queryAt < 0 ? url : url.slice(0, queryAt),
    rawQuery: queryAt < 0 ? '' : url.slice(queryAt + 1),
  };
}

/** The request and its caller as both event builders take them. */
export function requestInput(
  request: IncomingMessage,
  line: RequestLine,
  body: Buffer,
  caller: CallerInput & { readonly requestTimeEpoch: number },
): RequestInput & CallerInput {
  return {
    ...caller,
    rawQuery: line.rawQuery,
    rawHeaders: request.rawHeaders,
    body,
    sourceIp: line.sourceIp,
    localPort: request.socket.localPort ?? 0,
  };
}

export function readBody(request: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
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

export function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A JSON `{"message": ...}` answer of the gateway's own. */
export function messageReply(statusCode: number, message: string, headers: Record<string, string> = {}): Reply {
  return { statusCode, headers: { ...headers, 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify({ message })) };
}

/**
 * The `http.Server` request listener around a gateway's `handle`: a failure of the
 * local runtime itself is a 500 naming it, and every request gets an access-log line.
 */
export function replyListener(
  handle: (request: IncomingMessage, requestTimeEpoch: number) => Promise<Reply>,
  log?: (line: string) => void,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const started = Date.now();
    handle(request, started).catch((error) => ({
      statusCode: 500,
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ message: `local runtime error: ${(error as Error).message}` })),
    })).then((reply) => {
      // API Gateway answers with a Content-Length, never chunked.
      response.writeHead(reply.statusCode, { ...reply.headers, 'Content-Length': String(reply.body.length) });
      response.end(request.method === 'HEAD' ? undefined : reply.body);
      log?.(`${request.method} ${request.url} ${reply.statusCode} ${Date.now() - started} ms`);
    }, () => response.destroy());
  };
}

/**
 * The function's outcome, or `integration-timeout` when the integration timeout
 * passes first: API Gateway stops waiting then, whatever the function's own
 * timeout, and a queued invocation is dropped.
 */
export async function invokeWithin(
  invoke: Invoke,
  functionLogicalId: string,
  event: { readonly headers: Readonly<Record<string, string | undefined>> },
  requestId: string,
  timeoutMs: number,
): Promise<InvokeOutcome | 'integration-timeout'> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'integration-timeout'>((resolve) => {
    timer = setTimeout(() => resolve('integration-timeout'), timeoutMs);
  });
  const traceId = Object.entries(event.headers).find(([name]) => name.toLowerCase() === 'x-amzn-trace-id')?.[1];
  const outcome = await Promise.race([invoke(functionLogicalId, event, { requestId, signal: abort.signal, traceId }), timedOut]);
  clearTimeout(timer);
  if (outcome === 'integration-timeout') abort.abort();
  return outcome;
}

/** The function's answer as an HTTP reply, or undefined when API Gateway would call it malformed. */
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
