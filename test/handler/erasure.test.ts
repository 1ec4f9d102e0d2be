import './env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, QueryCommand,
  type BatchWriteCommandInput, type DeleteCommandInput, type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { apiEvent, bodyOf, lambdaContext } from './events';
import { conditionFailed, storedEvent } from './fixtures';
import { TransientError } from '../../lambda/shared/aws-errors';
import { metrics } from '../../lambda/shared/observability';
import { handler } from '../../lambda/tracking';
import { eraseShipment } from '../../lambda/tracking/erasure';
import type { TableAccess } from '../../lambda/tracking/table-access';

/**
 * Erasure (erasure.ts) and its route, DELETE /shipments/{tracking_id}
 * (delete-shipment.ts), against an in-memory partition that answers the Query,
 * BatchWriteItem and DeleteItem calls as DynamoDB does.
 */

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(SSMClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const TABLE = 'tracking-test';
const table: TableAccess = {
  client,
  settings: { tableName: TABLE, historyIndexName: 'history', statusIndexName: 'by-status', statusShards: 8, eventTtlSeconds: 0 },
};

/** A shipment's state item (keys and version are all erasure reads). */
const stateItemOf = (trackingId: string, version: number) => ({ pk: `TRACK#${trackingId}`, sk: 'STATE', tracking_id: trackingId, status: 'in_transit', version });
/** `count` stored events of PKG-1, e000 … */
const eventsOf = (trackingId: string, count: number) =>
  Array.from({ length: count }, (_, i) => storedEvent(trackingId, `e${String(i).padStart(3, '0')}`, '2026-11-26T09:00:00.000Z'));

/** Which of a BatchWriteItem call's requests DynamoDB leaves unprocessed. */
type Unprocessed = (requests: Array<Record<string, any>>) => Array<Record<string, any>>;

/**
 * The table, as far as erasure uses it: Query of one partition (sk order,
 * `pageSize` items per page, LastEvaluatedKey when more are left), BatchWriteItem
 * deletes, and DeleteItem with `#version = :version`. `beforeStateDelete` runs just
 * before a state delete is evaluated: a concurrent writer's moment.
 */
class FakePartitions {
  public readonly items = new Map<string, Record<string, unknown>>();
  public pageSize = 1000;
  public beforeStateDelete?: (call: number) => void;
  private stateDeletes = 0;

  constructor(items: Array<Record<string, unknown>>) {
    for (const item of items) this.add(item);
  }

  public add(item: Record<string, unknown>): void {
    this.items.set(`${item.pk}|${item.sk}`, item);
  }

  public skOf(trackingId: string): string[] {
    return [...this.items.values()].filter((item) => item.pk === `TRACK#${trackingId}`).map((item) => String(item.sk)).sort();
  }

  public query(input: QueryCommandInput): { Items: Array<Record<string, unknown>>; LastEvaluatedKey?: Record<string, unknown> } {
    const pk = (input.ExpressionAttributeValues as Record<string, string>)[':pk'];
    const start = input.ExclusiveStartKey?.sk as string | undefined;
    const matching = [...this.items.values()]
      .filter((item) => item.pk === pk && (start === undefined || String(item.sk) > start))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    const page = matching.slice(0, this.pageSize)
      .map((item) => ({ pk: item.pk, sk: item.sk, ...(item.version !== undefined ? { version: item.version } : {}) }));
    const last = page[page.length - 1];
    return { Items: page, LastEvaluatedKey: matching.length > page.length ? { pk: last.pk, sk: last.sk } : undefined };
  }

  public batchWrite(input: BatchWriteCommandInput, unprocessed: Unprocessed = () => []) {
    const requests = input.RequestItems![TABLE] as Array<Record<string, any>>;
    if (requests.length > 25) throw new Error('BatchWriteItem takes at most 25 requests');
    const left = unprocessed(requests);
    for (const request of requests) {
      if (left.includes(request)) continue;
      const key = request.DeleteRequest.Key;
      this.items.delete(`${key.pk}|${key.sk}`);
    }
    return { UnprocessedItems: left.length > 0 ? { [TABLE]: left } : {} };
  }

  public delete(input: DeleteCommandInput): Record<string, never> {
    this.beforeStateDelete?.(++this.stateDeletes);
    const key = input.Key as Record<string, string>;
    const id = `${key.pk}|${key.sk}`;
    const current = this.items.get(id);
    const expected = (input.ExpressionAttributeValues as Record<string, unknown>)[':version'];
    if (current === undefined || current.version !== expected) throw conditionFailed(current);
    this.items.delete(id);
    return {};
  }
}

let partitions: FakePartitions;

/** Serves every call from `partitions`; BatchWriteItem leaves out what `unprocessed` picks. */
function serve(items: Array<Record<string, unknown>>, unprocessed?: Unprocessed): FakePartitions {
  partitions = new FakePartitions(items);
  ddb.on(QueryCommand).callsFake((input) => partitions.query(input));
  ddb.on(BatchWriteCommand).callsFake((input) => partitions.batchWrite(input, unprocessed));
  ddb.on(DeleteCommand).callsFake((input) => partitions.delete(input));
  return partitions;
}

const batchSizes = () => ddb.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems![TABLE].length);

