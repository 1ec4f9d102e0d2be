import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBridge, sqs } from './clients';
import { handleRecord } from './handle-record';
import { count, METRIC } from './observability';
import { EventPublisher, PUBLISH_RETRY } from './publisher';
import { ENV } from '../../src/contract/runtime-config';
import { runtimeConfig } from '../shared/config';
import { logger, metrics, startInvocationLog } from '../shared/observability';

/**
 * The stream processor: reads the tracking table's stream (filtered at the
 * source to state item writes) and publishes `Tracking Status Changed` to
 * EventBridge for every status change, while `real_time_notifications` is on.
 *
 * Failure handling, per record:
 * 1. transient publish failures are retried in process (publisher.ts);
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
if (!eventBusName || !deadLetterQueueUrl) {
  logger.error('stream processor is misconfigured: status changes will be dead-lettered or handed back', {
    missing: [ENV.EVENT_BUS_NAME, ENV.DEAD_LETTER_QUEUE_URL].filter((name) => !process.env[name]),
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
    const recordContext = { flags, publisher, eventBusName, sqs, deadLetterQueueUrl };
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
