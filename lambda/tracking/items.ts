import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { statusSince, type StateFold, type StatusRun } from './shipment-state';
import { eventSk, orderKey, shipmentPk, TABLE_LAYOUT, type ItemKey } from '../../src/contract/table';

/**
 * Items and records: what an event item and a state item hold, and how they map
 * to the plain records the rest of the handler works with. Keys are built by the
 * key schema (src/contract/table.ts); docs/data-model.md describes both items.
 *
 * State item milestones: `first_seen_at`, `out_for_delivery_at`, `delivered_at`
 * (each the earliest such event time), `attempt_ids` (the failed delivery attempts'
 * event ids, a string set: `attempt_count` is its size). `open_event_key` repeats
 * `last_event_key` while the status is not terminal, for the blind update's
 * condition (state-write.ts). The status run: `run_start_key` and `run_break_key`,
 * with `status_since` (the run's first event time) and the status index's
 * `status_sk` built from it. What the state is, given the events, is shipment-state.ts.
 */

/** State item attribute that holds `last_event_key` while the shipment is open. */
export const OPEN_EVENT_KEY = 'open_event_key';
/** State item attribute that holds the attempt ids (a string set). */
export const ATTEMPT_IDS = 'attempt_ids';
/** State item attributes of the status run (shipment-state.ts). */
export const RUN_START_KEY = 'run_start_key';
export const RUN_BREAK_KEY = 'run_break_key';
export const STATUS_SINCE = 'status_since';

export interface Location {
  readonly lat: number;
  readonly lng: number;
}

/** One tracking event as stored and returned. `event_time` and `received_at` are UTC ISO-8601 with ms. */
export interface EventRecord {
  readonly tracking_id: string;
  readonly event_id: string;
  readonly status: string;
  readonly location: Location;
  readonly event_time: string;
  readonly received_at: string;
  readonly metadata?: Record<string, unknown>;
  readonly sub_status?: string;
  readonly message?: string;
  readonly eta?: string;
  readonly address?: Record<string, string>;
}

const EVENT_FIELDS: readonly (keyof EventRecord)[] = [
  'tracking_id', 'event_id', 'status', 'location', 'event_time', 'received_at',
  'metadata', 'sub_status', 'message', 'eta', 'address',
];

/** A shipment's current state. `updated_at` is the event_time of the event it reflects. */
export interface ShipmentState {
  readonly tracking_id: string;
  readonly status: string;
  readonly location: Location;
  readonly updated_at: string;
  readonly last_event_id: string;
  readonly first_seen_at: string;
  readonly version: number;
  /** Failed delivery attempts: distinct attempt_failed events (at most MAX_COUNTED_ATTEMPTS). */
  readonly attempt_count: number;
  readonly out_for_delivery_at?: string;
  readonly delivered_at?: string;
  /** Since when the shipment has had its status (see shipment-state.ts); absent on a state item not written since runs were added. */
  readonly status_since?: string;
}

/** The event item of `event`, expiring `ttlSeconds` after it was received (0: never). */
export function eventItem(event: EventRecord, ttlSeconds: number): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...event,
    [TABLE_LAYOUT.partitionKey]: shipmentPk(event.tracking_id),
    [TABLE_LAYOUT.sortKey]: eventSk(event.event_id),
    [TABLE_LAYOUT.historySortKey]: orderKey(event.event_time, event.event_id),
  };
  if (ttlSeconds > 0) {
    item[TABLE_LAYOUT.ttlAttribute] = Math.floor(Date.parse(event.received_at) / 1000) + ttlSeconds;
  }
  return item;
}

export function toEventRecord(item: Record<string, unknown>): EventRecord {
  const record: Record<string, unknown> = {};
  for (const field of EVENT_FIELDS) {
    if (item[field] !== undefined) record[field] = item[field];
  }
  return record as unknown as EventRecord;
}

/** The history index key of an event item (a page's exclusive start key). */
export function historyKeyOf(item: Record<string, unknown>): ItemKey {
  const { partitionKey, sortKey, historySortKey } = TABLE_LAYOUT;
  return { [partitionKey]: String(item[partitionKey]), [sortKey]: String(item[sortKey]), [historySortKey]: String(item[historySortKey]) };
}

export function toShipmentState(item: Record<string, unknown>): ShipmentState {
  const { last_event_key: _key, attempt_ids: attemptIds, run, ...state } = toStateFold(item);
  return {
    ...state,
    version: Number(item.version),
    attempt_count: attemptIds.length,
    ...(run ? { status_since: statusSince(run) } : {}),
  };
}

/** The state an item stores (the version counter aside). */
export function toStateFold(item: Record<string, unknown>): StateFold {
  return {
    tracking_id: String(item.tracking_id),
    status: String(item.status),
    location: item.location as Location,
    updated_at: String(item.updated_at),
    last_event_id: String(item.last_event_id),
    last_event_key: String(item.last_event_key),
    first_seen_at: String(item.first_seen_at),
    ...(item.out_for_delivery_at !== undefined ? { out_for_delivery_at: String(item.out_for_delivery_at) } : {}),
    ...(item.delivered_at !== undefined ? { delivered_at: String(item.delivered_at) } : {}),
    attempt_ids: attemptIdsOf(item),
    run: runOfItem(item),
  };
}

/** The status run a state item stores, or undefined for one written before runs were stored. */
function runOfItem(item: Record<string, unknown>): StatusRun | undefined {
  const start = item[RUN_START_KEY];
  if (typeof start !== 'string') return undefined;
  const breakKey = item[RUN_BREAK_KEY];
  return typeof breakKey === 'string' ? { start_key: start, break_key: breakKey } : { start_key: start };
}

/** The attempt ids of a state item, sorted (lib-dynamodb reads a string set as a Set). */
function attemptIdsOf(item: Record<string, unknown>): string[] {
  const ids = item[ATTEMPT_IDS];
  return ids instanceof Set ? [...ids].map(String).sort() : [];
}

/** The item DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
export function oldItem(error: unknown): Record<string, unknown> | undefined {
  // lib-dynamodb unmarshalls responses, not errors.
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  return item ? unmarshall(item) : undefined;
}