function deleteRequest(trackingId: string | undefined, method = 'DELETE') {
  const event = apiEvent({ method, resource: '/shipments/{tracking_id}', path: `/shipments/${trackingId ?? ''}` });
  event.pathParameters = trackingId === undefined ? null : { tracking_id: trackingId };
  return handler(event, lambdaContext);
}

beforeEach(() => {
  ddb.reset();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('erasure deletes every item of the shipment in batches of 25', () => {
  test('deletes 60 items other than the state in three BatchWriteItem calls of 25, 25 and 10', async () => {
    serve([...eventsOf('PKG-1', 59), { pk: 'TRACK#PKG-1', sk: 'DELIVERY' }, stateItemOf('PKG-1', 7)]);
    const erasure = await eraseShipment(table, 'PKG-1');

    expect(batchSizes()).toEqual([25, 25, 10]);
    expect(erasure).toEqual({ deletedItems: 61 });
    expect(partitions.skOf('PKG-1')).toEqual([]);
  });

  test('sends plain DeleteRequests of the listed keys, and never the state item in a batch', async () => {
    serve([...eventsOf('PKG-1', 2), { pk: 'TRACK#PKG-1', sk: 'DELIVERY' }, stateItemOf('PKG-1', 1)]);
    await eraseShipment(table, 'PKG-1');

    expect(ddb.commandCalls(BatchWriteCommand).map((call) => call.args[0].input)).toEqual([{
      RequestItems: {
        [TABLE]: ['DELIVERY', 'EVENT#e000', 'EVENT#e001'].map((sk) => ({ DeleteRequest: { Key: { pk: 'TRACK#PKG-1', sk } } })),
      },
    }]);
  });

  test('leaves the items of other shipments alone', async () => {
    serve([...eventsOf('PKG-1', 3), stateItemOf('PKG-1', 1), ...eventsOf('PKG-10', 2), stateItemOf('PKG-10', 1)]);
    await eraseShipment(table, 'PKG-1');

    expect(partitions.skOf('PKG-10')).toEqual(['EVENT#e000', 'EVENT#e001', 'STATE']);
  });
});

describe('erasure lists the shipment with a consistent query of its partition', () => {
  test('asks for keys and version only, consistently, so an event written just before is seen', async () => {
    serve([stateItemOf('PKG-1', 1)]);
    await eraseShipment(table, 'PKG-1');

    expect(ddb.commandCalls(QueryCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: '#pk = :pk',
      ProjectionExpression: '#pk, #sk, #version',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#version': 'version' },
      ExpressionAttributeValues: { ':pk': 'TRACK#PKG-1' },
      ConsistentRead: true,
    });
  });

  test('follows LastEvaluatedKey through every page of the listing', async () => {
    serve([...eventsOf('PKG-1', 30), stateItemOf('PKG-1', 4)]).pageSize = 12;
    const erasure = await eraseShipment(table, 'PKG-1');

    const starts = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input.ExclusiveStartKey);
    expect(starts).toEqual([undefined, { pk: 'TRACK#PKG-1', sk: 'EVENT#e011' }, { pk: 'TRACK#PKG-1', sk: 'EVENT#e023' }]);
    expect(erasure).toEqual({ deletedItems: 31 });
    expect(partitions.skOf('PKG-1')).toEqual([]);
  });
});

describe('erasure deletes the state last, conditional on the version it listed', () => {
  test('sends the state delete after every batch, on the listed version', async () => {
    serve([...eventsOf('PKG-1', 30), stateItemOf('PKG-1', 9)]);
    await eraseShipment(table, 'PKG-1');

    const calls = ddb.calls().map((call) => call.args[0].constructor.name);
    expect(calls).toEqual(['QueryCommand', 'BatchWriteCommand', 'BatchWriteCommand', 'DeleteCommand']);
    expect(ddb.commandCalls(DeleteCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'TRACK#PKG-1', sk: 'STATE' },
      ConditionExpression: '#version = :version',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': 9 },
    });
  });

  test('a tracking update landing between listing and the state delete fails the condition, and a second round erases its event too', async () => {
    serve([...eventsOf('PKG-1', 3), stateItemOf('PKG-1', 2)]).beforeStateDelete = (call) => {
      // The concurrent update: its event is stored, then the state moves on.
      if (call === 1) {
        partitions.add(storedEvent('PKG-1', 'late', '2026-11-26T09:30:00.000Z'));
        partitions.add(stateItemOf('PKG-1', 3));
      }
    };
    const erasure = await eraseShipment(table, 'PKG-1');

    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
    expect(ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.ExpressionAttributeValues)).toEqual([{ ':version': 2 }, { ':version': 3 }]);
    expect(ddb.commandCalls(BatchWriteCommand)[1].args[0].input.RequestItems![TABLE]).toEqual([
      { DeleteRequest: { Key: { pk: 'TRACK#PKG-1', sk: 'EVENT#late' } } },
    ]);
    expect(erasure).toEqual({ deletedItems: 5 });
    expect(partitions.skOf('PKG-1')).toEqual([]);
  });

  test('ends when a concurrent erasure deleted the state first, counting what this one deleted', async () => {
    serve([...eventsOf('PKG-1', 2), stateItemOf('PKG-1', 2)]).beforeStateDelete = () => partitions.items.delete('TRACK#PKG-1|STATE');
    const erasure = await eraseShipment(table, 'PKG-1');

    expect(erasure).toEqual({ deletedItems: 2 });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
  });

  test('gives up with a TransientError after 4 rounds of a state that keeps moving', async () => {
    let version = 2;
    serve([...eventsOf('PKG-1', 1), stateItemOf('PKG-1', version)]).beforeStateDelete = () => partitions.add(stateItemOf('PKG-1', ++version));
    const erasing = eraseShipment(table, 'PKG-1');

    await expect(erasing).rejects.toThrow(TransientError);
    await expect(erasing).rejects.toThrow('PKG-1 kept changing while it was being erased');
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(4);
  });

  test('rethrows any other failure of the state delete', async () => {
    serve([stateItemOf('PKG-1', 1)]);
    ddb.on(DeleteCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));

    await expect(eraseShipment(table, 'PKG-1')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(1);
  });

  test('erases a shipment that has events and no state item', async () => {
    serve(eventsOf('PKG-1', 3));
    const erasure = await eraseShipment(table, 'PKG-1');

    expect(erasure).toEqual({ deletedItems: 3 });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  test('deletes nothing of an unknown shipment', async () => {
    serve([]);
    const erasure = await eraseShipment(table, 'PKG-1');

    expect(erasure).toEqual({ deletedItems: 0 });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });
});

describe('erasure sends again the deletes DynamoDB left unprocessed', () => {
  beforeEach(() => {
    // The backoff's random half at its lowest: 25 ms, then 50 ms.
    jest.spyOn(Math, 'random').mockReturnValue(0);
  });

  test('resends only the unprocessed deletes, then deletes the state', async () => {
    let calls = 0;
    serve([...eventsOf('PKG-1', 4), stateItemOf('PKG-1', 1)], (requests) => (++calls === 1 ? requests.slice(2) : []));
    const erasure = await eraseShipment(table, 'PKG-1');

    const sent = ddb.commandCalls(BatchWriteCommand)
      .map((call) => call.args[0].input.RequestItems![TABLE].map((request: any) => request.DeleteRequest.Key.sk));
    expect(sent).toEqual([['EVENT#e000', 'EVENT#e001', 'EVENT#e002', 'EVENT#e003'], ['EVENT#e002', 'EVENT#e003']]);
    expect(erasure).toEqual({ deletedItems: 5 });
    expect(partitions.skOf('PKG-1')).toEqual([]);
  });

  test('gives up with a TransientError after 3 calls when some stay unprocessed, and leaves the state for the retry', async () => {
    serve([...eventsOf('PKG-1', 3), stateItemOf('PKG-1', 1)], (requests) => requests.slice(-1));
    const erasing = eraseShipment(table, 'PKG-1');

    await expect(erasing).rejects.toThrow(TransientError);
    await expect(erasing).rejects.toThrow('1 deletes stayed unprocessed after 3 calls');
    expect(batchSizes()).toEqual([3, 1, 1]);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(partitions.skOf('PKG-1')).toEqual(['EVENT#e002', 'STATE']);
  });

  test('through the route, deletes that stay unprocessed are answered 503 with Retry-After', async () => {
    serve([...eventsOf('PKG-1', 3), stateItemOf('PKG-1', 1)], (requests) => requests);
    const result = await deleteRequest('PKG-1');

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
  });
});

describe('DELETE /shipments/{tracking_id}', () => {
  test('answers 200 with the number of items deleted, the state included, and counts the erasure', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    serve([...eventsOf('PKG-1', 4), { pk: 'TRACK#PKG-1', sk: 'DELIVERY' }, stateItemOf('PKG-1', 3)]);
    const result = await deleteRequest('PKG-1');

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(bodyOf(result)).toEqual({ message: 'Shipment deleted', tracking_id: 'PKG-1', deleted_items: 6 });
    expect(addMetric).toHaveBeenCalledWith('ShipmentErased', 'Count', 1);
  });

  test('answers 404 for a shipment with nothing to delete, and again for a second DELETE', async () => {
    serve([...eventsOf('PKG-1', 1), stateItemOf('PKG-1', 1)]);
    expect((await deleteRequest('PKG-1')).statusCode).toBe(200);
    const second = await deleteRequest('PKG-1');

    expect(second.statusCode).toBe(404);
    expect(bodyOf(second)).toEqual({ error: 'shipment not found' });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(1);
  });

  test.each([
    ['a space', 'PKG 1'],
    ['101 characters', 'P'.repeat(101)],
    ['no characters', ''],
    ['a slash', 'PKG/1'],
  ])('answers 400 naming /tracking_id for an id with %s, without touching the table', async (_case, trackingId) => {
    serve([stateItemOf('PKG-1', 1)]);
    const result = await deleteRequest(trackingId);

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({
      error: 'invalid path parameters',
      details: [{ path: '/tracking_id', message: 'must be 1-100 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"' }],
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  test('answers 400 when the event has no path parameters at all', async () => {
    serve([]);
    const result = await deleteRequest(undefined);

    expect(result.statusCode).toBe(400);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('accepts every character a tracking id may hold', async () => {
    const trackingId = 'A-z_0.9:x';
    serve([stateItemOf(trackingId, 1)]);
    const result = await deleteRequest(trackingId);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ tracking_id: trackingId, deleted_items: 1 });
  });

  test.each(['GET', 'POST'])('answers %s with 405 and Allow: DELETE', async (method) => {
    const result = await deleteRequest('PKG-1', method);

    expect(result.statusCode).toBe(405);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json', 'Allow': 'DELETE' });
    expect(bodyOf(result)).toEqual({ error: 'method not allowed' });
  });

  test('answers 503 with Retry-After when the shipment keeps changing through every round', async () => {
    let version = 1;
    serve([stateItemOf('PKG-1', version)]).beforeStateDelete = () => partitions.add(stateItemOf('PKG-1', ++version));
    const result = await deleteRequest('PKG-1');

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
  });
});
