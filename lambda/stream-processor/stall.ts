import type { DynamoDBRecord } from 'aws-lambda';
import { decodeImage, requireIsoTime, requireLocation, requireString, requireVersion, type Image } from './image';
import type { ShipmentStalledDetail } from '../../src/contract/events';
import { TABLE_LAYOUT } from '../../src/contract/table';

/** What one state item MODIFY means for stall events. */
export type StallReading =
  /** Not a new stall: no marking, a marking of an earlier status run, or one already published. */
  | { readonly kind: 'none' }
  /** The sweep has just marked the shipment's current status run as stalled: publish `detail`. */
  | { readonly kind: 'stalled'; readonly detail: ShipmentStalledDetail }
  /** A marking whose fields cannot be read: dead-letter the record. */
  | { readonly kind: 'malformed'; readonly problems: readonly string[] };

/**
 * Reads a state item MODIFY (the caller has checked that it is one) as a stall.
 * Never throws.
 *
 * The sweep marks a stalled shipment with `stalled_sk` = the `status_sk` it had
 * when found (src/contract/table.ts), so a write is a *new* stall when the
 * NewImage's `stalled_sk` equals its `status_sk` — the marking is of the current
 * status run — and the OldImage's `stalled_sk` was absent or different. Any later
 * write of the same run (a new location, the same status) carries the marking
 * along unchanged and publishes nothing; once the status moves on, `status_sk`
 * changes and the old marking no longer matches.
 *
 * Repeats come only from the stream's at-least-once delivery, and consumers drop
 * them by (tracking_id, version) as they do status changes.
 */
export function readStall(record: DynamoDBRecord): StallReading {
  const problems: string[] = [];
  const newImage = decodeImage(record.dynamodb?.NewImage, 'NewImage', problems);
  const oldImage = decodeImage(record.dynamodb?.OldImage, 'OldImage', problems);
  // Unreadable images are the status-change reading's to report.
  if (!newImage || !oldImage || !isNewStall(newImage, oldImage)) return { kind: 'none' };

  const trackingId = requireString(newImage, 'tracking_id', 'NewImage', problems);
  const status = requireString(newImage, 'status', 'NewImage', problems);
  const statusSince = requireIsoTime(newImage, 'status_since', 'NewImage', problems);
  const updatedAt = requireString(newImage, 'updated_at', 'NewImage', problems);
  const threshold = requireThreshold(newImage, problems);
  const stalledAt = requireIsoTime(newImage, TABLE_LAYOUT.stalledAt, 'NewImage', problems);
  const location = requireLocation(newImage, 'NewImage', problems);
  const version = requireVersion(newImage, 'NewImage', problems);
  if (problems.length > 0) return { kind: 'malformed', problems };

  return {
    kind: 'stalled',
    detail: {
      tracking_id: trackingId!,
      status: status!,
      status_since: statusSince!,
      updated_at: updatedAt!,
      threshold_seconds: threshold!,
      stalled_at: stalledAt!,
      location: location!,
      version: version!,
    },
  };
}

function isNewStall(newImage: Image, oldImage: Image): boolean {
  const marking = newImage[TABLE_LAYOUT.stalledSortKey];
  return typeof marking === 'string'
    && marking === newImage[TABLE_LAYOUT.statusSortKey]
    && oldImage[TABLE_LAYOUT.stalledSortKey] !== marking;
}

function requireThreshold(image: Image, problems: string[]): number | undefined {
  const field = TABLE_LAYOUT.stallThresholdSeconds;
  const value = image[field];
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  problems.push(`NewImage.${field} ${value === undefined ? 'is missing' : 'is not a positive number'}`);
  return undefined;
}
