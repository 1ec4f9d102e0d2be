import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { callOptions } from './deadline';
import type { TableAccess } from './table-access';

/**
 * Every item a query of the table matches, page after page (DynamoDB stops a page
 * at 1 MB). For the reads that need all of a shipment's items at once: the events
 * a status run is completed from, the items an erasure deletes.
 */
export async function queryAll(table: TableAccess, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const query = new QueryCommand({ ...input, TableName: table.settings.tableName, ExclusiveStartKey: startKey });
    const output = await table.client.send(query, callOptions());
    items.push(...output.Items ?? []);
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return items;
}
