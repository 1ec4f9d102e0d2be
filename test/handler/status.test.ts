import './env';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { bodyOf, lambdaContext, statusEvent } from './events';
import { storedEvent } from './fixtures';
import { handler } from '../../lambda/tracking';

const ddb = mockClient(DynamoDBDocumentClient);
const ssm = mockClient(SSMClient);

const get = (query: Record<string, string>) => handler(statusEvent(query), lambdaContext);
const queryInputs = () => ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);

const STATE = {
  pk: 'TRACK#PKG-1',
  sk: 'STATE',
  tracking_id: 'PKG-1',
  status: 'delivered',
  location: { lat: 52.5, lng: 13.4 },
  updated_at: '2026-11-26T09:00:00.000Z',
  last_event_id: 'e3',
  last_event_key: '2026-11-26T09:00:00.000Z#e3',
  first_seen_at: '2026-11-25T08:00:00.000Z',
  delivered_at: '2026-11-26T09:00:00.000Z',
  version: 3,
  status_pk: 'STATUS#delivered#5',
  status_sk: '2026-11-26T09:00:00.000Z#PKG-1',
};

/** Events e3 (newest) … e1, as the history index returns them. */
const HISTORY = [
  storedEvent('PKG-1', 'e3', '2026-11-26T09:00:00.000Z', { status: 'delivered', sub_status: 'front door', metadata: { signed_by: 'K.' } }),
  storedEvent('PKG-1', 'e2', '2026-11-26T07:00:00.000Z', { status: 'out_for_delivery' }),
  storedEvent('PKG-1', 'e1', '2026-11-25T08:00:00.000Z', { status: 'in_transit' }),
];

/** A cursor as a client might forge it. */
const forgeCursor = (envelope: unknown) => Buffer.from(JSON.stringify(envelope)).toString('base64url');

beforeEach(() => {
  ddb.reset();
  ssm.reset();
  ddb.on(GetCommand).resolves({ Item: STATE });
  ddb.on(QueryCommand).resolves({ Items: HISTORY });
});

describe('GET /status returns the current state and the history', () => {
  test('answers 200 with current, updates newest first, count and no cursor on the last page', async () => {
    const result = await get({ tracking_id: 'PKG-1' });

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(bodyOf(result)).toEqual({
      tracking_id: 'PKG-1',
      current: {
        status: 'delivered',
        location: { lat: 52.5, lng: 13.4 },
        timestamp: '2026-11-26T09:00:00.000Z',
        event_id: 'e3',
        first_seen_at: '2026-11-25T08:00:00.000Z',
        updated_at: '2026-11-26T09:00:00.000Z',
        version: 3,
        delivered_at: '2026-11-26T09:00:00.000Z',
      },
      updates: [
        {
          event_id: 'e3',
          status: 'delivered',
          location: { lat: 1, lng: 2 },
          timestamp: '2026-11-26T09:00:00.000Z',
          metadata: { signed_by: 'K.' },
          sub_status: 'front door',
        },
        { event_id: 'e2', status: 'out_for_delivery', location: { lat: 1, lng: 2 }, timestamp: '2026-11-26T07:00:00.000Z' },
        { event_id: 'e1', status: 'in_transit', location: { lat: 1, lng: 2 }, timestamp: '2026-11-25T08:00:00.000Z' },
      ],
      count: 3,
      next_cursor: null,
    });
  });

  test('reads the state item and queries the history index newest first, both consistently', async () => {
    await get({ tracking_id: 'PKG-1' });

    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input)).toEqual([{
      TableName: 'tracking-test', Key: { pk: 'TRACK#PKG-1', sk: 'STATE' }, ConsistentRead: true,
    }]);
    expect(queryInputs()).toEqual([{
      TableName: 'tracking-test',
      IndexName: 'history',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': 'TRACK#PKG-1' },
      ScanIndexForward: false,
      // One more than the default limit of 10, to know whether another page exists.
      Limit: 11,
      ExclusiveStartKey: undefined,
      ConsistentRead: true,
    }]);
  });

  test('never returns DynamoDB keys or bookkeeping attributes', async () => {
    const text = (await get({ tracking_id: 'PKG-1' })).body;

    for (const attribute of ['pk', 'sk', 'history_sk', 'status_pk', 'status_sk', 'last_event_key', 'received_at']) {
      expect(text).not.toContain(`"${attribute}"`);
    }
  });
});

