import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecordAttributes } from '../../../src/contract/analytics';
import { orderKey, TABLE_LAYOUT } from '../../../src/contract/table';
import { isConditionalCheckFailed } from '../../shared/aws-errors';

/** Where the delivery figures are read from and written to. */
export interface AnalyticsTable {
  readonly client: DynamoDBDocumentClient;
  /** Unset only in a misconfigured function: then counting fails and the record is dead-lettered. */
  readonly tableName: string | undefined;
  readonly historyIndexName: string | undefined;
}

/** Misconfiguration, not a transient failure: the function lacks TABLE_NAME or HISTORY_INDEX_NAME. */
export class AnalyticsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalyticsConfigError';
  }
}

/**
 * Events read per history page while looking for an ETA. Most shipments carry
 * their last ETA on one of their newest events, so a short page usually ends the
 * search, and a long history is not read (and paid for) whole; the search pages
 * on when the newest events have none.
 */
const ETA_PAGE_SIZE = 25;

/**
 * Event ids are visible ASCII (`[!-~]`, below DEL): `orderKey(time, DEL)` sorts
 * after every history key of an event at `time`, and before any later one.
 */
const AFTER_EVERY_EVENT_ID = '\u007f';

/**
 * The ETA of the newest event, by event_time, that carried one, among the events
 * up to the delivery (`deliveredAt` included): the promise the delivery is measured
 * against. Events after the delivery are left out, so the answer does not depend
 * on when the stream record is processed (or replayed). Undefined: no such event.
 *
 * The history index (`<event_time>#<event_id>`, projecting every attribute), newest
 * first, consistent (a local index allows it, and the delivered event was written
 * before the state item whose stream record brought us here), paged as needed.
 */
export async function lastEtaUpTo(table: AnalyticsTable, partitionKey: string, deliveredAt: string): Promise<string | undefined> {
  const tableName = requireSetting(table.tableName, 'TABLE_NAME');
  const indexName = requireSetting(table.historyIndexName, 'HISTORY_INDEX_NAME');
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await table.client.send(new QueryCommand({
      TableName: tableName,
      IndexName: indexName,
      KeyConditionExpression: '#pk = :pk AND #order < :after',
      FilterExpression: 'attribute_exists(#eta)',
      ProjectionExpression: '#eta',
      ExpressionAttributeNames: { '#pk': TABLE_LAYOUT.partitionKey, '#order': TABLE_LAYOUT.historySortKey, '#eta': 'eta' },
      ExpressionAttributeValues: { ':pk': partitionKey, ':after': orderKey(deliveredAt, AFTER_EVERY_EVENT_ID) },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: ETA_PAGE_SIZE,
      ExclusiveStartKey: startKey,
    }));
    const eta = output.Items?.[0]?.eta;
    if (typeof eta === 'string') return eta;
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}

/**
 * Writes the shipment's delivery record unless it has one: `recorded` when this
 * call wrote it, `already-recorded` when an earlier one did (a repeated stream
 * record, a replay, or a shipment delivered a second time). The condition is the
 * whole of "count once": only the writer that creates the item counts.
 */
export async function putDeliveryRecord(
  table: AnalyticsTable,
  partitionKey: string,
  attributes: DeliveryRecordAttributes,
): Promise<'recorded' | 'already-recorded'> {
  try {
    await table.client.send(new PutCommand({
      TableName: requireSetting(table.tableName, 'TABLE_NAME'),
      Item: { ...attributes, [TABLE_LAYOUT.partitionKey]: partitionKey, [TABLE_LAYOUT.sortKey]: TABLE_LAYOUT.deliveryRecordSortKey },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE_LAYOUT.partitionKey },
    }));
    return 'recorded';
  } catch (error) {
    if (isConditionalCheckFailed(error)) return 'already-recorded';
    throw error;
  }
}

/**
 * Removes the shipment's delivery record, if it has one: when its state item is
 * removed (an erasure, or retention), so that a record written after the erasure
 * listed the shipment's items — its delivery counted while the erasure ran — does
 * not outlive the shipment. Unconditional, so repeating it is harmless.
 */
export async function deleteDeliveryRecord(table: AnalyticsTable, partitionKey: string): Promise<void> {
  await table.client.send(new DeleteCommand({
    TableName: requireSetting(table.tableName, 'TABLE_NAME'),
    Key: { [TABLE_LAYOUT.partitionKey]: partitionKey, [TABLE_LAYOUT.sortKey]: TABLE_LAYOUT.deliveryRecordSortKey },
  }));
}

function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new AnalyticsConfigError(`${name} is not set`);
  return value;
}
