/**
 * The one retry policy of both functions: a bounded number of attempts, with
 * exponential backoff and jitter between them, and a caller's veto on any retry
 * that would start too late (an invocation's deadline). Each caller configures
 * its own numbers: the stream processor's publisher (PUBLISH_RETRY), the
 * tracking handler's batch (BATCH_RETRY) and its reads of a listing's states
 * (UNPROCESSED_RETRY, unprocessed.ts).
 *
 * Hand-written (a few lines) because nothing suitable ships in the bundles: the
 * SDK's retry strategy retries one call, not "the items that failed" (the updates
 * of a batch, the entries of a PutEvents answer, the keys a BatchGetItem left), and p-limit / p-retry are not
 * dependencies of this package. Powertools batch processes the records of an
 * event source, not the items of an HTTP request body or of a PutEvents call.
 */

/** How often and how patiently one item is tried. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  /** Wait before the first retry; it doubles for every further one, with jitter. */
  readonly baseDelayMs: number;
  /** Longest wait between two attempts. */
  readonly maxDelayMs: number;
}

/**
 * The wait before the next attempt, after `attemptsMade` attempts: exponential
 * backoff with equal jitter, between half and all of base × 2^(attemptsMade-1),
 * capped at maxDelayMs. The half that is not random keeps a throttled partition
 * from being asked again at once; the random half spreads the retries.
 */
export function backoffDelayMs(policy: RetryPolicy, attemptsMade: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptsMade - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * The wait before retrying after `attemptsMade` attempts, or undefined when the
 * policy's attempts are used up or `canRetry` refuses to wait that long.
 */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number, canRetry?: (delayMs: number) => boolean): number | undefined {
  if (attemptsMade >= policy.maxAttempts) return undefined;
  const delayMs = backoffDelayMs(policy, attemptsMade);
  return (canRetry?.(delayMs) ?? true) ? delayMs : undefined;
}

/** The outcome of one item, kept as a value so one failure does not abandon the rest. */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface SettleOptions {
  readonly retry: RetryPolicy;
  /** Most tasks in flight at once. */
  readonly concurrency: number;
  /** Which errors are worth another run (e.g. isTransientError). */
  readonly isRetriable: (error: unknown) => boolean;
  /** Whether a further round may start `delayMs` from now; false ends the retries (the caller's answer must not wait forever). */
  readonly canRetry?: (delayMs: number) => boolean;
}

/**
 * Runs `task` for every item, at most `concurrency` at once. Items that failed with
 * a retriable error run again in a later round, after the policy's backoff, until
 * they succeed, fail otherwise, or the policy or `canRetry` ends the retries. Never
 * rejects: each item's last outcome is returned, in item order.
 */
export async function settleWithRetries<T, R>(items: readonly T[], task: (item: T) => Promise<R>, options: SettleOptions): Promise<Settled<R>[]> {
  const results = new Array<Settled<R>>(items.length);
  let pending = items.map((_, index) => index);
  for (let attempt = 1; ; attempt++) {
    const settled = await mapWithConcurrency(pending, options.concurrency, (index) => settle(() => task(items[index])));
    pending.forEach((index, position) => {
      results[index] = settled[position];
    });
    pending = pending.filter((index) => {
      const result = results[index];
      return !result.ok && options.isRetriable(result.error);
    });
    if (pending.length === 0) return results;
    const delayMs = retryDelayMs(options.retry, attempt, options.canRetry);
    if (delayMs === undefined) return results;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

async function settle<R>(run: () => Promise<R>): Promise<Settled<R>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in item order. `fn` must not reject. */
async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