describe('GET /status pages with an opaque cursor', () => {
  test('returns a cursor when more events exist and resumes after the last returned event', async () => {
    ddb.on(QueryCommand).resolves({ Items: HISTORY });
    const first = bodyOf(await get({ tracking_id: 'PKG-1', limit: '2' }));

    expect(first.updates.map((update: { event_id: string }) => update.event_id)).toEqual(['e3', 'e2']);
    expect(first.count).toBe(2);
    expect(first.next_cursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));

    ddb.on(QueryCommand).resolves({ Items: HISTORY.slice(2) });
    const second = bodyOf(await get({ tracking_id: 'PKG-1', limit: '2', cursor: first.next_cursor }));

    expect(queryInputs()[1]).toMatchObject({
      Limit: 3,
      ExclusiveStartKey: { pk: 'TRACK#PKG-1', sk: 'EVENT#e2', history_sk: '2026-11-26T07:00:00.000Z#e2' },
    });
    expect(second.updates.map((update: { event_id: string }) => update.event_id)).toEqual(['e1']);
    expect(second.next_cursor).toBeNull();
  });

  test("passes on DynamoDB's own LastEvaluatedKey when a page stops early at 1 MB", async () => {
    const lastEvaluatedKey = { pk: 'TRACK#PKG-1', sk: 'EVENT#e1', history_sk: '2026-11-25T08:00:00.000Z#e1' };
    ddb.on(QueryCommand).resolves({ Items: HISTORY, LastEvaluatedKey: lastEvaluatedKey });
    const first = bodyOf(await get({ tracking_id: 'PKG-1', limit: '50' }));

    expect(first.count).toBe(3);
    await get({ tracking_id: 'PKG-1', cursor: first.next_cursor });
    expect(queryInputs()[1].ExclusiveStartKey).toEqual(lastEvaluatedKey);
  });
});

describe('GET /status for an unknown shipment', () => {
  test('answers 404 shipment not found', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    const result = await get({ tracking_id: 'NOPE-1' });

    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toEqual({ error: 'shipment not found' });
  });
});

describe('GET /status query validation', () => {
  test.each(['0', '101', 'ten', '5.5', '-1', ''])('rejects limit=%p with a 400 naming /limit', async (limit) => {
    const result = await get({ tracking_id: 'PKG-1', limit });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: 'invalid query parameters', details: [{ path: '/limit', message: 'must be an integer from 1 to 100' }] });
    expect(ddb.calls()).toHaveLength(0);
  });

  test('accepts limit=100', async () => {
    const result = await get({ tracking_id: 'PKG-1', limit: '100' });

    expect(result.statusCode).toBe(200);
    expect(queryInputs()[0].Limit).toBe(101);
  });

  test('names a missing tracking_id and a bad limit together', async () => {
    const result = await handler(statusEvent({ limit: '0' }), lambdaContext);

    expect(bodyOf(result).details).toEqual([
      { path: '/tracking_id', message: 'is required' },
      { path: '/limit', message: 'must be an integer from 1 to 100' },
    ]);
  });

  test('rejects a tracking_id outside the allowed characters', async () => {
    const result = await get({ tracking_id: 'PKG 1#STATE' });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).details).toEqual([{ path: '/tracking_id', message: expect.stringContaining('1-100 characters') }]);
  });

  test('answers 400 (no query at all) when API Gateway sends null query parameters', async () => {
    const event = statusEvent({});
    event.queryStringParameters = null;
    const result = await handler(event, lambdaContext);

    expect(result.statusCode).toBe(400);
  });
});

describe('GET /status refuses cursors it did not issue for this query', () => {
  const validKey = { pk: 'TRACK#PKG-1', sk: 'EVENT#e2', history_sk: '2026-11-26T07:00:00.000Z#e2' };

  test.each([
    ['not base64url', '!!!'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['JSON null', forgeCursor(null)],
    ['an unknown version', forgeCursor({ v: 2, t: 'PKG-1', k: validKey })],
    ['a key of another partition', forgeCursor({ v: 1, t: 'PKG-1', k: { ...validKey, pk: 'TRACK#PKG-2' } })],
    ['the state item as key', forgeCursor({ v: 1, t: 'PKG-1', k: { ...validKey, sk: 'STATE' } })],
    ['a history key of another event', forgeCursor({ v: 1, t: 'PKG-1', k: { ...validKey, history_sk: '2026-11-26T07:00:00.000Z#e9' } })],
    ['a malformed time in the history key', forgeCursor({ v: 1, t: 'PKG-1', k: { ...validKey, history_sk: 'yesterday#e2' } })],
    ['an extra key attribute', forgeCursor({ v: 1, t: 'PKG-1', k: { ...validKey, status_pk: 'x' } })],
    ['a numeric key attribute', forgeCursor({ v: 1, t: 'PKG-1', k: { ...validKey, sk: 7 } })],
    ['an oversized cursor', 'A'.repeat(5000)],
  ])('rejects a tampered cursor (%s) with a 400 naming /cursor', async (_case, cursor) => {
    const result = await get({ tracking_id: 'PKG-1', cursor });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: 'invalid query parameters', details: [{ path: '/cursor', message: 'is not a valid cursor' }] });
    expect(ddb.calls()).toHaveLength(0);
  });

  test("rejects another shipment's cursor with a 400 saying so", async () => {
    const otherShipment = bodyOf(await get({ tracking_id: 'PKG-1', limit: '1' })).next_cursor;
    ddb.resetHistory();
    const result = await get({ tracking_id: 'PKG-2', cursor: otherShipment });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).details).toEqual([{ path: '/cursor', message: 'belongs to another shipment' }]);
    expect(ddb.calls()).toHaveLength(0);
  });
});
