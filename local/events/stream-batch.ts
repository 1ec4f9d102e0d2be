import type { DynamoDBRecord } from 'aws-lambda';
import type { InvokeOutcome } from '../functions/workers';

/**
 * One batch of stream records, delivered as Lambda's event source mapping does:
 * invoked until every record is done, retried, split, or given up on.
 *
 * - A function error, a timeout, or an answer Lambda cannot read fails the whole
 *   batch. With BisectBatchOnFunctionError the batch is split in two and each half
 *   is tried on its own; splitting does not count against the retry quota.
 * - With ReportBatchItemFailures, `batchItemFailures` checkpoints the records
 *   before the lowest reported sequence number; the rest is retried.
 * - A batch that has been retried MaximumRetryAttempts times (-1: without end,
 *   as on AWS, where the record would expire after 24 h) is discarded: its
 *   metadata goes to the on-failure destination, and the stream moves on.
 * - A throttled invocation (the function at its reserved concurrency) never ran:
 *   Lambda retries it, with backoff, until the records expire. It is not a
 *   function error, so it neither splits the batch nor counts as a retry or an
 *   invocation; locally, where records do not expire, it is retried until it runs.
 */

/** What an invocation's outcome means for its batch. */
export type BatchVerdict =
  | { readonly kind: 'success' }
  /** Records before `from` are done; the batch continues at `from`. */
  | { readonly kind: 'partial'; readonly from: number }
  | { readonly kind: 'failure'; readonly reason: string }
  /** The function did not run: try the same batch again. */
  | { readonly kind: 'throttled' }
  /** The local runtime is stopping: the batch is abandoned, not failed. */
  | { readonly kind: 'stopped' };

/** Reads an invocation outcome as Lambda reads it for a stream batch. */
export function readBatchResponse(outcome: InvokeOutcome, records: readonly DynamoDBRecord[], reportBatchItemFailures: boolean): BatchVerdict {
  if (outcome.kind === 'throttled') return { kind: 'throttled' };
  if (outcome.kind === 'timeout') return { kind: 'failure', reason: 'the function timed out' };
  if (outcome.kind === 'error') {
    if (outcome.errorType === 'Runtime.Stopped' || outcome.errorType === 'Runtime.Aborted') return { kind: 'stopped' };
    return { kind: 'failure', reason: `${outcome.errorType}: ${outcome.errorMessage.split('\n')[0]}` };
  }
  // Without ReportBatchItemFailures, Lambda does not look at what the function returns.
  if (!reportBatchItemFailures) return { kind: 'success' };
  let response: unknown;
  try {
    response = JSON.parse(outcome.payload);
  } catch {
    return { kind: 'success' };
  }
  // A null or empty response, or a null or empty list: the whole batch succeeded.
  if (response === null || typeof response !== 'object') return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  let from = records.length;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof id === 'string' && id !== '' ? records.findIndex((record) => record.dynamodb?.SequenceNumber === id) : -1;
    // An empty, null or unknown itemIdentifier fails the whole batch.
    if (index < 0) return { kind: 'failure', reason: `batchItemFailures names ${JSON.stringify(id)}, which is not a sequence number of this batch` };
    from = Math.min(from, index);
  }
  return { kind: 'partial', from };
}

/** A batch given up on, for the on-failure destination. */
export interface DiscardedBatch {
  readonly records: readonly DynamoDBRecord[];
  /** The request id of the last invocation. */
  readonly requestId: string;
  /** Invocations that carried these records. */
  readonly invokeCount: number;
  /** The last invocation failed as a whole (an error or a timeout), rather than reporting item failures. */
  readonly functionError: boolean;
  readonly reason: string;
}

