import type { DynamoDBRecord } from 'aws-lambda';
import { decodeImage, requireLocation, requireString, requireVersion, sortKeyOf } from './image';
import type { StatusChangedDetail } from '../../src/contract/events';
import { isStateSortKey, TABLE_LAYOUT } from '../../src/contract/table';

/** What one stream record means for status-change events. */
export type StatusChangeReading =
  /** Not a write of a state item (an event item, a REMOVE): never a status change (deletion.ts reads REMOVEs). */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** A state item written with the status it already had. */
  | { readonly kind: 'unchanged'; readonly trackingId: string; readonly status: string }
  /** A state item whose status changed (or was set for the first time): publish `detail`. */
  | { readonly kind: 'changed'; readonly detail: StatusChangedDetail }
  /** A state item write that cannot be read: dead-letter it, retrying cannot help. */
  | { readonly kind: 'malformed'; readonly problems: readonly string[] };

/**
 * Reads a DynamoDB stream record of the tracking table. Never throws: a record
 * that is not what the table writes comes back `malformed`, naming what is wrong.
 *
 * A *status change* is a state item INSERT (previous_status null) or a MODIFY
 * whose NewImage.status differs from OldImage.status. Everything a state write
 * carries besides the status (location, event id, version…) is only required
 * when there is something to publish: a same-status write is skipped unread.
 *
 * Repeats are possible and not detectable here: the stream delivers at least
 * once (a retried batch publishes again), which is why the published detail
 * carries `version`: consumers drop an event whose (tracking_id, version) they
 * have already seen.
 */
export function readStatusChange(record: DynamoDBRecord): StatusChangeReading {
  const { eventName, dynamodb: change } = record;
  if (eventName === 'REMOVE') return { kind: 'ignored', reason: 'REMOVE' };
  if (eventName !== 'INSERT' && eventName !== 'MODIFY') {
    return { kind: 'malformed', problems: [`eventName ${JSON.stringify(eventName)} is not INSERT, MODIFY or REMOVE`] };
  }
  if (typeof change !== 'object' || change === null) {
    return { kind: 'malformed', problems: ['the record has no dynamodb section'] };
  }

  const sortKey = sortKeyOf(record);
  if (sortKey === undefined) {
    return { kind: 'malformed', problems: [`the record has no string sort key "${TABLE_LAYOUT.sortKey}"`] };
  }
  if (!isStateSortKey(sortKey)) return { kind: 'ignored', reason: 'not a state item' };

  const problems: string[] = [];
  const newImage = decodeImage(change.NewImage, 'NewImage', problems);
  // An INSERT is the shipment's first status, whatever an OldImage might say.
  const oldImage = eventName === 'MODIFY' ? decodeImage(change.OldImage, 'OldImage', problems) : undefined;
  if (!newImage || (eventName === 'MODIFY' && !oldImage)) return { kind: 'malformed', problems };

  const status = requireString(newImage, 'status', 'NewImage', problems);
  const previousStatus = oldImage ? requireString(oldImage, 'status', 'OldImage', problems) : null;
  const trackingId = requireString(newImage, 'tracking_id', 'NewImage', problems);
  if (problems.length > 0) return { kind: 'malformed', problems };
  if (status === previousStatus) return { kind: 'unchanged', trackingId: trackingId!, status: status! };

  const eventTime = requireString(newImage, 'updated_at', 'NewImage', problems);
  const eventId = requireString(newImage, 'last_event_id', 'NewImage', problems);
  const location = requireLocation(newImage, 'NewImage', problems);
  const version = requireVersion(newImage, 'NewImage', problems);
  if (problems.length > 0) return { kind: 'malformed', problems };

  return {
    kind: 'changed',
    detail: {
      tracking_id: trackingId!,
      previous_status: previousStatus ?? null,
      status: status!,
      event_time: eventTime!,
      location: location!,
      event_id: eventId!,
      version: version!,
    },
  };
}
