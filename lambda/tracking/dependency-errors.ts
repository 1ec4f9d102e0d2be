/**
 * Which AWS SDK errors mean "DynamoDB is unavailable right now, retry later"
 * (answered 503 + Retry-After) rather than a bug (500).
 */
const UNAVAILABLE_ERROR_NAMES = new Set([
  // Throttling: the table or account is over its capacity.
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  // The service itself.
  'InternalServerError',
  'ServiceUnavailable',
  // The SDK's connection and request timeouts.
  'TimeoutError',
  // The invocation's own deadline (deadline.ts) cut a call short.
  'AbortError',
  // Ours (repository.ts): other writers kept moving a shipment's state; a retry succeeds.
  'StateUpdateContention',
]);

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export function isDependencyUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $metadata } = error as SdkErrorShape;
  if (typeof name === 'string' && UNAVAILABLE_ERROR_NAMES.has(name)) return true;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  // An SDK error (it has $metadata) without an HTTP status never got a response:
  // the network failed before the service could answer.
  return $metadata !== undefined && $metadata.httpStatusCode === undefined;
}
