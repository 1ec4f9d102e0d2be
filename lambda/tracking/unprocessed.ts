import { TransientError } from '../shared/aws-errors';
import { retryDelayMs, type RetryPolicy } from '../shared/retry';

/**
 * Calls for the items a batch call left unprocessed (DynamoDB does under load)
 * before giving up: a few hundred ms at most inside a request's budget. The SDK
 * retries a throttled call, not the items a successful one left out.
 */
const UNPROCESSED_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100 };

/**
 * Sends `requests` with `send`, which answers the ones left unprocessed, and
 * sends those again by the shared retry policy (retry.ts) until none is left.
 * Throws a TransientError (answered 503) when some stay unprocessed.
 */
export async function sendUntilProcessed<R>(
  requests: readonly R[],
  send: (requests: readonly R[]) => Promise<readonly R[]>,
  what: string,
): Promise<void> {
  let pending = requests;
  for (let attempt = 1; pending.length > 0; attempt++) {
    pending = await send(pending);
    if (pending.length === 0) return;
    const delayMs = retryDelayMs(UNPROCESSED_RETRY, attempt);
    if (delayMs === undefined) throw new TransientError(`${pending.length} ${what} stayed unprocessed after ${attempt} calls`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
