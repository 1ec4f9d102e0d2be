import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type PutCommandInput, type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamoDb } from './clients';
import { callOptions } from './deadline';
import { foldEvents, isTerminal, orderKey, sameState, type StateFold } from './shipment-state';
import { ENV, TABLE_LAYOUT } from '../../src/contract/runtime-config';
import { TrackingStatus } from '../../src/tracking-status';

/**
 * The only code that knows how items are keyed (DESIGN §5). Everything else
 * works with plain records.
 *
 * Event item: `pk = TRACK#<tracking_id>`, `sk = EVENT#<event_id>` — an event's
 * identity is (tracking_id, event_id), so a resend is a duplicate whatever its
 * event_time — and `history_sk = <event_time ISO ms>#<event_id>`, the sort key
 * of the `history` local secondary index that lists a shipment newest first.
 * Two events in the same millisecond differ by event_id, so neither overwrites
 * the other.
 *
 * State item: `pk = TRACK#<tracking_id>`, `sk = STATE`, with the sparse status
 * index keys `status_pk = STATUS#<status>#<shard>`, `status_sk = <updated_at>#<tracking_id>`.
 * Milestones on it: `first_seen_at`, `out_for_delivery_at`, `delivered_at` (each the
 * earliest such event time), `attempt_ids` (the failed delivery attempts' event
 * ids, a string set: `attempt_count` is its size). `open_event_key` repeats
 * `last_event_key` while the status is not terminal, for the blind update's
 * condition. What the state is, given the events, is shipment-state.ts.
 */

const PK = TABLE_LAYOUT.partitionKey;
const SK = TABLE_LAYOUT.sortKey;
const HISTORY_SK = TABLE_LAYOUT.historySortKey;
const STATUS_PK = TABLE_LAYOUT.statusPartitionKey;
const STATUS_SK = TABLE_LAYOUT.statusSortKey;
const TTL = TABLE_LAYOUT.ttlAttribute;

const STATE_SK = TABLE_LAYOUT.stateSortKey;
const OPEN_EVENT_KEY = 'open_event_key';
const ATTEMPT_IDS = 'attempt_ids';
const shipmentPk = (trackingId: string) => `TRACK#${trackingId}`;
const eventSk = (eventId: string) => `EVENT#${eventId}`;
const historySk = orderKey;
const statusPk = (status: string, shard: number) => `STATUS#${status}#${shard}`;
const statusSk = (updatedAt: string, trackingId: string) => `${updatedAt}#${trackingId}`;

const EVENT_SK_SHAPE = /^EVENT#([!-~]{1,128})$/;
const ISO_MILLIS_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const STATUS_SK_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#([A-Za-z0-9._:-]{1,100})$/;

/**
 * How often a state update is re-tried when another writer moved the state between
 * reading it (from a failed condition) and writing it. Each failure means the state
 * moved forward, so this only runs out under a sustained stream of concurrent writers.
 */
const MAX_STATE_UPDATE_ATTEMPTS = 4;

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
}

/** The exclusive start key of a history page (a LastEvaluatedKey of the history index). */
export type HistoryPageKey = Record<string, string>;

/**
 * Where the next page of the status index continues on one shard: after this
 * sort key, from the newest item (`''`), or nowhere — the shard is exhausted (`null`).
 */
export type StatusShardPosition = string | null;

/** How applying events changed the state item: a new current event, only milestones, or nothing. */
export type StateChange = 'advanced' | 'milestones' | 'unchanged';

/**
 * Other writers kept moving a shipment's state while this one tried to apply its
 * events; retrying the request later succeeds (answered like a throttle).
 */
export class StateContentionError extends Error {
  constructor(trackingId: string) {
    super(`state of ${trackingId} kept changing while applying events`);
    this.name = 'StateUpdateContention';
  }
}

export interface TrackingRepositorySettings {
  readonly tableName: string;
  readonly historyIndexName: string;
  readonly statusIndexName: string;
  /** Shards per status in the status index. */
  readonly statusShards: number;
  /** Seconds an event item lives; 0 keeps it forever. */
  readonly eventTtlSeconds: number;
}

