/**
 * The one classification of failures both functions use: which are worth another
 * attempt later — throttling, a service's 5xx, timeouts, the network, and this
 * package's own {@link TransientError}s — and which are not (a refused permission,
 * an invalid request, a missing resource, a bug): those fail the same way every time.
 *
 * The tracking handler answers a transient failure with 503 + Retry-After (or, in a
 * batch, retries it and then answers "retry" for that update alone) and anything
 * else with 500; the stream processor retries a transient PutEvents failure in
 * process and dead-letters anything else at once.
 */

/**
 * A failure of this package's own that a later attempt can get past (e.g. other
 * writers kept moving a shipment's state). Recognized by class, never by name.
 */
export class TransientError extends Error {}

/** AWS error names that mean "try again later", whichever service answered. */
const TRANSIENT_ERROR_NAMES = new Set([
  // Throttling: a table, an account or a service over its capacity.
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  // The service itself.
  'InternalServerError',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // The SDK's connection and request timeouts.
  'TimeoutError',
  // An invocation's own deadline (lambda/tracking/deadline.ts) cut a call short.
  'AbortError',
]);

/** Node's network failures. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** PutEvents per-entry error codes EventBridge documents as retryable (PutEventsResultEntry.ErrorCode). */
const RETRYABLE_ENTRY_CODES = new Set(['InternalFailure', 'ThrottlingException']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/** Whether a failed call (or an error of this package) may succeed when tried again later. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $metadata, $retryable } = error as SdkErrorShape;
  if (typeof name === 'string' && TRANSIENT_ERROR_NAMES.has(name)) return true;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  // The SDK marks errors its own retry strategy would retry.
  if ($retryable) return true;
  if ($metadata === undefined) return false;
  // An SDK error (it has $metadata) without an HTTP status never got a response:
  // the network failed before the service could answer.
  const status = $metadata.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}

/** Whether a PutEvents result entry's ErrorCode is worth sending the entry again. */
export function isRetryableEntryCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_ENTRY_CODES.has(code);
}

/** Whether DynamoDB refused a write because its condition did not hold. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}
