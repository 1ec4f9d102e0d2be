import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The time budget of one invocation, for the DynamoDB calls it makes.
 *
 * The SDK's own limits are per attempt (3 s request timeout, 3 attempts, with
 * backoff between them): a slow table could take about 9 s before the SDK gives
 * up, against the function's 10 s timeout — and a function that times out is
 * answered by API Gateway with a bare 502 instead of the contract's 503 with
 * Retry-After. So every call also carries an AbortSignal that fires when the
 * invocation's remaining time is down to {@link RESPONSE_RESERVE_MS}: the call
 * fails with an AbortError, classified as "unavailable", and the client gets its
 * 503 in time to retry.
 *
 * AsyncLocalStorage (a Node built-in) instead of a module variable: one execution
 * environment runs one invocation at a time on Lambda, but tests and the local
 * runtime call the handler concurrently in one process.
 */

/** Kept back from the remaining time to log and answer after the last call gave up. */
export const RESPONSE_RESERVE_MS = 500;

const deadlines = new AsyncLocalStorage<number>();

/** Runs `work` with the calls it makes bounded by `remainingMs` (the invocation's remaining time) less the reserve. */
export function withDeadline<T>(remainingMs: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(Date.now() + remainingMs - RESPONSE_RESERVE_MS, work);
}

/** Options for an SDK `send`: an abort signal at the current invocation's deadline, or none outside one. */
export function callOptions(): { abortSignal?: AbortSignal } {
  const deadline = deadlines.getStore();
  if (deadline === undefined) return {};
  return { abortSignal: AbortSignal.timeout(Math.max(0, deadline - Date.now())) };
}
