/**
 * Per-item work with bounded concurrency and bounded retries, for POST /track/batch.
 *
 * Hand-written (about 30 lines) because nothing suitable ships in the bundle: the
 * SDK's retry strategy retries one call, not "the items that failed", and
 * p-limit / p-retry are not dependencies of this package (p-limit is only in the
 * tree through eslint). Powertools batch processes SQS/Kinesis/DynamoDB-stream
 * records, not the items of an HTTP request body.
 */

/** The outcome of one item, kept as a value so one failure does not abandon the rest. */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface RetryOptions {
  /** Most tasks in flight at once. */
  readonly concurrency: number;
  /** Most runs of one item, the first included. */
  readonly maxAttempts: number;
  /** Backoff before the second run; doubles per round, with full jitter. */
  readonly baseDelayMs: number;
  /** Which errors are worth another run (throttling, unavailability). */
  readonly isRetriable: (error: unknown) => boolean;
  /** No further round starts after this time (epoch ms): the caller's answer must not wait forever. */
  readonly deadline: number;
}

/**
 * Runs `task` for every item, at most `concurrency` at once. Items that failed with
 * a retriable error run again in a later round, after a backoff, until they succeed,
 * fail otherwise, run `maxAttempts` times or the deadline passes. Never rejects: each
 * item's last outcome is returned, in item order.
 */
export async function settleWithRetries<T, R>(items: readonly T[], task: (item: T) => Promise<R>, options: RetryOptions): Promise<Settled<R>[]> {
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
    const delayMs = Math.random() * options.baseDelayMs * 2 ** (attempt - 1);
    if (pending.length === 0 || attempt >= options.maxAttempts || Date.now() + delayMs > options.deadline) return results;
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