export class TrackingRepository {
  /** Settings from the function's environment (set by the construct). */
  public static settingsFromEnvironment(env: NodeJS.ProcessEnv): TrackingRepositorySettings {
    return {
      tableName: env[ENV.TABLE_NAME] ?? '',
      historyIndexName: env[ENV.HISTORY_INDEX_NAME] || TABLE_LAYOUT.historyIndex,
      statusIndexName: env[ENV.STATUS_INDEX_NAME] || TABLE_LAYOUT.statusIndex,
      statusShards: positiveInteger(env[ENV.STATUS_INDEX_SHARDS]) ?? TABLE_LAYOUT.statusShards,
      eventTtlSeconds: positiveInteger(env[ENV.EVENT_TTL_SECONDS]) ?? 0,
    };
  }

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly settings: TrackingRepositorySettings,
  ) {}

  /**
   * Stores an event unless (tracking_id, event_id) is already stored. On a duplicate
   * nothing is written and the *stored* event is returned — so reusing an event_id
   * with a different payload is answered as a duplicate and changes nothing.
   */
  public async putEvent(event: EventRecord): Promise<{ readonly event: EventRecord; readonly duplicate: boolean }> {
    const item: Record<string, unknown> = {
      ...event,
      [PK]: shipmentPk(event.tracking_id),
      [SK]: eventSk(event.event_id),
      [HISTORY_SK]: historySk(event.event_time, event.event_id),
    };
    if (this.settings.eventTtlSeconds > 0) {
      item[TTL] = Math.floor(Date.parse(event.received_at) / 1000) + this.settings.eventTtlSeconds;
    }
    try {
      await this.client.send(new PutCommand({
        TableName: this.settings.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }), callOptions());
      return { event, duplicate: false };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = oldItem(error) ?? await this.getEvent(event.tracking_id, event.event_id);
      return { event: stored ? toEventRecord(stored) : event, duplicate: true };
    }
  }

  /**
   * Adds a shipment's events (one or more, same tracking_id; repeats are harmless)
   * to its state item, so that the state is that of every event applied so far,
   * whatever order they came in and however often one is applied (the rules are in
   * shipment-state.ts). A retry repairing a half-done request changes nothing.
   *
   * Two ways to write, both conditional:
   * - **blind** (one UpdateItem, no read): when the events are all newer than the
   *   state's current event, none of them is terminal or a failed attempt, and the
   *   state is not terminal — the common case of scans arriving in order. The update sets the
   *   current event to the newest and keeps the earlier milestones
   *   (`if_not_exists`); its condition (no state, or `open_event_key` older than
   *   every event) is exactly that case's precondition.
   * - **read, fold, write**: otherwise, or when the blind condition fails. The
   *   state comes back with the failed condition (ALL_OLD) or from a consistent
   *   read; foldEvents computes the new state; a PutItem conditional on the
   *   version just read writes it (or nothing, when nothing changed). When another
   *   writer got there first, the loop starts again from what that writer wrote.
   */
  public async applyToState(events: readonly EventRecord[]): Promise<StateChange> {
    const trackingId = events[0].tracking_id;
    let current: Record<string, unknown> | undefined;
    let known = false;
    if (events.every((event) => canApplyBlind(event.status))) {
      try {
        await this.client.send(new UpdateCommand(this.blindStateUpdate(events)), callOptions());
        return 'advanced';
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        current = oldItem(error);
        known = current !== undefined;
      }
    }
    for (let attempt = 0; attempt < MAX_STATE_UPDATE_ATTEMPTS; attempt++) {
      // DynamoDB returns the item with a failed condition; some emulators do not.
      if (!known) current = await this.getStateItem(trackingId);
      const before = current ? toStateFold(current) : undefined;
      const after = foldEvents(before, events);
      if (before && sameState(before, after)) return 'unchanged';
      try {
        await this.client.send(new PutCommand(this.stateWrite(after, current)), callOptions());
        return before?.last_event_key === after.last_event_key ? 'milestones' : 'advanced';
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        current = oldItem(error);
        known = current !== undefined;
      }
    }
    throw new StateContentionError(trackingId);
  }

  /**
   * The blind update for events that are all non-terminal and not failed attempts:
   * SET the current event to the newest, the earliest out_for_delivery time if
   * none is set. Valid only when every event is newer than the state's current
   * event and the state is not terminal — which is its condition: `open_event_key`
   * (the current event's key, present only while the state is not terminal) is
   * older than the oldest event, or there is no state yet.
   */
  private blindStateUpdate(events: readonly EventRecord[]): UpdateCommandInput {
    const ordered = [...events].sort((a, b) => compareStrings(orderKey(a.event_time, a.event_id), orderKey(b.event_time, b.event_id)));
    const oldest = ordered[0];
    const newest = ordered[ordered.length - 1];
    const key = orderKey(newest.event_time, newest.event_id);
    const names: Record<string, string> = {
      '#pk': PK,
      '#tracking_id': 'tracking_id',
      '#status': 'status',
      '#location': 'location',
      '#updated_at': 'updated_at',
      '#last_event_id': 'last_event_id',
      '#last_event_key': 'last_event_key',
      '#open_event_key': OPEN_EVENT_KEY,
      '#status_pk': STATUS_PK,
      '#status_sk': STATUS_SK,
      '#first_seen_at': 'first_seen_at',
      '#version': 'version',
    };
    const values: Record<string, unknown> = {
      ':tracking_id': newest.tracking_id,
      ':status': newest.status,
      ':location': newest.location,
      ':event_time': newest.event_time,
      ':event_id': newest.event_id,
      ':key': key,
      ':oldest_key': orderKey(oldest.event_time, oldest.event_id),
      ':status_pk': statusPk(newest.status, this.shardOf(newest.tracking_id)),
      ':status_sk': statusSk(newest.event_time, newest.tracking_id),
      ':first_seen_at': oldest.event_time,
      ':one': 1,
    };
    const sets = [
      '#tracking_id = :tracking_id', '#status = :status', '#location = :location', '#updated_at = :event_time',
      '#last_event_id = :event_id', '#last_event_key = :key', '#open_event_key = :key', '#status_pk = :status_pk', '#status_sk = :status_sk',
      // Every event is newer than the state's: an existing time is the earlier one.
      '#first_seen_at = if_not_exists(#first_seen_at, :first_seen_at)',
    ];
    const outForDelivery = ordered.find((event) => event.status === TrackingStatus.OUT_FOR_DELIVERY);
    if (outForDelivery) {
      names['#out_for_delivery_at'] = 'out_for_delivery_at';
      values[':out_for_delivery_at'] = outForDelivery.event_time;
      sets.push('#out_for_delivery_at = if_not_exists(#out_for_delivery_at, :out_for_delivery_at)');
    }
    return {
      TableName: this.settings.tableName,
      Key: this.stateKey(newest.tracking_id),
      UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
      ConditionExpression: 'attribute_not_exists(#pk) OR #open_event_key < :oldest_key',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  /** The whole state item for `state`, conditional on the state item being the one read (`current`), or absent. */
  private stateWrite(state: StateFold, current: Record<string, unknown> | undefined): PutCommandInput {
    const item: Record<string, unknown> = {
      ...this.stateKey(state.tracking_id),
      tracking_id: state.tracking_id,
      status: state.status,
      location: state.location,
      updated_at: state.updated_at,
      last_event_id: state.last_event_id,
      last_event_key: state.last_event_key,
      [STATUS_PK]: statusPk(state.status, this.shardOf(state.tracking_id)),
      [STATUS_SK]: statusSk(state.updated_at, state.tracking_id),
      first_seen_at: state.first_seen_at,
      version: current ? Number(current.version) + 1 : 1,
    };
    if (!isTerminal(state.status)) item[OPEN_EVENT_KEY] = state.last_event_key;
    if (state.out_for_delivery_at !== undefined) item.out_for_delivery_at = state.out_for_delivery_at;
    if (state.delivered_at !== undefined) item.delivered_at = state.delivered_at;
    // A string set; DynamoDB stores no empty sets.
    if (state.attempt_ids.length > 0) item[ATTEMPT_IDS] = new Set(state.attempt_ids);
    return {
      TableName: this.settings.tableName,
      Item: item,
      ...(current
        ? { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': current.version } }
        : { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  /** The state item, or undefined for an unknown shipment. */
  public async getState(trackingId: string): Promise<ShipmentState | undefined> {
    const item = await this.getStateItem(trackingId);
    return item ? toShipmentState(item) : undefined;
  }

  private async getStateItem(trackingId: string): Promise<Record<string, unknown> | undefined> {
    const output = await this.client.send(new GetCommand({
      TableName: this.settings.tableName,
      Key: this.stateKey(trackingId),
      // Read-your-write after POST /track; state items are small, so this costs little.
      ConsistentRead: true,
    }), callOptions());
    return output.Item;
  }

  /** One page of a shipment's events, newest first by event_time (ties by event_id). */
  public async listHistory(trackingId: string, limit: number, startKey?: HistoryPageKey): Promise<{
    readonly events: EventRecord[];
    readonly nextKey?: HistoryPageKey;
  }> {
    // One item more than asked tells whether another page exists, so the last page
    // carries no cursor (DynamoDB's own LastEvaluatedKey would point at an empty page).
    const output = await this.client.send(new QueryCommand({
      TableName: this.settings.tableName,
      IndexName: this.settings.historyIndexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK },
      ExpressionAttributeValues: { ':pk': shipmentPk(trackingId) },
      ScanIndexForward: false,
      Limit: limit + 1,
      ExclusiveStartKey: startKey,
      ConsistentRead: true,
    }), callOptions());
    const items = output.Items ?? [];
    const page = items.slice(0, limit);
    let nextKey: HistoryPageKey | undefined;
    if (items.length > limit) {
      nextKey = historyKeyOf(page[page.length - 1]);
    } else if (output.LastEvaluatedKey) {
      // DynamoDB stopped early at its 1 MB page size.
      nextKey = output.LastEvaluatedKey as HistoryPageKey;
    }
    return { events: page.map(toEventRecord), nextKey };
  }

  /**
   * One page of the shipments whose current status is `status`, most recently
   * updated first, from the sparse status index.
   *
   * A status is spread over N shards, so the page fans out over every shard that
   * is not exhausted, in parallel, and merges the answers by sort key
   * (`<updated_at>#<tracking_id>`, newest first). Each shard's position advances
   * only past the items this page returned; items read from a shard but not
   * returned are read again next time.
   *
   * The index is eventually consistent (a GSI offers no consistent reads): a
   * shipment whose status changes between two pages can be listed twice (under
   * a newer sort key) or not at all (it left the status, or moved behind a
   * position already passed). That is the nature of a live listing, not a bug.
   */
  public async listByStatus(status: string, limit: number, positions?: readonly StatusShardPosition[]): Promise<{
    readonly shipments: ShipmentState[];
    /** Where the next page continues; undefined when every shard is exhausted. */
    readonly nextPositions?: StatusShardPosition[];
  }> {
    const start = positions ?? Array.from({ length: this.settings.statusShards }, (): StatusShardPosition => '');
    const shards = await Promise.all(start.map(async (position, shard) => {
      if (position === null) return { items: [], more: false };
      const after = position !== '';
      const output = await this.client.send(new QueryCommand({
        TableName: this.settings.tableName,
        IndexName: this.settings.statusIndexName,
        KeyConditionExpression: after ? '#pk = :pk AND #sk < :after' : '#pk = :pk',
        // DynamoDB refuses unused names and values.
        ExpressionAttributeNames: after ? { '#pk': STATUS_PK, '#sk': STATUS_SK } : { '#pk': STATUS_PK },
        ExpressionAttributeValues: after ? { ':pk': statusPk(status, shard), ':after': position } : { ':pk': statusPk(status, shard) },
        ScanIndexForward: false,
        // One more than a page: a shard that answers with fewer and no LastEvaluatedKey
        // is known to be exhausted, so the last page carries no cursor to an empty one.
        Limit: limit + 1,
      }), callOptions());
      return { items: output.Items ?? [], more: output.LastEvaluatedKey !== undefined };
    }));

    const page = shards
      .flatMap(({ items }, shard) => items.map((item) => ({ shard, sortKey: String(item[STATUS_SK]), item })))
      .sort((a, b) => compareStrings(b.sortKey, a.sortKey))
      .slice(0, limit);

    const next = [...start];
    shards.forEach(({ items, more }, shard) => {
      if (start[shard] === null) return;
      const returned = page.filter((entry) => entry.shard === shard);
      if (!more && returned.length === items.length) next[shard] = null;
      else if (returned.length > 0) next[shard] = returned[returned.length - 1].sortKey;
    });
    return {
      shipments: page.map((entry) => toShipmentState(entry.item)),
      nextPositions: next.every((position) => position === null) ? undefined : next,
    };
  }

  /**
   * Whether `positions` has the shape of status-index positions (cursor
   * validation): one per shard, each '', null or a sort key whose tracking id
   * belongs to that shard, and not all exhausted.
   */
  public isStatusPagePositions(positions: unknown): positions is StatusShardPosition[] {
    if (!Array.isArray(positions) || positions.length !== this.settings.statusShards) return false;
    if (positions.every((position) => position === null)) return false;
    return positions.every((position: unknown, shard) => {
      if (position === null || position === '') return true;
      if (typeof position !== 'string') return false;
      const trackingId = STATUS_SK_SHAPE.exec(position)?.[1];
      return trackingId !== undefined && this.shardOf(trackingId) === shard;
    });
  }

  /** Whether `key` has the shape of a history page key of this shipment (cursor validation). */
  public isHistoryPageKey(trackingId: string, key: unknown): key is HistoryPageKey {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) return false;
    const entries = key as Record<string, unknown>;
    if (Object.keys(entries).length !== 3) return false;
    const pk = entries[PK];
    const sk = entries[SK];
    const hsk = entries[HISTORY_SK];
    if (pk !== shipmentPk(trackingId) || typeof sk !== 'string' || typeof hsk !== 'string') return false;
    const eventId = EVENT_SK_SHAPE.exec(sk)?.[1];
    if (eventId === undefined) return false;
    const eventTime = hsk.slice(0, 24);
    return ISO_MILLIS_SHAPE.test(eventTime) && hsk === historySk(eventTime, eventId);
  }

  private async getEvent(trackingId: string, eventId: string): Promise<Record<string, unknown> | undefined> {
    const output = await this.client.send(new GetCommand({
      TableName: this.settings.tableName,
      Key: { [PK]: shipmentPk(trackingId), [SK]: eventSk(eventId) },
      ConsistentRead: true,
    }), callOptions());
    return output.Item;
  }

  private stateKey(trackingId: string): Record<string, string> {
    return { [PK]: shipmentPk(trackingId), [SK]: STATE_SK };
  }

  /** A stable shard for the status index: spreads one status over N partitions, same shard for a shipment. */
  private shardOf(trackingId: string): number {
    return fnv1a32(trackingId) % this.settings.statusShards;
  }
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

function historyKeyOf(item: Record<string, unknown>): HistoryPageKey {
  return { [PK]: String(item[PK]), [SK]: String(item[SK]), [HISTORY_SK]: String(item[HISTORY_SK]) };
}

function toEventRecord(item: Record<string, unknown>): EventRecord {
  const record: Record<string, unknown> = {};
  for (const field of EVENT_FIELDS) {
    if (item[field] !== undefined) record[field] = item[field];
  }
  return record as unknown as EventRecord;
}

function toShipmentState(item: Record<string, unknown>): ShipmentState {
  const { last_event_key: _key, attempt_ids: attemptIds, ...state } = toStateFold(item);
  return { ...state, version: Number(item.version), attempt_count: attemptIds.length };
}

/** The state an item stores (the version counter aside). */
function toStateFold(item: Record<string, unknown>): StateFold {
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
  };
}

/** The attempt ids of a state item, sorted (lib-dynamodb reads a string set as a Set). */
function attemptIdsOf(item: Record<string, unknown>): string[] {
  const ids = item[ATTEMPT_IDS];
  return ids instanceof Set ? [...ids].map(String).sort() : [];
}

/** The blind update takes events that can neither end a shipment nor count as an attempt (see applyToState). */
function canApplyBlind(status: string): boolean {
  return !isTerminal(status) && status !== TrackingStatus.ATTEMPT_FAILED;
}

/** Code-unit order, which is DynamoDB's byte order for the ASCII keys used here. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** The item DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
function oldItem(error: unknown): Record<string, unknown> | undefined {
  // lib-dynamodb unmarshalls responses, not errors.
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  return item ? unmarshall(item) : undefined;
}

function positiveInteger(text: string | undefined): number | undefined {
  const value = text === undefined ? NaN : Number(text);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The repository over the function's table, shared by every invocation. */
export const repository = new TrackingRepository(dynamoDb, TrackingRepository.settingsFromEnvironment(process.env));
