import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

/** The clock every handler test runs at. */
export const NOW = Date.parse('2026-11-26T10:00:00.000Z');

/** A valid tracking update, as a client sends it. */
export function validUpdate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tracking_id: 'PKG-1',
    status: 'in_transit',
    location: { lat: 52.52, lng: 13.405 },
    event_time: '2026-11-26T10:15:00+01:00',
    event_id: 'scan-0001',
    ...overrides,
  };
}

/** What DynamoDB throws when a condition fails, with the old item (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
export function conditionFailed(oldItem?: Record<string, unknown>): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    Item: oldItem ? marshall(oldItem) : undefined,
  });
}

/** An event item as stored by the handler. */
export function storedEvent(trackingId: string, eventId: string, eventTime: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: `TRACK#${trackingId}`,
    sk: `EVENT#${eventId}`,
    history_sk: `${eventTime}#${eventId}`,
    tracking_id: trackingId,
    event_id: eventId,
    status: 'in_transit',
    location: { lat: 1, lng: 2 },
    event_time: eventTime,
    received_at: eventTime,
    ...extra,
  };
}
