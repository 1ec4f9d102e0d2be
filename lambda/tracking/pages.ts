import { BatchGetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { callOptions } from './deadline';
import { historyKeyOf, toEventRecord, toShipmentState, type EventRecord, type ShipmentState } from './items';
import type { TableAccess, TrackingRepositorySettings } from './table-access';
import { sendUntilProcessed } from './unprocessed';
import {
  compareKeys, isHistorySortKeyOf, shipmentPk, statusPk, statusShardOf, statusSkAfter, statusSkBefore, TABLE_LAYOUT, trackingIdOfStatusSortKey,
  type ItemKey,
} from '../../src/contract/table';

/**
 * The paged reads: a shipment's history from the history index, and the shipments
 * of a status from the sharded status index (one query per shard, merged), with
 * the checks a decoded cursor's position must pass. docs/data-model.md ("Reads") and
 * docs/decisions/0009-sharded-status-index.md explain the shards.
 */

/** The exclusive start key of a history page (a LastEvaluatedKey of the history index). */
export type HistoryPageKey = ItemKey;

/**
 * Where the next page of the status index continues on one shard: after this
 * sort key, from the newest item (`''`), or nowhere — the shard is exhausted (`null`).
 */
export type StatusShardPosition = string | null;

/** One page of a shipment's events, newest first by event_time (ties by event_id). */
export async function listHistory(table: TableAccess, trackingId: string, limit: number, startKey?: HistoryPageKey): Promise<{
  readonly events: EventRecord[];
  readonly nextKey?: HistoryPageKey;
}> {
  // One item more than asked tells whether another page exists, so the last page
  // carries no cursor (DynamoDB's own LastEvaluatedKey would point at an empty page).
  const output = await table.client.send(new QueryCommand({
    TableName: table.settings.tableName,
    IndexName: table.settings.historyIndexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE_LAYOUT.partitionKey },
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
 * When the listed shipments took their status: strictly before `before` and
 * strictly after `after` (UTC ISO with ms), either optional.
 */
export interface StatusSinceRange {
  readonly before?: string;
  readonly after?: string;
}

/** A page of a status listing. */
export interface StatusPage {
  readonly shipments: ShipmentState[];
  /** Where the next page continues; undefined when every shard is exhausted. */
  readonly nextPositions?: StatusShardPosition[];
}

/**
 * One page of the shipments whose current status is `status`, those that took it
 * most recently first, from the sparse status index and their state items —
 * optionally only those that took it within `range`.
 *
 * A status is spread over N shards, so the page fans out over every shard that
 * is not exhausted, in parallel, and merges the answers by sort key
 * (`<status_since>#<tracking_id>`, newest first). Each shard's position advances
 * only past the entries this page took; entries read from a shard but not
 * taken are read again next time. The index holds keys only (so that a scan
 * that leaves the status as it is writes nothing to it): the page's states are
 * read from the table in one BatchGetItem.
 *
 * The index is eventually consistent (a GSI offers no consistent reads): a
 * shipment whose status changes between two pages can be listed twice (under
 * a newer sort key) or not at all (it left the status, or moved behind a
 * position already passed). An entry whose state has moved to another status
 * by the time it is read is left out, so a page can hold fewer than `limit`
 * shipments and still have a next one. That is the nature of a live listing,
 * not a bug.
 */
export async function listByStatus(
  table: TableAccess,
  status: string,
  limit: number,
  positions?: readonly StatusShardPosition[],
  range: StatusSinceRange = {},
): Promise<StatusPage> {
  const { statusSortKey } = TABLE_LAYOUT;
  const start = positions ?? Array.from({ length: table.settings.statusShards }, (): StatusShardPosition => '');
  const shards = await Promise.all(start.map(async (position, shard) => {
    if (position === null) return { items: [], more: false };
    const before = range.before !== undefined ? statusSkBefore(range.before) : undefined;
    const below = position === '' ? before : lowest(position, before);
    const above = range.after !== undefined ? statusSkAfter(range.after) : undefined;
    // An empty range (DynamoDB refuses a BETWEEN whose ends are the wrong way round).
    if (below !== undefined && above !== undefined && compareKeys(above, below) >= 0) return { items: [], more: false };
    const output = await table.client.send(new QueryCommand({
      ...statusShardQuery(table.settings, status, shard, { below, above }),
      ScanIndexForward: false,
      // One more than a page: a shard that answers with fewer and no LastEvaluatedKey
      // is known to be exhausted, so the last page carries no cursor to an empty one.
      // One more again for the position itself, which a BETWEEN includes.
      Limit: limit + 2,
    }), callOptions());
    const items = (output.Items ?? []).filter((item) => item[statusSortKey] !== position);
    return { items, more: output.LastEvaluatedKey !== undefined };
  }));

  const page = shards
    .flatMap(({ items }, shard) => items.map((item) => ({ shard, sortKey: String(item[statusSortKey]), item })))
    .sort((a, b) => compareKeys(b.sortKey, a.sortKey))
    .slice(0, limit);
  const states = await readStates(table, page.map((entry) => String(entry.item[TABLE_LAYOUT.partitionKey])));

  const next = [...start];
  shards.forEach(({ items, more }, shard) => {
    if (start[shard] === null) return;
    const returned = page.filter((entry) => entry.shard === shard);
    if (!more && returned.length === items.length) next[shard] = null;
    else if (returned.length > 0) next[shard] = returned[returned.length - 1].sortKey;
  });
  return {
    shipments: page.flatMap((entry) => {
      const item = states.get(String(entry.item[TABLE_LAYOUT.partitionKey]));
      return item && item.status === status ? [toShipmentState(item)] : [];
    }),
    nextPositions: next.every((position) => position === null) ? undefined : next,
  };
}

/** The lower of two exclusive upper bounds. */
function lowest(position: string, before: string | undefined): string {
  return before !== undefined && compareKeys(before, position) < 0 ? before : position;
}

/**
 * The key condition of a query of one status shard, between two exclusive
 * `status_sk` bounds, either optional. With both it is a BETWEEN, which includes
 * its ends: callers drop an entry equal to a bound that can be a stored key (a
 * page position); `statusSkBefore`/`statusSkAfter` bounds never are.
 */
export function statusShardQuery(
  settings: TrackingRepositorySettings,
  status: string,
  shard: number,
  bounds: { readonly below?: string; readonly above?: string },
): Pick<QueryCommandInput, 'TableName' | 'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const { below, above } = bounds;
  let condition = '#pk = :pk';
  if (below !== undefined && above !== undefined) condition += ' AND #sk BETWEEN :above AND :below';
  else if (below !== undefined) condition += ' AND #sk < :below';
  else if (above !== undefined) condition += ' AND #sk > :above';
  // DynamoDB refuses unused names and values.
  const values: Record<string, string> = { ':pk': statusPk(status, shard) };
  if (below !== undefined) values[':below'] = below;
  if (above !== undefined) values[':above'] = above;
  return {
    TableName: settings.tableName,
    IndexName: settings.statusIndexName,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: {
      '#pk': TABLE_LAYOUT.statusPartitionKey,
      ...(below !== undefined || above !== undefined ? { '#sk': TABLE_LAYOUT.statusSortKey } : {}),
    },
    ExpressionAttributeValues: values,
  };
}

/** BatchGetItem's own limit on keys per call; a page is at most 100 (page-limit.ts). */
const BATCH_GET_KEYS = 100;

/**
 * The state items of these shipments by partition key: eventually consistent, like
 * the index they were listed from, unless `consistent` (a decision that writes).
 */
export async function readStates(
  table: TableAccess,
  partitionKeys: readonly string[],
  consistent = false,
): Promise<Map<string, Record<string, unknown>>> {
  const states = new Map<string, Record<string, unknown>>();
  const { tableName } = table.settings;
  const { partitionKey, sortKey, stateSortKey } = TABLE_LAYOUT;
  for (let from = 0; from < partitionKeys.length; from += BATCH_GET_KEYS) {
    const keys = partitionKeys.slice(from, from + BATCH_GET_KEYS)
      .map((pk): Record<string, unknown> => ({ [partitionKey]: pk, [sortKey]: stateSortKey }));
    await sendUntilProcessed(keys, async (pending) => {
      const request = { Keys: [...pending], ...(consistent ? { ConsistentRead: true } : {}) };
      const output = await table.client.send(new BatchGetCommand({ RequestItems: { [tableName]: request } }), callOptions());
      for (const item of output.Responses?.[tableName] ?? []) states.set(String(item[partitionKey]), item);
      return output.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }, 'state items');
  }
  return states;
}

/**
 * Whether `positions` has the shape of status-index positions (cursor
 * validation): one per shard, each '', null or a sort key whose tracking id
 * belongs to that shard, and not all exhausted.
 */
export function isStatusPagePositions(settings: TrackingRepositorySettings, positions: unknown): positions is StatusShardPosition[] {
  if (!Array.isArray(positions) || positions.length !== settings.statusShards) return false;
  if (positions.every((position) => position === null)) return false;
  return positions.every((position: unknown, shard) => {
    if (position === null || position === '') return true;
    if (typeof position !== 'string') return false;
    const trackingId = trackingIdOfStatusSortKey(position);
    return trackingId !== undefined && statusShardOf(trackingId, settings.statusShards) === shard;
  });
}

/** Whether `key` has the shape of a history page key of this shipment (cursor validation). */
export function isHistoryPageKey(trackingId: string, key: unknown): key is HistoryPageKey {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return false;
  const entries = key as Record<string, unknown>;
  if (Object.keys(entries).length !== 3) return false;
  const pk = entries[TABLE_LAYOUT.partitionKey];
  const sk = entries[TABLE_LAYOUT.sortKey];
  const hsk = entries[TABLE_LAYOUT.historySortKey];
  if (pk !== shipmentPk(trackingId) || typeof sk !== 'string' || typeof hsk !== 'string') return false;
  return isHistorySortKeyOf(sk, hsk);
}
