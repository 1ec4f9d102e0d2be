import { BatchWriteCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { callOptions } from './deadline';
import { queryAll } from './query-all';
import type { TableAccess } from './table-access';
import { sendUntilProcessed } from './unprocessed';
import { isStateSortKey, shipmentPk, stateKey, TABLE_LAYOUT, type ItemKey } from '../../src/contract/table';
import { isConditionalCheckFailed, TransientError } from '../shared/aws-errors';

/**
 * Erasure: every item of a shipment — its events, its delivery record and, last,
 * its state item — so that nothing of it is left in the table or either index.
 * docs/data-model.md ("Erasure") says why in this order.
 */

/** BatchWriteItem's own limit on requests per call. */
const BATCH_WRITE_ITEMS = 25;
/**
 * Rounds of "list, delete the others, delete the state if it has not moved". A
 * round fails only when a write to the shipment landed between listing and
 * deleting its state; the next round deletes that write too.
 */
const MAX_ROUNDS = 4;

export interface Erasure {
  /**
   * Items this call deleted, the state item included; 0 when the shipment was
   * unknown. One short when the state's delete landed but its answer was lost:
   * the SDK's retry then finds it gone, as if another erasure had taken it.
   */
  readonly deletedItems: number;
}

/**
 * Deletes every item of a shipment. The state item goes last, and only if its
 * version is still the one listed: a tracking update that lands during the
 * erasure either moved the state before that delete (the round fails and the
 * next one lists and deletes its event too) or comes after it, as a new
 * shipment. Interrupted (a throttle, a timeout), it leaves some items behind
 * and throws; calling it again finishes the job.
 */
export async function eraseShipment(table: TableAccess, trackingId: string): Promise<Erasure> {
  let deletedItems = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const items = await listShipmentItems(table, trackingId);
    if (items.length === 0) return { deletedItems };
    const others = items.filter((item) => !isStateSortKey(String(item[TABLE_LAYOUT.sortKey])));
    await deleteItems(table, others.map(keyOf));
    deletedItems += others.length;
    const state = items.find((item) => isStateSortKey(String(item[TABLE_LAYOUT.sortKey])));
    if (!state) continue;
    try {
      await table.client.send(new DeleteCommand({
        TableName: table.settings.tableName,
        Key: stateKey(trackingId),
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': state.version },
      }), callOptions());
      deletedItems += 1;
      return { deletedItems };
    } catch (error) {
      // The state moved (a concurrent update) or is gone (a concurrent erasure): list again.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new TransientError(`${trackingId} kept changing while it was being erased`);
}

/** Every item of the shipment: keys, and the state's version (consistent, so a just-written event is seen). */
function listShipmentItems(table: TableAccess, trackingId: string): Promise<Record<string, unknown>[]> {
  return queryAll(table, {
    KeyConditionExpression: '#pk = :pk',
    ProjectionExpression: '#pk, #sk, #version',
    ExpressionAttributeNames: { '#pk': TABLE_LAYOUT.partitionKey, '#sk': TABLE_LAYOUT.sortKey, '#version': 'version' },
    ExpressionAttributeValues: { ':pk': shipmentPk(trackingId) },
    ConsistentRead: true,
  });
}

function keyOf(item: Record<string, unknown>): ItemKey {
  return { [TABLE_LAYOUT.partitionKey]: String(item[TABLE_LAYOUT.partitionKey]), [TABLE_LAYOUT.sortKey]: String(item[TABLE_LAYOUT.sortKey]) };
}

/** Unconditional deletes, 25 per call (BatchWriteItem's limit), with unprocessed ones sent again. */
async function deleteItems(table: TableAccess, keys: readonly ItemKey[]): Promise<void> {
  const { tableName } = table.settings;
  for (let from = 0; from < keys.length; from += BATCH_WRITE_ITEMS) {
    const requests = keys.slice(from, from + BATCH_WRITE_ITEMS).map((key): Record<string, unknown> => ({ DeleteRequest: { Key: key } }));
    await sendUntilProcessed(requests, async (pending) => {
      const output = await table.client.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }), callOptions());
      return output.UnprocessedItems?.[tableName] ?? [];
    }, 'deletes');
  }
}
