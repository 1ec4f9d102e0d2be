import type { DynamoDBRecord } from 'aws-lambda';
import { decodeImage, requireString, requireVersion, sortKeyOf } from './image';
import type { ShipmentDeletedDetail } from '../../src/contract/events';
import { isStateSortKey, TABLE_LAYOUT } from '../../src/contract/table';

/** What one REMOVE record means for deletion events. */
export type DeletionReading =
  /** The removal of another item (an event item, a delivery record): nothing to publish. */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** A shipment's state item is gone: publish `detail`. */
  | { readonly kind: 'deleted'; readonly detail: ShipmentDeletedDetail }
  /** A state item REMOVE that cannot be read: dead-letter it. */
  | { readonly kind: 'malformed'; readonly problems: readonly string[] };

/**
 * The identity DynamoDB gives a record of an item its Time to Live removed (the
 * only removals it attributes to a service): everything else is a request —
 * here, `DELETE /shipments/{tracking_id}`, which removes the state item last.
 */
const TTL_SERVICE = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/**
 * Reads a REMOVE record (the caller has checked the eventName) as a shipment
 * deletion, from its OldImage. Never throws.
 */
export function readDeletion(record: DynamoDBRecord): DeletionReading {
  const sortKey = sortKeyOf(record);
  if (sortKey === undefined) return { kind: 'malformed', problems: [`the record has no string sort key "${TABLE_LAYOUT.sortKey}"`] };
  if (!isStateSortKey(sortKey)) return { kind: 'ignored', reason: 'not a state item' };

  const problems: string[] = [];
  const oldImage = decodeImage(record.dynamodb?.OldImage, 'OldImage', problems);
  if (!oldImage) return { kind: 'malformed', problems };
  const trackingId = requireString(oldImage, 'tracking_id', 'OldImage', problems);
  const status = requireString(oldImage, 'status', 'OldImage', problems);
  const version = requireVersion(oldImage, 'OldImage', problems);
  if (problems.length > 0) return { kind: 'malformed', problems };

  return {
    kind: 'deleted',
    detail: { tracking_id: trackingId!, status: status!, reason: isTimeToLiveRemoval(record) ? 'retention' : 'request', version: version! },
  };
}

function isTimeToLiveRemoval(record: DynamoDBRecord): boolean {
  // aws-lambda types userIdentity as any.
  const identity = record.userIdentity as { type?: unknown; principalId?: unknown } | undefined;
  return identity?.type === TTL_SERVICE.type && identity.principalId === TTL_SERVICE.principalId;
}
