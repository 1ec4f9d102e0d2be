/**
 * The key schema of the tracking table: attribute and index names, every key
 * prefix, how keys are built and read back, and the status-index shard of a
 * shipment. The construct creates the table and its indexes from it; the handler
 * writes and queries items with it; the stream processor recognizes state items
 * with it. Nothing else spells a key. docs/data-model.md describes the items.
 *
 * Event item: `pk = TRACK#<tracking_id>`, `sk = EVENT#<event_id>` (an event's
 * identity is (tracking_id, event_id), so a resend is a duplicate whatever its
 * event_time), and `history_sk = <event_time ISO ms>#<event_id>`, the sort key of
 * the `history` local secondary index that lists a shipment newest first. Two
 * events in the same millisecond differ by event_id, so neither overwrites the other.
 *
 * State item: `pk = TRACK#<tracking_id>`, `sk = STATE`, with the keys of the sparse
 * status index: `status_pk = STATUS#<status>#<shard>`, `status_sk = <status_since>#<tracking_id>`.
 */

/** Attribute and index names, shared by the construct (which creates them) and the functions (which use them). */
export const TABLE_LAYOUT = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Sort key of a shipment's state item (its events are `EVENT#<event_id>`). */
  stateSortKey: 'STATE',
  /** Local secondary index ordering a shipment's events by `<event_time>#<event_id>`. */
  historyIndex: 'history',
  historySortKey: 'history_sk',
  /** Sparse global secondary index over state items only, sharded by tracking id. */
  statusIndex: 'by-status',
  statusPartitionKey: 'status_pk',
  statusSortKey: 'status_sk',
  /** Number of shards per status in the status index (changing it needs a backfill). */
  statusShards: 8,
  ttlAttribute: 'expires_at',
  /**
   * State item attributes of a stall (the sweep writes them, the stream processor
   * publishes them): `stalled_sk` is the `status_sk` the shipment had when it was
   * found stalled, so `stalled_sk = status_sk` means "this status run has been
   * reported"; the status index projects it so the sweep skips reported runs
   * without reading state items.
   */
  stalledSortKey: 'stalled_sk',
  stalledAt: 'stalled_at',
  stallThresholdSeconds: 'stall_threshold_seconds',
  /**
   * Sort key of a shipment's delivery record: written once, conditionally, by the
   * stream processor when it counts the shipment's delivery (analytics), so a
   * repeated stream record counts nothing twice.
   */
  deliveryRecordSortKey: 'DELIVERY',
} as const;

/** The prefix of each kind of key value. */
export const KEY_PREFIX = {
  /** Partition key of a shipment's items: `TRACK#<tracking_id>`. */
  shipment: 'TRACK#',
  /** Sort key of an event item: `EVENT#<event_id>`. */
  event: 'EVENT#',
  /** Partition key of the status index: `STATUS#<status>#<shard>`. */
  status: 'STATUS#',
} as const;

/** A key of the base table. */
export type ItemKey = Record<string, string>;

/** `pk` of every item of a shipment. */
export function shipmentPk(trackingId: string): string {
  return `${KEY_PREFIX.shipment}${trackingId}`;
}

/** `sk` of an event item. */
export function eventSk(eventId: string): string {
  return `${KEY_PREFIX.event}${eventId}`;
}

/** The key of an event item. */
export function eventKey(trackingId: string, eventId: string): ItemKey {
  return { [TABLE_LAYOUT.partitionKey]: shipmentPk(trackingId), [TABLE_LAYOUT.sortKey]: eventSk(eventId) };
}

/** The key of a shipment's state item. */
export function stateKey(trackingId: string): ItemKey {
  return { [TABLE_LAYOUT.partitionKey]: shipmentPk(trackingId), [TABLE_LAYOUT.sortKey]: TABLE_LAYOUT.stateSortKey };
}

/** Whether a sort key is a state item's. */
export function isStateSortKey(sortKey: string): boolean {
  return sortKey === TABLE_LAYOUT.stateSortKey;
}

/**
 * The order of a shipment's events: event_time (fixed-width UTC ISO with ms), then
 * event_id. It is the history index's sort key (`history_sk`) and the state item's
 * `last_event_key`.
 */
export function orderKey(eventTime: string, eventId: string): string {
  return `${eventTime}#${eventId}`;
}

/** `status_pk`: one of a status's shards in the status index. */
export function statusPk(status: string, shard: number): string {
  return `${KEY_PREFIX.status}${status}#${shard}`;
}

/** `status_sk`: newest first in a shard is the shipment that took its status most recently first. */
export function statusSk(statusSince: string, trackingId: string): string {
  return `${statusSince}#${trackingId}`;
}

/**
 * Exclusive bounds on `status_sk` by status_since (UTC ISO with ms): every entry
 * that took its status before `time` sorts below `statusSkBefore(time)`, every one
 * that took it after `time` above `statusSkAfter(time)` — `~` sorts after every
 * character a tracking id may hold, and neither bound is ever a stored key.
 */
export function statusSkBefore(time: string): string {
  return time;
}

/** See {@link statusSkBefore}. */
export function statusSkAfter(time: string): string {
  return `${time}#~`;
}

/** FNV-1a, 32 bit, over UTF-16 code units (tracking ids are ASCII). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    // eslint-disable-next-line no-bitwise
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash;
}

/** A shipment's status-index shard: spreads one status over `shards` partitions, always the same shard for a shipment. */
export function statusShardOf(trackingId: string, shards: number): number {
  return fnv1a32(trackingId) % shards;
}

/** Code-unit order, which is DynamoDB's byte order for the ASCII keys of this table. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const EVENT_ID_SHAPE = /^[!-~]{1,128}$/;
const ISO_MILLIS_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const STATUS_SK_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#([A-Za-z0-9._:-]{1,100})$/;

/** The event_id of an event item's sort key, or undefined when `sortKey` is not one. */
export function eventIdOfSortKey(sortKey: string): string | undefined {
  if (!sortKey.startsWith(KEY_PREFIX.event)) return undefined;
  const eventId = sortKey.slice(KEY_PREFIX.event.length);
  return EVENT_ID_SHAPE.test(eventId) ? eventId : undefined;
}

/** The tracking id of a well-formed `status_sk`, or undefined. */
export function trackingIdOfStatusSortKey(sortKey: string): string | undefined {
  return STATUS_SK_SHAPE.exec(sortKey)?.[1];
}

/**
 * Whether `historySortKey` is the `history_sk` of the event item whose sort key is
 * `sortKey` (event_time as UTC ISO with ms, then its event_id).
 */
export function isHistorySortKeyOf(sortKey: string, historySortKey: string): boolean {
  const eventId = eventIdOfSortKey(sortKey);
  if (eventId === undefined) return false;
  const eventTime = historySortKey.slice(0, 24);
  return ISO_MILLIS_SHAPE.test(eventTime) && historySortKey === orderKey(eventTime, eventId);
}
