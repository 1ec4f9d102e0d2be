import type { DynamoDBRecord } from 'aws-lambda';
import { TABLE_LAYOUT } from '../../../src/contract/table';
import { decodeImage, requireIsoTime, requirePositiveInteger, requireString, requireVersion } from '../image';

/** What a delivery is counted from: the state item as its write to `delivered` left it. */
export interface DeliveredShipment {
  readonly trackingId: string;
  /** The shipment's partition key, where its delivery record goes. */
  readonly partitionKey: string;
  readonly firstSeenAt: string;
  /** The earliest delivered event time. */
  readonly deliveredAt: string;
  /** Failed delivery attempts: the size of the `attempt_ids` string set. */
  readonly attempts: number;
  readonly version: number;
  /** The state item's Time to Live (epoch seconds), when retention is on. */
  readonly expiresAt?: number;
}

/** State item attribute of the failed attempts' event ids (a string set); the handler's items.ts writes it. */
const ATTEMPT_IDS = 'attempt_ids';

export type DeliveredReading =
  | { readonly kind: 'delivered'; readonly shipment: DeliveredShipment }
  | { readonly kind: 'malformed'; readonly problems: readonly string[] };

/**
 * Reads the NewImage of a state item write that changed the status to
 * `delivered` (the caller has established that). Never throws.
 */
export function readDeliveredShipment(record: DynamoDBRecord): DeliveredReading {
  const problems: string[] = [];
  const image = decodeImage(record.dynamodb?.NewImage, 'NewImage', problems);
  if (!image) return { kind: 'malformed', problems };
  const trackingId = requireString(image, 'tracking_id', 'NewImage', problems);
  const partitionKey = requireString(image, TABLE_LAYOUT.partitionKey, 'NewImage', problems);
  const firstSeenAt = requireIsoTime(image, 'first_seen_at', 'NewImage', problems);
  const deliveredAt = requireIsoTime(image, 'delivered_at', 'NewImage', problems);
  const version = requireVersion(image, 'NewImage', problems);
  const attemptIds = image[ATTEMPT_IDS];
  // unmarshall reads a string set as a Set; a shipment without failed attempts has no attribute.
  if (attemptIds !== undefined && !(attemptIds instanceof Set)) problems.push(`NewImage.${ATTEMPT_IDS} is not a string set`);
  const expiresAt = image[TABLE_LAYOUT.ttlAttribute] === undefined
    ? undefined
    : requirePositiveInteger(image, TABLE_LAYOUT.ttlAttribute, 'NewImage', problems);
  if (problems.length > 0) return { kind: 'malformed', problems };

  return {
    kind: 'delivered',
    shipment: {
      trackingId: trackingId!,
      partitionKey: partitionKey!,
      firstSeenAt: firstSeenAt!,
      deliveredAt: deliveredAt!,
      attempts: attemptIds instanceof Set ? attemptIds.size : 0,
      version: version!,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    },
  };
}
