import type { BatchGetCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { fnv1a32 } from '../../src/contract/table';

/**
 * The by-status index and the table's state items, as the listing sees them,
 * for tests that answer Query and BatchGetItem with aws-sdk-client-mock.
 */

export const SHARDS = 8;
export const shardOf = (trackingId: string): number => fnv1a32(trackingId) % SHARDS;

/** A state item as the handler writes it, with its status-index keys (status_since = updatedAt). */
export function stateItem(trackingId: string, status: string, updatedAt: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: `TRACK#${trackingId}`,
    sk: 'STATE',
    tracking_id: trackingId,
    status,
    location: { lat: 1, lng: 2 },
    updated_at: updatedAt,
    last_event_id: `${trackingId}-last`,
    last_event_key: `${updatedAt}#${trackingId}-last`,
    first_seen_at: '2026-11-20T00:00:00.000Z',
    version: 2,
    status_pk: `STATUS#${status}#${shardOf(trackingId)}`,
    status_sk: `${updatedAt}#${trackingId}`,
    ...extra,
  };
}

/**
 * Whether `sortKey` satisfies the sort-key part of a key condition, as DynamoDB
 * evaluates it: `<`, `>` (exclusive) or `BETWEEN` (inclusive at both ends). Any
 * other shape throws, so a condition this fake does not know cannot pass unseen.
 */
function sortKeyMatches(condition: string, values: Record<string, string>, sortKey: string): boolean {
  const rest = condition.replace(/^#pk = :pk/, '');
  if (rest === '') return true;
  const between = /^ AND #sk BETWEEN (:\w+) AND (:\w+)$/.exec(rest);
  if (between) return sortKey >= values[between[1]] && sortKey <= values[between[2]];
  const comparison = /^ AND #sk ([<>]) (:\w+)$/.exec(rest);
  if (!comparison) throw new Error(`the fake status index does not know the key condition ${condition}`);
  return comparison[1] === '<' ? sortKey < values[comparison[2]] : sortKey > values[comparison[2]];
}

/**
 * The by-status index over `items`, answering Query as DynamoDB does: one
 * partition, the sort-key condition, newest first unless ScanIndexForward,
 * after ExclusiveStartKey, Limit, LastEvaluatedKey when it stopped at the limit
 * (or after `stopAfter` items, as at the 1 MB page size), keys and stalled_sk
 * only (what the index projects).
 */
export function statusIndex(items: Array<Record<string, unknown>>, options: { stopAfter?: number } = {}) {
  return (input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues as Record<string, string>;
    const forward = input.ScanIndexForward !== false;
    const start = input.ExclusiveStartKey?.status_sk as string | undefined;
    const matching = items
      .filter((item) => item.status_pk === values[':pk'] && sortKeyMatches(input.KeyConditionExpression!, values, String(item.status_sk)))
      .filter((item) => start === undefined || (forward ? String(item.status_sk) > start : String(item.status_sk) < start))
      .sort((a, b) => (forward ? 1 : -1) * String(a.status_sk).localeCompare(String(b.status_sk)));
    const limit = Math.min(input.Limit ?? Infinity, options.stopAfter ?? Infinity);
    const page = matching.slice(0, limit).map(indexEntry);
    const last = page[page.length - 1];
    const stopped = page.length === input.Limit || page.length < matching.length;
    const lastKey = last && { pk: last.pk, sk: last.sk, status_pk: last.status_pk, status_sk: last.status_sk };
    return { Items: page, LastEvaluatedKey: stopped ? lastKey : undefined };
  };
}

/** An index entry: the table's keys, the index's, and stalled_sk (projected so the sweep need not read states). */
const indexEntry = (item: Record<string, unknown>): Record<string, unknown> => ({
  pk: item.pk,
  sk: item.sk,
  status_pk: item.status_pk,
  status_sk: item.status_sk,
  ...(item.stalled_sk !== undefined ? { stalled_sk: item.stalled_sk } : {}),
});

/** The table's BatchGetItem over `items` (the states the listed entries name). */
export function stateTable(items: Array<Record<string, unknown>>) {
  return (input: BatchGetCommandInput) => {
    const [[tableName, request]] = Object.entries(input.RequestItems!);
    const found = request.Keys!.map((key) => items.find((item) => item.pk === key.pk && item.sk === key.sk)).filter((item) => item !== undefined);
    return { Responses: { [tableName]: found }, UnprocessedKeys: {} };
  };
}

/** The `n`th tracking id (PKG-…) that hashes to `shard`. */
export function idOnShard(shard: number, n: number): string {
  let found = -1;
  for (let i = 0; ; i++) {
    if (shardOf(`PKG-${i}`) === shard && ++found === n) return `PKG-${i}`;
  }
}
