import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** One offending input, named by its JSON pointer (`/location/lat`) or query parameter (`/limit`). */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/**
 * An error that is an answer: a status code and a message fit for the client.
 * Everything else thrown in the handler is an internal error and never reaches
 * the client as text.
 */
export class HttpError extends Error {
  public readonly status: number;
  public readonly details?: readonly ErrorDetail[];
  public readonly headers?: Readonly<Record<string, string>>;
  /** Fields the error body carries besides `error` and `details` (a 503's `event_id`, for the retry). */
  public readonly fields?: Readonly<Record<string, unknown>>;

  constructor(status: number, message: string, options: {
    details?: readonly ErrorDetail[];
    headers?: Record<string, string>;
    fields?: Record<string, unknown>;
  } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.details = options.details && options.details.length > 0 ? options.details : undefined;
    this.headers = options.headers;
    this.fields = options.fields;
  }
}

/**
 * The 503 for a throttled or unreachable dependency: the client should retry after
 * a second. `fields` tell it how to retry safely, e.g. the event_id an update was
 * (or may have been) stored under.
 */
export function serviceUnavailable(fields?: Record<string, unknown>): HttpError {
  return new HttpError(503, 'service temporarily unavailable, retry later', { headers: { 'Retry-After': '1' }, fields });
}

/** A JSON response; every answer of this API goes through here. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** The response for an {@link HttpError}: `{"error", "details"?}`. */
export function errorResponse(error: HttpError): APIGatewayProxyResult {
  const body = { error: error.message, ...(error.details ? { details: error.details } : {}), ...error.fields };
  return jsonResponse(error.status, body, { ...error.headers });
}

/** A request header by case-insensitive name (API Gateway keeps the client's casing). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}
