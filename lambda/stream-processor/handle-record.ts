import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { DeadLetterInput, deadLetterMessage, sendToDeadLetterQueue } from './dead-letter';
import { count, METRIC } from './observability';
import { EventPublisher, PublishError } from './publisher';
import { readStatusChange } from './status-change';
import { STATUS_CHANGED_EVENT, type StatusChangedDetail } from '../../src/contract/events';
import type { FeatureFlagsDocument } from '../../src/contract/runtime-config';
import { logger } from '../shared/observability';

/** What one invocation's records share. */
export interface RecordContext {
  /** The flags as read once for the whole batch. */
  readonly flags: FeatureFlagsDocument;
  readonly publisher: EventPublisher;
  readonly eventBusName: string | undefined;
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string | undefined;
}

/**
 * One stream record, start to finish. Resolves when the record is done with —
 * published, skipped, or safely in the dead-letter queue — and throws only when
 * the dead-letter queue did not take it: the batch processor then reports the
 * record as a batch item failure and the event source mapping retries it.
 */
export async function handleRecord(record: DynamoDBRecord, context: RecordContext): Promise<void> {
  // Records are handled concurrently, so correlation keys go on each line rather than on the shared logger.
  const keys = { sequence_number: record.dynamodb?.SequenceNumber, stream_event_id: record.eventID };
  const reading = readStatusChange(record);
  switch (reading.kind) {
    case 'ignored':
      count(METRIC.SKIPPED_NOT_STATE_WRITE);
      logger.debug('record skipped: not a state item write', { ...keys, reason: reading.reason });
      return;
    case 'unchanged':
      count(METRIC.SKIPPED_NO_CHANGE);
      logger.debug('record skipped: status unchanged', { ...keys, tracking_id: reading.trackingId, status: reading.status });
      return;
    case 'malformed':
      // Retrying cannot mend a record: no publish attempt, straight to the queue.
      logger.error('malformed state record', { ...keys, problems: reading.problems });
      return deadLetter(record, context, keys, {
        reason: 'malformed',
        error: { name: 'MalformedRecord', message: reading.problems.join('; ') },
        attempts: 0,
      });
    case 'changed':
      return publishChange(record, reading.detail, context, keys);
  }
}

async function publishChange(
  record: DynamoDBRecord,
  detail: StatusChangedDetail,
  context: RecordContext,
  recordKeys: Record<string, unknown>,
): Promise<void> {
  const keys = { ...recordKeys, tracking_id: detail.tracking_id, event_id: detail.event_id, version: detail.version };
  if (!context.flags.real_time_notifications) {
    count(METRIC.SKIPPED_FLAG_OFF);
    logger.debug('status change not published: real_time_notifications is off', keys);
    return;
  }
  let entry: PutEventsRequestEntry | undefined;
  try {
    if (!context.eventBusName) {
      // Not transient: dead-letter now (not the default bus); replaying once the variable is set loses nothing.
      throw new PublishError('EVENT_BUS_NAME is not set', 0, false);
    }
    entry = toEventEntry(detail, record, context.eventBusName);
    const published = await context.publisher.publish(entry);
    count(METRIC.PUBLISHED);
    logger.info('status change published', {
      ...keys,
      previous_status: detail.previous_status,
      status: detail.status,
      eventbridge_event_id: published.eventId,
      attempts: published.attempts,
    });
  } catch (error) {
    const publishFailed = error instanceof PublishError;
    logger.error(publishFailed ? 'status change not published' : 'unexpected error publishing a status change', { ...keys, cause: error });
    await deadLetter(record, context, keys, {
      reason: publishFailed ? 'publish-failed' : 'internal-error',
      error: errorSummary(error),
      attempts: publishFailed ? error.attempts : 0,
      ...(entry ? {
        event: {
          event_bus_name: entry.EventBusName ?? null,
          source: STATUS_CHANGED_EVENT.source,
          detail_type: STATUS_CHANGED_EVENT.detailType,
          time: entry.Time?.toISOString() ?? null,
          detail,
        },
      } : {}),
    });
  }
}

/**
 * The EventBridge entry for a status change. `Time` is when the state item was
 * written (the stream record's creation time), so retries and replays carry the
 * time of the change, not of the publish.
 */
export function toEventEntry(detail: StatusChangedDetail, record: DynamoDBRecord, eventBusName: string): PutEventsRequestEntry {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return {
    EventBusName: eventBusName,
    Source: STATUS_CHANGED_EVENT.source,
    DetailType: STATUS_CHANGED_EVENT.detailType,
    Detail: JSON.stringify(detail),
    ...(typeof seconds === 'number' && Number.isFinite(seconds) ? { Time: new Date(seconds * 1000) } : {}),
  };
}

async function deadLetter(record: DynamoDBRecord, context: RecordContext, keys: Record<string, unknown>, input: DeadLetterInput): Promise<void> {
  try {
    const messageId = await sendToDeadLetterQueue(context.sqs, context.deadLetterQueueUrl, deadLetterMessage(record, input));
    count(METRIC.DEAD_LETTERED);
    logger.warn('record sent to the dead-letter queue', { ...keys, reason: input.reason, sqs_message_id: messageId });
  } catch (error) {
    count(METRIC.DEAD_LETTER_FAILED);
    logger.error('dead-letter queue did not take the record; handing it back to the event source mapping', { ...keys, cause: error });
    throw error;
  }
}

function errorSummary(error: unknown): DeadLetterInput['error'] {
  if (error instanceof PublishError) {
    return { name: error.name, message: error.message, ...(error.errorCode ? { code: error.errorCode } : {}) };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
