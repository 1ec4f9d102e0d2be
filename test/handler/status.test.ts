import './env';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { bodyOf, lambdaContext, statusEvent } from './events';
import { storedEvent } from './fixtures';
import { handler } from '../../lambda/tracking';
import { CursorCodec, cursorCodecFromEnvironment } from '../../lambda/tracking/cursor';

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

/** A cursor as a client might forge it, unsigned. */
const forgeCursor = (envelope: unknown) => Buffer.from(JSON.stringify(envelope)).toString('base64url');
/** Signs like the handler does without CURSOR_KEY (the development key): reaches the checks behind the signature. */
const handlerKey = cursorCodecFromEnvironment({});
const signed = (trackingId: string, key: unknown) => handlerKey.encode({ route: '/status', scope: trackingId }, key);

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
        attempt_count: 0,
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
  const invalidCursor = { error: 'invalid query parameters', details: [{ path: '/cursor', message: 'is not a valid cursor' }] };
  const issued = async () => bodyOf(await get({ tracking_id: 'PKG-1', limit: '2' })).next_cursor as string;
  /** `cursor` with the character at `index` replaced by another base64url character. */
  const alter = (cursor: string, index: number) => cursor.slice(0, index) + (cursor[index] === 'A' ? 'B' : 'A') + cursor.slice(index + 1);

  test('accepts the cursor it issued, also with another limit', async () => {
    const cursor = await issued();
    const result = await get({ tracking_id: 'PKG-1', limit: '50', cursor });

    expect(result.statusCode).toBe(200);
    expect(queryInputs()[1]).toMatchObject({ Limit: 51, ExclusiveStartKey: validKey });
  });

  test.each([
    ['its first character', 0],
    ['a character in the middle', 20],
    ['its last character (in the signature)', -1],
  ])('rejects an issued cursor with %s altered, with a 400 naming /cursor', async (_case, position) => {
    const cursor = await issued();
    ddb.resetHistory();
    const result = await get({ tracking_id: 'PKG-1', cursor: alter(cursor, position < 0 ? cursor.length + position : position) });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual(invalidCursor);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('rejects a truncated cursor', async () => {
    const cursor = await issued();
    const result = await get({ tracking_id: 'PKG-1', cursor: cursor.slice(0, -4) });

    expect(bodyOf(result)).toEqual(invalidCursor);
  });

  test('rejects a cursor signed with another key (another deployment)', async () => {
    const foreign = new CursorCodec('another-stack-id').encode({ route: '/status', scope: 'PKG-1' }, validKey);
    const result = await get({ tracking_id: 'PKG-1', cursor: foreign });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual(invalidCursor);
  });

  test('rejects a /shipments cursor with a 400 saying it belongs to another route', async () => {
    const shipmentsCursor = handlerKey.encode({ route: '/shipments', scope: 'PKG-1' }, validKey);
    const result = await get({ tracking_id: 'PKG-1', cursor: shipmentsCursor });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).details).toEqual([{ path: '/cursor', message: 'belongs to another route' }]);
  });

  test.each([
    ['not base64url', '!!!'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['an unsigned cursor in the old (v1) format', forgeCursor({ v: 1, t: 'PKG-1', k: validKey })],
    ['an unsigned cursor in the current format', forgeCursor({ v: 2, r: '/status', q: 'PKG-1', k: validKey })],
    ['an oversized cursor', 'A'.repeat(5000)],
  ])('rejects a forged cursor (%s) with a 400 naming /cursor', async (_case, cursor) => {
    const result = await get({ tracking_id: 'PKG-1', cursor });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual(invalidCursor);
    expect(ddb.calls()).toHaveLength(0);
  });

  // Behind the signature, the key's shape is still checked (defense in depth).
  test.each([
    ['JSON null', null],
    ['a key of another partition', { ...validKey, pk: 'TRACK#PKG-2' }],
    ['the state item as key', { ...validKey, sk: 'STATE' }],
    ['a history key of another event', { ...validKey, history_sk: '2026-11-26T07:00:00.000Z#e9' }],
    ['a malformed time in the history key', { ...validKey, history_sk: 'yesterday#e2' }],
    ['an extra key attribute', { ...validKey, status_pk: 'x' }],
    ['a numeric key attribute', { ...validKey, sk: 7 }],
  ])('rejects a correctly signed cursor whose key is not a history key of the shipment (%s)', async (_case, key) => {
    const result = await get({ tracking_id: 'PKG-1', cursor: signed('PKG-1', key) });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual(invalidCursor);
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

describe('GET /status returns the milestones', () => {
  test('answers out_for_delivery_at and attempt_count from the state item', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...STATE, status: 'attempt_failed', delivered_at: undefined, out_for_delivery_at: '2026-11-26T07:00:00.000Z', attempt_ids: new Set(['a1', 'a2']) } });
    const { current } = bodyOf(await get({ tracking_id: 'PKG-1' }));

    expect(current).toMatchObject({ status: 'attempt_failed', out_for_delivery_at: '2026-11-26T07:00:00.000Z', attempt_count: 2 });
    expect(current).not.toHaveProperty('delivered_at');
  });
});
