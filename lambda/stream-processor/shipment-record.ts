import type { DynamoDBRecord } from 'aws-lambda';
import { readDeliveredShipment, type DeliveredShipment } from './analytics/delivered-shipment';
import { readDeletion } from './deletion';
import { readStall } from './stall';
import { readStatusChange } from './status-change';
import type { ShipmentDeletedDetail, ShipmentStalledDetail, StatusChangedDetail } from '../../src/contract/events';
import { TrackingStatus } from '../../src/contract/statuses';

/** Everything one state item record means to the processor; each part is handled on its own. */
export interface ShipmentRecordMeaning {
  readonly trackingId: string;
  /** The status changed (or was set): publish it while `real_time_notifications` is on. */
  readonly statusChange?: StatusChangedDetail;
  /** The status a same-status write kept. */
  readonly unchangedStatus?: string;
  /** The sweep has just marked the shipment stalled: publish it, whatever the flag. */
  readonly stall?: ShipmentStalledDetail;
  /** The state item was removed: publish it, whatever the flag. */
  readonly deletion?: ShipmentDeletedDetail;
  /** The status changed to delivered: count the delivery (once per shipment). */
  readonly delivered?: DeliveredShipment;
}

export type ShipmentRecordReading =
  /** Not a state item record (an event item, a delivery record): the source filter should keep these out. */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** A state item record that cannot be read: dead-letter it whole, nothing is published from it. */
  | { readonly kind: 'malformed'; readonly problems: readonly string[] }
  | { readonly kind: 'state'; readonly meaning: ShipmentRecordMeaning };

/**
 * Reads one stream record as status change, stall, deletion and delivery at
 * once. Never throws. A record any part of which is unreadable is malformed as a
 * whole: publishing the readable parts and dead-lettering the record would make a
 * replay publish those twice, and a mended record replays everything in one go.
 *
 * One write can mean more than one thing, and each is handled: a status change to
 * `delivered` is published *and* counted. A write that changes the status cannot
 * also be a new stall (the sweep marks the `status_sk` the item had, and a new
 * status brings a new one), but should one ever read as both, both are published.
 */
export function readShipmentRecord(record: DynamoDBRecord): ShipmentRecordReading {
  if (record.eventName === 'REMOVE') {
    const deletion = readDeletion(record);
    if (deletion.kind !== 'deleted') return deletion;
    return { kind: 'state', meaning: { trackingId: deletion.detail.tracking_id, deletion: deletion.detail } };
  }

  const change = readStatusChange(record);
  if (change.kind === 'ignored' || change.kind === 'malformed') return change;
  const problems: string[] = [];
  const stall = record.eventName === 'MODIFY' ? readStall(record) : undefined;
  if (stall?.kind === 'malformed') problems.push(...stall.problems);
  const delivery = change.kind === 'changed' && change.detail.status === TrackingStatus.DELIVERED ? readDeliveredShipment(record) : undefined;
  if (delivery?.kind === 'malformed') problems.push(...delivery.problems);
  if (problems.length > 0) return { kind: 'malformed', problems };

  return {
    kind: 'state',
    meaning: {
      trackingId: change.kind === 'changed' ? change.detail.tracking_id : change.trackingId,
      ...(change.kind === 'changed' ? { statusChange: change.detail } : { unchangedStatus: change.status }),
      ...(stall?.kind === 'stalled' ? { stall: stall.detail } : {}),
      ...(delivery?.kind === 'delivered' ? { delivered: delivery.shipment } : {}),
    },
  };
}
