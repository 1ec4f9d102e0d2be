import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ShipmentDeletedDetail, ShipmentStalledDetail, StatusChangedDetail } from '../../src/contract/events';

/**
 * The dead-letter message: the stream record itself, not a pointer to it.
 *
 * A DynamoDB-stream event source mapping's own on-failure destination receives
 * only batch metadata (shard id and a sequence-number range), and the stream
 * keeps records for 24 hours — after that the metadata points at nothing. So the
 * processor sends each record it could not handle, with its content, here, and
 * tells the mapping the record is done. See README.md for replaying.
 */

/** `kind` of every message this processor writes, so a reader can tell them from the mapping's metadata messages. */
export const DEAD_LETTER_KIND = 'logistics-tracking.stream-record';

/** Version of the message layout below; bumped on any incompatible change. */
export const DEAD_LETTER_VERSION = 1;

/**
 * Why the record is here:
 * - `publish-failed`: an event EventBridge did not take (retries ran out, or it refused the event);
 * - `malformed`: the record cannot be read as a state item write or removal (retrying cannot help);
 * - `analytics-failed`: the events were handled, but counting the shipment's delivery failed
 *   (DynamoDB, after the SDK's retries); replaying the record counts it, still once;
 * - `internal-error`: the processor failed on it unexpectedly (a bug).
 *
 * One record can leave more than one message (say, a status change and its
 * counting both failed): each names its own reason and, for `publish-failed`, its event.
 */
export type DeadLetterReason = 'publish-failed' | 'malformed' | 'analytics-failed' | 'internal-error';

/** The `detail` of any event the processor publishes. */
export type ShipmentEventDetail = StatusChangedDetail | ShipmentStalledDetail | ShipmentDeletedDetail;

export interface DeadLetterMessage {
  readonly kind: typeof DEAD_LETTER_KIND;
  readonly version: typeof DEAD_LETTER_VERSION;
  readonly reason: DeadLetterReason;
  readonly error: { readonly name: string; readonly message: string; readonly code?: string };
  /** Publish attempts made; 0 when nothing was published (a malformed record, a counting failure). */
  readonly attempts: number;
  readonly event_source_arn: string | null;
  readonly sequence_number: string | null;
  /** The stream record's ApproximateCreationDateTime as ISO-8601: when the item was written (to the second). */
  readonly approximate_creation_time: string | null;
  readonly dead_lettered_at: string;
  /** The event that was to be published (`publish-failed` only): replay with PutEvents as it is. */
  readonly event?: {
    readonly event_bus_name: string | null;
    readonly source: string;
    readonly detail_type: string;
    readonly time: string | null;
    readonly detail: ShipmentEventDetail;
  };
  /** The DynamoDB stream record exactly as Lambda delivered it (images dropped only if the message would not fit). */
  readonly record: DynamoDBRecord;
  /** True when the images were dropped to fit the queue's message size limit. */
  readonly record_truncated?: true;
}

/** SQS's default (and long-standing) largest message body; a state item record is a few kB at most. */
const MAX_MESSAGE_BYTES = 256 * 1024;

export type DeadLetterInput = Omit<DeadLetterMessage, 'kind' | 'version' | 'event_source_arn' | 'sequence_number' | 'approximate_creation_time' | 'dead_lettered_at' | 'record' | 'record_truncated'>;

/** The message for `record`, self-describing and small enough for the queue. */
export function deadLetterMessage(record: DynamoDBRecord, input: DeadLetterInput, now: number = Date.now()): DeadLetterMessage {
  const message: DeadLetterMessage = {
    kind: DEAD_LETTER_KIND,
    version: DEAD_LETTER_VERSION,
    ...input,
    event_source_arn: record.eventSourceARN ?? null,
    sequence_number: record.dynamodb?.SequenceNumber ?? null,
    approximate_creation_time: approximateCreationTime(record),
    dead_lettered_at: new Date(now).toISOString(),
    record,
  };
  if (Buffer.byteLength(JSON.stringify(message), 'utf8') <= MAX_MESSAGE_BYTES) return message;
  // Only a garbled record can be this large (state items are small): keep its keys and position.
  const { NewImage: _new, OldImage: _old, ...position } = record.dynamodb ?? {};
  return { ...message, record: { ...record, dynamodb: position }, record_truncated: true };
}

/** `ApproximateCreationDateTime` (epoch seconds in Lambda's event) as ISO-8601, or null. */
export function approximateCreationTime(record: DynamoDBRecord): string | null {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;
}

/** Sends one message to the queue; throws when SQS does not take it. */
export async function sendToDeadLetterQueue(
  client: SQSClient,
  queueUrl: string | undefined,
  message: DeadLetterMessage,
): Promise<string | undefined> {
  if (!queueUrl) throw new Error('DEAD_LETTER_QUEUE_URL is not set');
  const output = await client.send(new SendMessageCommand({
    QueueUrl: queueUrl,
    MessageBody: JSON.stringify(message),
    // Filterable without parsing the body (e.g. a redrive tool selecting one kind).
    MessageAttributes: {
      kind: { DataType: 'String', StringValue: message.kind },
      reason: { DataType: 'String', StringValue: message.reason },
    },
  }));
  return output.MessageId;
}
