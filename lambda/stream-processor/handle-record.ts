import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { countDelivery } from './analytics/count-delivery';
import type { DeliveredShipment } from './analytics/delivered-shipment';
import { deleteDeliveryRecord, type AnalyticsTable } from './analytics/delivery-record';
import { DeadLetterInput, deadLetterMessage, sendToDeadLetterQueue, type ShipmentEventDetail } from './dead-letter';
import { count, emitStall, METRIC, type StreamMetricName } from './observability';
import { EventPublisher, PublishError } from './publisher';
import { readShipmentRecord } from './shipment-record';
import { SHIPMENT_DELETED_EVENT, SHIPMENT_STALLED_EVENT, STATUS_CHANGED_EVENT } from '../../src/contract/events';
import type { FeatureFlagsDocument } from '../../src/contract/runtime-config';
import { TrackingStatus } from '../../src/contract/statuses';
import { shipmentPk } from '../../src/contract/table';
import { logger } from '../shared/observability';

/** What one invocation's records share. */
export interface RecordContext {
  /** The flags as read once for the whole batch. */
  readonly flags: FeatureFlagsDocument;
  readonly publisher: EventPublisher;
  readonly eventBusName: string | undefined;
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string | undefined;
  /** Where delivered shipments are counted. */
  readonly analytics: AnalyticsTable;
  /**
   * Whether a later record of this batch removes the state item of this record's
   * shipment. Records are handled concurrently, so a delivery counted from such a
   * record could land after the removal's clean-up: it is not counted at all.
   * @default - never (records of single-record tests)
   */
  readonly removedLater?: (record: DynamoDBRecord) => boolean;
}

type LogKeys = Record<string, unknown>;

/** One event to publish, and how its outcome is told. */
interface OutgoingEvent {
  readonly type: { readonly source: string; readonly detailType: string };
  readonly detail: ShipmentEventDetail;
  /** What the log lines call it. */
  readonly name: string;
  readonly publishedMetric: StreamMetricName;
  /** Log fields that tell this event from others of the shipment. */
  readonly keys: LogKeys;
}

/**
 * One stream record, start to finish. Resolves when the record is done with —
 * its events published or skipped, its delivery counted, or what failed safely
 * in the dead-letter queue — and throws only when the dead-letter queue did not
 * take something: the batch processor then reports the record as a batch item
 * failure and the event source mapping retries it (publishing its events again,
 * which consumers drop by version, and finding its delivery already counted).
 *
 * The parts of a record (status change, stall, deletion, delivery count) run side
 * by side and fail on their own: counting a delivery never holds up, blocks or
 * fails the status change's publication, and the other way round. Each failure
 * leaves its own dead-letter message, so nothing is lost and nothing waits for
 * the slowest part.
 */
