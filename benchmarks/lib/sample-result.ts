/** What one sample process reports to cold-start.ts, and how it marks it on stdout. */

/**
 * The handler may log JSON lines to stdout too (Powertools logger and metrics), so
 * the result is the one line that starts with this marker.
 */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export interface SampleResult {
  /** `await import(bundle)`: module evaluation, i.e. Lambda's init phase. */
  readonly importMs: number;
  /** The same import plus the first `POST /track` invocation, until the handler's promise resolves. */
  readonly firstResponseMs: number;
}

/** The result line of a sample's stdout, or undefined if there is none. */
export function parseSampleOutput(stdout: string): SampleResult | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
  return line === undefined ? undefined : JSON.parse(line.slice(RESULT_PREFIX.length)) as SampleResult;
}

/**
 * The warm samples (lib/warm-sample.ts) talk over the IPC channel instead: the parent
 * asks for a batch of invocations, the process answers when it has made them.
 */
export interface WarmBatch {
  /** POST /track invocations to make, one after another. */
  readonly calls: number;
  /** Whether to time them (warm-up batches are not timed). */
  readonly measure: boolean;
}

/** The answer to a WarmBatch (and, with no times, the process's "imported, ready"). */
export type WarmBatchResult =
  /** Each measured call: the handler call until its promise resolves, in order. */
  | { readonly ok: true; readonly handlerMs: readonly number[] }
  | { readonly ok: false; readonly error: string };
