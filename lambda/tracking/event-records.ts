import { monotonicFactory } from 'ulid';
import type { EventRecord } from './items';
import { toIsoMillis } from './time';
import type { TrackingUpdate } from './validation';

/**
 * Server-assigned event ids: ULIDs, strictly increasing within this execution
 * environment even in one millisecond. One generator for POST /track and
 * POST /track/batch, so ids from both stay ordered.
 */
const nextEventId = monotonicFactory();

/** The event to store for a valid update: its own event_id or a new ULID, and the receive time. */
export function toEventRecord(update: TrackingUpdate, receivedAt: number): EventRecord {
  return {
    ...update,
    event_id: update.event_id ?? nextEventId(receivedAt),
    received_at: toIsoMillis(receivedAt),
  };
}
