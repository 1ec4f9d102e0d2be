import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamoDb } from './clients';
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
 */

const PK = TABLE_LAYOUT.partitionKey;
const SK = TABLE_LAYOUT.sortKey;
const HISTORY_SK = TABLE_LAYOUT.historySortKey;
const STATUS_PK = TABLE_LAYOUT.statusPartitionKey;
const STATUS_SK = TABLE_LAYOUT.statusSortKey;
const TTL = TABLE_LAYOUT.ttlAttribute;

const STATE_SK = 'STATE';
const shipmentPk = (trackingId: string) => `TRACK#${trackingId}`;
const eventSk = (eventId: string) => `EVENT#${eventId}`;
const historySk = (eventTime: string, eventId: string) => `${eventTime}#${eventId}`;
const statusPk = (status: string, shard: number) => `STATUS#${status}#${shard}`;
const statusSk = (updatedAt: string, trackingId: string) => `${updatedAt}#${trackingId}`;

const EVENT_SK_SHAPE = /^EVENT#([!-~]{1,128})$/;
const ISO_MILLIS_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

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
  readonly delivered_at?: string;
}

/** The exclusive start key of a history page (a LastEvaluatedKey of the history index). */
export type HistoryPageKey = Record<string, string>;

/** How applying an event moved the state item. */
export type StateChange = 'advanced' | 'older' | 'already-applied';

export interface TrackingRepositorySettings {
  readonly tableName: string;
  readonly historyIndexName: string;
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
      }));
      return { event, duplicate: false };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = oldItem(error) ?? await this.getEvent(event.tracking_id, event.event_id);
      return { event: stored ? toEventRecord(stored) : event, duplicate: true };
    }
  }

  /**
   * Moves the state item to `event` when it is newer than the event the state
   * reflects (ordered by event_time, then event_id). Conditional, so applying the
   * same event twice — a retry repairing a half-done request — changes nothing,
   * and an older event only lowers `first_seen_at` when it is earlier.
   */
  public async applyToState(event: EventRecord): Promise<StateChange> {
    const key = historySk(event.event_time, event.event_id);
    const delivered = event.status === TrackingStatus.DELIVERED;
    const names: Record<string, string> = {
      '#pk': PK,
      '#tracking_id': 'tracking_id',
      '#status': 'status',
      '#location': 'location',
      '#updated_at': 'updated_at',
      '#last_event_id': 'last_event_id',
      '#last_event_key': 'last_event_key',
      '#status_pk': STATUS_PK,
      '#status_sk': STATUS_SK,
      '#first_seen_at': 'first_seen_at',
      '#version': 'version',
    };
    const sets = [
      '#tracking_id = :tracking_id', '#status = :status', '#location = :location', '#updated_at = :event_time',
      '#last_event_id = :event_id', '#last_event_key = :key', '#status_pk = :status_pk', '#status_sk = :status_sk',
      '#first_seen_at = if_not_exists(#first_seen_at, :event_time)',
    ];
    if (delivered) {
      names['#delivered_at'] = 'delivered_at';
      sets.push('#delivered_at = if_not_exists(#delivered_at, :event_time)');
    }
    try {
      await this.client.send(new UpdateCommand({
        TableName: this.settings.tableName,
        Key: this.stateKey(event.tracking_id),
        UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
        ConditionExpression: 'attribute_not_exists(#pk) OR #last_event_key < :key',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':tracking_id': event.tracking_id,
          ':status': event.status,
          ':location': event.location,
          ':event_time': event.event_time,
          ':event_id': event.event_id,
          ':key': key,
          ':status_pk': statusPk(event.status, this.shardOf(event.tracking_id)),
          ':status_sk': statusSk(event.event_time, event.tracking_id),
          ':one': 1,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return 'advanced';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = oldItem(error);
      if (current?.last_event_key === key) return 'already-applied';
      if (current === undefined || current.first_seen_at === undefined || String(current.first_seen_at) > event.event_time) {
        await this.lowerFirstSeen(event);
      }
      return 'older';
    }
  }

  /** The state item, or undefined for an unknown shipment. */
  public async getState(trackingId: string): Promise<ShipmentState | undefined> {
    const output = await this.client.send(new GetCommand({
      TableName: this.settings.tableName,
      Key: this.stateKey(trackingId),
      // Read-your-write after POST /track; state items are small, so this costs little.
      ConsistentRead: true,
    }));
    return output.Item ? toShipmentState(output.Item) : undefined;
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
    }));
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
    }));
    return output.Item;
  }

  private async lowerFirstSeen(event: EventRecord): Promise<void> {
    try {
      await this.client.send(new UpdateCommand({
        TableName: this.settings.tableName,
        Key: this.stateKey(event.tracking_id),
        UpdateExpression: 'SET #first_seen_at = :event_time',
        ConditionExpression: '#first_seen_at > :event_time',
        ExpressionAttributeNames: { '#first_seen_at': 'first_seen_at' },
        ExpressionAttributeValues: { ':event_time': event.event_time },
      }));
    } catch (error) {
      // Already as early (or earlier): nothing to do.
      if (!isConditionalCheckFailed(error)) throw error;
    }
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
  return {
    tracking_id: String(item.tracking_id),
    status: String(item.status),
    location: item.location as Location,
    updated_at: String(item.updated_at),
    last_event_id: String(item.last_event_id),
    first_seen_at: String(item.first_seen_at),
    version: Number(item.version),
    ...(item.delivered_at !== undefined ? { delivered_at: String(item.delivered_at) } : {}),
  };
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