export async function handleRecord(record: DynamoDBRecord, context: RecordContext): Promise<void> {
  // Records are handled concurrently, so correlation keys go on each line rather than on the shared logger.
  const recordKeys = { sequence_number: record.dynamodb?.SequenceNumber, stream_event_id: record.eventID };
  const reading = readShipmentRecord(record);
  if (reading.kind === 'ignored') {
    count(METRIC.SKIPPED_NOT_STATE_WRITE);
    logger.debug('record skipped: not a state item record', { ...recordKeys, reason: reading.reason });
    return;
  }
  if (reading.kind === 'malformed') {
    // Retrying cannot mend a record: no publish attempt, straight to the queue.
    logger.error('malformed state record', { ...recordKeys, problems: reading.problems });
    return deadLetter(record, context, recordKeys, {
      reason: 'malformed',
      error: { name: 'MalformedRecord', message: reading.problems.join('; ') },
      attempts: 0,
    });
  }

  const { meaning } = reading;
  const keys = { ...recordKeys, tracking_id: meaning.trackingId };
  const parts: Promise<unknown>[] = [];
  if (meaning.unchangedStatus !== undefined) {
    count(METRIC.SKIPPED_NO_CHANGE);
    logger.debug('status unchanged: no status change published', { ...keys, status: meaning.unchangedStatus });
  }
  if (meaning.statusChange) {
    const detail = meaning.statusChange;
    // A shipment figure, so counted whatever the flag says (at least once: a retried record counts again).
    if (detail.status === TrackingStatus.EXCEPTION) count(METRIC.SHIPMENT_EXCEPTIONS);
    const changeKeys = { ...keys, event_id: detail.event_id, version: detail.version };
    if (context.flags.real_time_notifications) {
      parts.push(publish(record, {
        type: STATUS_CHANGED_EVENT,
        detail,
        name: 'status change',
        publishedMetric: METRIC.PUBLISHED,
        keys: { ...changeKeys, previous_status: detail.previous_status, status: detail.status },
      }, context));
    } else {
      count(METRIC.SKIPPED_FLAG_OFF);
      logger.debug('status change not published: real_time_notifications is off', changeKeys);
    }
  }
  // real_time_notifications governs status changes only: a stall or a deletion is
  // rare, and a consumer relying on it (an operator's escalation, an erasure
  // audit) must not lose it to a flag turned off for the chattier events.
  if (meaning.stall) {
    const detail = meaning.stall;
    parts.push(publish(record, {
      type: SHIPMENT_STALLED_EVENT,
      detail,
      name: 'stall',
      publishedMetric: METRIC.STALL_PUBLISHED,
      keys: { ...keys, status: detail.status, status_since: detail.status_since, version: detail.version },
    }, context).then((published) => {
      if (published) emitStall(detail.tracking_id, detail.status);
    }));
  }
  if (meaning.deletion) {
    const detail = meaning.deletion;
    parts.push(publish(record, {
      type: SHIPMENT_DELETED_EVENT,
      detail,
      name: 'deletion',
      publishedMetric: METRIC.DELETION_PUBLISHED,
      keys: { ...keys, reason: detail.reason, version: detail.version },
    }, context));
  }
  if (meaning.deletion) parts.push(removeDeliveryRecord(record, meaning.trackingId, context, keys));
  if (meaning.delivered) {
    if (context.removedLater?.(record)) {
      count(METRIC.DELIVERY_NOT_COUNTED_REMOVED);
      logger.info('delivery not counted: the shipment is removed later in this batch', { ...keys, version: meaning.delivered.version });
    } else {
      parts.push(countDelivered(record, meaning.delivered, context, keys));
    }
  }

  // Every part runs to its end before the record is reported, also when one of them fails.
  const failure = (await Promise.allSettled(parts)).find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * Publishes one event: true once EventBridge took it, false when it went to the
 * dead-letter queue instead. Throws only when the queue did not take it either.
 */
async function publish(record: DynamoDBRecord, event: OutgoingEvent, context: RecordContext): Promise<boolean> {
  let entry: PutEventsRequestEntry | undefined;
  try {
    if (!context.eventBusName) {
      // Not transient: dead-letter now (not the default bus); replaying once the variable is set loses nothing.
      throw new PublishError('EVENT_BUS_NAME is not set', 0, false);
    }
    entry = toEventEntry(event.type, event.detail, record, context.eventBusName);
    const published = await context.publisher.publish(entry);
    count(event.publishedMetric);
    logger.info(`${event.name} published`, { ...event.keys, eventbridge_event_id: published.eventId, attempts: published.attempts });
    return true;
  } catch (error) {
    const publishFailed = error instanceof PublishError;
    logger.error(publishFailed ? `${event.name} not published` : `unexpected error publishing a ${event.name}`, { ...event.keys, cause: error });
    await deadLetter(record, context, event.keys, {
      reason: publishFailed ? 'publish-failed' : 'internal-error',
      error: errorSummary(error),
      attempts: publishFailed ? error.attempts : 0,
      ...(entry ? {
        event: {
          event_bus_name: entry.EventBusName ?? null,
          source: event.type.source,
          detail_type: event.type.detailType,
          time: entry.Time?.toISOString() ?? null,
          detail: event.detail,
        },
      } : {}),
    });
    return false;
  }
}

/** Counts a delivery; a failure (after the SDK's retries) dead-letters the record, for a replay to count it. */
async function countDelivered(record: DynamoDBRecord, shipment: DeliveredShipment, context: RecordContext, keys: LogKeys): Promise<void> {
  try {
    const outcome = await countDelivery(context.analytics, shipment);
    if (outcome.kind === 'already-counted') {
      count(METRIC.DELIVERY_ALREADY_COUNTED);
      logger.info('delivery already counted', { ...keys, version: shipment.version });
      return;
    }
    logger.info('delivery counted', {
      ...keys,
      version: shipment.version,
      transit_seconds: outcome.figures.transitSeconds,
      delivery_attempts: outcome.figures.attempts,
      punctuality: outcome.figures.punctuality,
    });
  } catch (error) {
    logger.error('delivery not counted', { ...keys, version: shipment.version, cause: error });
    await deadLetter(record, context, keys, { reason: 'analytics-failed', error: errorSummary(error), attempts: 0 });
  }
}

/**
 * A removed shipment keeps no delivery record: the erasure deleted it if it
 * existed when the erasure listed the shipment's items, and this deletes one
 * counted from a record processed after that listing (an earlier batch, so before
 * this record). A failure dead-letters the record: replaying it deletes the record.
 */
async function removeDeliveryRecord(record: DynamoDBRecord, trackingId: string, context: RecordContext, keys: LogKeys): Promise<void> {
  try {
    await deleteDeliveryRecord(context.analytics, shipmentPk(trackingId));
  } catch (error) {
    logger.error('delivery record of a removed shipment not deleted', { ...keys, cause: error });
    await deadLetter(record, context, keys, { reason: 'analytics-failed', error: errorSummary(error), attempts: 0 });
  }
}

/**
 * The EventBridge entry for an event. `Time` is when the state item was written
 * or removed (the stream record's creation time), so retries and replays carry
 * the time of the change, not of the publish.
 */
export function toEventEntry(
  type: OutgoingEvent['type'],
  detail: ShipmentEventDetail,
  record: DynamoDBRecord,
  eventBusName: string,
): PutEventsRequestEntry {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return {
    EventBusName: eventBusName,
    Source: type.source,
    DetailType: type.detailType,
    Detail: JSON.stringify(detail),
    ...(typeof seconds === 'number' && Number.isFinite(seconds) ? { Time: new Date(seconds * 1000) } : {}),
  };
}

async function deadLetter(record: DynamoDBRecord, context: RecordContext, keys: LogKeys, input: DeadLetterInput): Promise<void> {
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