export interface DeliveryOptions {
  /** One invocation with these records; resolves with its outcome and request id. */
  readonly invoke: (records: readonly DynamoDBRecord[]) => Promise<{ readonly outcome: InvokeOutcome; readonly requestId: string }>;
  readonly reportBatchItemFailures: boolean;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1: retry until stopped. */
  readonly maximumRetryAttempts: number;
  /** Waits before a retry (or the `retry`th throttled attempt in a row); resolves false when the runtime stopped meanwhile. */
  readonly waitBeforeRetry: (retry: number) => Promise<boolean>;
  readonly discard: (batch: DiscardedBatch) => Promise<void>;
  readonly log: (line: string) => void;
}

/** Delivers `records` until each is done or discarded; false when the runtime stopped first. */
export async function deliverBatch(records: readonly DynamoDBRecord[], options: DeliveryOptions): Promise<boolean> {
  const pending = [{ records, retries: 0, invokeCount: 0 }];
  let throttles = 0;
  while (pending.length > 0) {
    const current = pending[0];
    const { outcome, requestId } = await options.invoke(current.records);
    const verdict = readBatchResponse(outcome, current.records, options.reportBatchItemFailures);
    if (verdict.kind === 'stopped') return false;
    if (verdict.kind === 'throttled') {
      throttles++;
      // Once per run of throttles: a reservation of 0 would otherwise log every few seconds forever.
      if (throttles === 1) options.log(`batch of ${current.records.length} throttled (the function is at its reserved concurrency): retrying until it runs`);
      if (!(await options.waitBeforeRetry(throttles))) return false;
      continue;
    }
    throttles = 0;
    current.invokeCount++;
    if (verdict.kind === 'success') {
      pending.shift();
      continue;
    }
    if (verdict.kind === 'failure' && options.bisectBatchOnFunctionError && current.records.length > 1) {
      const half = Math.ceil(current.records.length / 2);
      options.log(`batch of ${current.records.length} failed (${verdict.reason}): split in two`);
      pending.splice(0, 1,
        { records: current.records.slice(0, half), retries: current.retries, invokeCount: current.invokeCount },
        { records: current.records.slice(half), retries: current.retries, invokeCount: current.invokeCount });
      continue;
    }
    const reason = verdict.kind === 'partial'
      ? `the function reported ${current.records[verdict.from].dynamodb?.SequenceNumber} as failed`
      : verdict.reason;
    if (verdict.kind === 'partial') current.records = current.records.slice(verdict.from);
    current.retries++;
    if (options.maximumRetryAttempts >= 0 && current.retries > options.maximumRetryAttempts) {
      options.log(`batch of ${current.records.length} discarded after ${options.maximumRetryAttempts} retries (${reason})`);
      await options.discard({ records: current.records, requestId, invokeCount: current.invokeCount, functionError: verdict.kind === 'failure', reason });
      pending.shift();
      continue;
    }
    options.log(`batch of ${current.records.length} failed (${reason}): retry ${current.retries}`);
    if (!(await options.waitBeforeRetry(current.retries))) return false;
  }
  return true;
}

export interface OnFailureContext {
  readonly functionArn: string;
  readonly shardId: string;
  readonly streamArn: string;
  readonly now: Date;
}

/** DynamoDB's stream times are to the second: `2019-11-14T00:13:19Z`. */
function streamTime(record: DynamoDBRecord): string | undefined {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The message Lambda sends to a stream mapping's on-failure destination: the
 * batch's position in the stream, never its records.
 */
export function onFailureMessage(batch: DiscardedBatch, context: OnFailureContext): Record<string, unknown> {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  return {
    requestContext: {
      requestId: batch.requestId,
      functionArn: context.functionArn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: batch.invokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(batch.functionError ? { functionError: 'Unhandled' } : {}),
    },
    version: '1.0',
    timestamp: context.now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: context.shardId,
      startSequenceNumber: first.dynamodb?.SequenceNumber,
      endSequenceNumber: last.dynamodb?.SequenceNumber,
      approximateArrivalOfFirstRecord: streamTime(first),
      approximateArrivalOfLastRecord: streamTime(last),
      batchSize: batch.records.length,
      streamArn: context.streamArn,
    },
  };
}
