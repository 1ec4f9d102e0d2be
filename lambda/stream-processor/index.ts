import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamoDb, eventBridge, sqs } from './clients';
import { handleRecord } from './handle-record';
import { count, METRIC } from './observability';
import { EventPublisher, PUBLISH_RETRY } from './publisher';
import { ENV } from '../../src/contract/runtime-config';
import { isStateSortKey, TABLE_LAYOUT } from '../../src/contract/table';
import { runtimeConfig } from '../shared/config';
import { logger, metrics, startInvocationLog } from '../shared/observability';

/**
 * The stream processor: reads the tracking table's stream (filtered at the
 * source to state item writes and removals) and publishes to EventBridge
 * `Tracking Status Changed` for every status change (while `real_time_notifications`
 * is on), `Tracking Shipment Stalled` when the sweep marks a stall, and
 * `Tracking Shipment Deleted` when a state item is removed (those two whatever
 * the flag); and counts each delivered shipment once (analytics/).
 *
 * Failure handling, per record:
 * 1. transient publish failures are retried in process (publisher.ts), DynamoDB
 *    failures of the delivery count by the SDK client (clients.ts);
 * 2. a record that still fails, or can never succeed (malformed), goes *with
 *    its content* to the dead-letter queue and counts as handled;
 * 3. only a record the dead-letter queue did not take is reported as a batch
 *    item failure, for the event source mapping to retry (and, once its retries
 *    run out, to send the batch's metadata to its on-failure destination).
 */

/**
 * Time kept back for the dead-letter sends after the last publish attempt: one
 * SQS send with its SDK retries (3 × ≤3 s) plus margin. A retry that would start
 * later is skipped and the record dead-lettered instead — a timed-out invocation
 * would fail the whole batch.
 */
const DEAD_LETTER_RESERVE_MS = 12_000;

const eventBusName = process.env[ENV.EVENT_BUS_NAME];
const deadLetterQueueUrl = process.env[ENV.DEAD_LETTER_QUEUE_URL];
const analytics = { client: dynamoDb, tableName: process.env[ENV.TABLE_NAME], historyIndexName: process.env[ENV.HISTORY_INDEX_NAME] };
const REQUIRED_ENV = [ENV.EVENT_BUS_NAME, ENV.DEAD_LETTER_QUEUE_URL, ENV.TABLE_NAME, ENV.HISTORY_INDEX_NAME];
if (REQUIRED_ENV.some((name) => !process.env[name])) {
  logger.error('stream processor is misconfigured: events or delivery counts will be dead-lettered or handed back', {
    missing: REQUIRED_ENV.filter((name) => !process.env[name]),
  });
}

export async function handler(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  startInvocationLog(context);
  try {
    // Read once per batch, so every record of it sees the same flags (cached, fail safe: never throws).
    const { flags } = await runtimeConfig.get();
    const publisher = new EventPublisher({
      client: eventBridge,
      retry: PUBLISH_RETRY,
      canRetry: (delayMs) => context.getRemainingTimeInMillis() - delayMs > DEAD_LETTER_RESERVE_MS,
      onRetry: (_entry, failure) => {
        count(METRIC.PUBLISH_RETRIED);
        logger.warn('publish attempt failed; retrying', { attempt: failure.attempts, error: failure.message });
      },
    });
    const recordContext = { flags, publisher, eventBusName, sqs, deadLetterQueueUrl, analytics, removedLater: removedLaterIn(event.Records) };
    // Records run concurrently so that the publisher can batch their PutEvents
    // entries; a record's outcome never depends on another's.
    return await processPartialResponse(
      event,
      (record: DynamoDBRecord) => handleRecord(record, recordContext),
      new BatchProcessor(EventType.DynamoDBStreams),
      { context, processInParallel: true },
    );
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}

/**
 * Whether a record's shipment has its state item removed by a later record of
 * the same batch (stream order: the sequence number, within the one shard a
 * shipment's records share).
 */
export function removedLaterIn(records: readonly DynamoDBRecord[]): (record: DynamoDBRecord) => boolean {
  const lastRemoval = new Map<string, bigint>();
  for (const record of records) {
    const keys = record.dynamodb?.Keys;
    const sequence = sequenceOf(record);
    if (record.eventName !== 'REMOVE' || sequence === undefined || !isStateSortKey(String(keys?.[TABLE_LAYOUT.sortKey]?.S))) continue;
    const pk = String(keys?.[TABLE_LAYOUT.partitionKey]?.S);
    if ((lastRemoval.get(pk) ?? -1n) < sequence) lastRemoval.set(pk, sequence);
  }
  return (record) => {
    const removal = lastRemoval.get(String(record.dynamodb?.Keys?.[TABLE_LAYOUT.partitionKey]?.S));
    const sequence = sequenceOf(record);
    return removal !== undefined && sequence !== undefined && sequence < removal;
  };
}

/** Sequence numbers are decimal strings of up to 40 digits, beyond a double's precision. */
function sequenceOf(record: DynamoDBRecord): bigint | undefined {
  const text = record.dynamodb?.SequenceNumber;
  return text !== undefined && /^\d+$/.test(text) ? BigInt(text) : undefined;
}
