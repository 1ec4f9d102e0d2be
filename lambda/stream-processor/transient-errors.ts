import { isDependencyUnavailable } from '../tracking/dependency-errors';

/**
 * Which failures are worth another attempt in process (throttling, the network,
 * a service's 5xx) and which are not (a refused permission, a bus that does not
 * exist, an invalid entry): those would fail the same way on every retry, so
 * the record goes straight to the dead-letter queue.
 */

/** PutEvents per-entry error codes EventBridge documents as retryable (PutEventsResultEntry.ErrorCode). */
const RETRYABLE_ENTRY_CODES = new Set(['InternalFailure', 'ThrottlingException']);

/** Error names of a whole failed call that mean "try again later", beyond the tracking handler's list. */
const TRANSIENT_ERROR_NAMES = new Set(['InternalException', 'InternalFailure', 'ServiceUnavailableException', 'TooManyRequestsException']);

export function isRetryableEntryCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_ENTRY_CODES.has(code);
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/** Whether a failed SDK call (not a per-entry failure) may succeed when sent again. */
export function isTransientError(error: unknown): boolean {
  // Throttling, timeouts and network failures, as the tracking handler classifies them.
  if (isDependencyUnavailable(error)) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata, $retryable } = error as SdkErrorShape;
  if (typeof name === 'string' && TRANSIENT_ERROR_NAMES.has(name)) return true;
  // The SDK marks errors its own retry strategy would retry.
  if ($retryable) return true;
  const status = $metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}
