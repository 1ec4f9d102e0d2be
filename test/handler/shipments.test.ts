import './env';
import { SSMClient } from '@aws-sdk/client-ssm';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { apiEvent, bodyOf, lambdaContext } from './events';
import { idOnShard, SHARDS, shardOf, stateItem, stateTable, statusIndex } from './status-index';
import { handler } from '../../lambda/tracking';
import { CursorCodec, cursorCodecFromEnvironment } from '../../lambda/tracking/cursor';

const ddb = mockClient(DynamoDBDocumentClient);
const ssm = mockClient(SSMClient);

const get = (query: Record<string, string>) => handler(apiEvent({ method: 'GET', resource: '/shipments', query }), lambdaContext);
const queryInputs = () => ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
const ids = (body: { shipments: Array<{ tracking_id: string }> }) => body.shipments.map((shipment) => shipment.tracking_id);

/** `count` in_transit shipments, updated one minute apart (PKG-0 oldest). */
const manyShipments = (count: number) =>
  Array.from({ length: count }, (_, i) => stateItem(`PKG-${i}`, 'in_transit', new Date(Date.UTC(2026, 10, 26, 8, i)).toISOString()));

/** Newest first by status_sk: the order the API must answer. */
const newestFirst = (items: Array<Record<string, unknown>>) =>
  [...items].sort((a, b) => String(b.status_sk).localeCompare(String(a.status_sk))).map((item) => item.tracking_id);

/** The index and the table both hold `items`. */
function serveShipments(items: Array<Record<string, unknown>>, options: { stopAfter?: number } = {}): void {
  ddb.on(QueryCommand).callsFake(statusIndex(items, options));
  ddb.on(BatchGetCommand).callsFake(stateTable(items));
}

/** Every page of `query`, following next_cursor. */
async function allPages(query: Record<string, string>): Promise<Array<{ shipments: Array<{ tracking_id: string }>; next_cursor: string | null }>> {
  const pages = [];
  let cursor: string | null = null;
  do {
    const result = await get(cursor ? { ...query, cursor } : query);
    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    pages.push(body);
    cursor = body.next_cursor;
  } while (cursor !== null && pages.length < 50);
  return pages;
}

const handlerKey = cursorCodecFromEnvironment({});
const signedPositions = (positions: unknown, status = 'in_transit') => handlerKey.encode({ route: '/shipments', scope: status }, positions);

beforeEach(() => {
  ddb.reset();
  ssm.reset();
  serveShipments(manyShipments(5));
});

describe('GET /shipments fans out over the status index shards', () => {
  test('queries each of the 8 shards of the status, newest first, without consistent reads (a GSI has none)', async () => {
    await get({ status: 'in_transit', limit: '3' });

    const inputs = queryInputs();
    expect(inputs).toHaveLength(SHARDS);
    expect(inputs.map((input) => input.ExpressionAttributeValues![':pk']).sort()).toEqual(
      Array.from({ length: SHARDS }, (_, shard) => `STATUS#in_transit#${shard}`),
    );
    for (const input of inputs) {
      expect(input).toEqual({
        TableName: 'tracking-test',
        IndexName: 'by-status',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'status_pk' },
        ExpressionAttributeValues: { ':pk': expect.stringMatching(/^STATUS#in_transit#[0-7]$/) },
        ScanIndexForward: false,
        // One more than the page, to know whether the shard has more, and one for a
        // position a BETWEEN would include.
        Limit: 5,
      });
    }
  });

  test('merges the shards by status_sk, newest first (the shipment that took its status last), and answers the state of each', async () => {
    const items = [
      ...manyShipments(6),
      stateItem('OFD-1', 'out_for_delivery', '2026-11-26T09:30:00.000Z'),
    ];
    serveShipments(items);
    const result = await get({ status: 'in_transit' });

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    const body = bodyOf(result);
    expect(new Set(manyShipments(6).map((item) => shardOf(String(item.tracking_id)))).size).toBeGreaterThan(1);
    expect(ids(body)).toEqual(['PKG-5', 'PKG-4', 'PKG-3', 'PKG-2', 'PKG-1', 'PKG-0']);
    expect(body.status).toBe('in_transit');
    expect(body.next_cursor).toBeNull();
    expect(body.shipments[0]).toEqual({
      tracking_id: 'PKG-5',
      status: 'in_transit',
      location: { lat: 1, lng: 2 },
      timestamp: '2026-11-26T08:05:00.000Z',
      event_id: 'PKG-5-last',
      first_seen_at: '2026-11-20T00:00:00.000Z',
      updated_at: '2026-11-26T08:05:00.000Z',
      version: 2,
      attempt_count: 0,
    });
  });

  test('answers the same shape as GET /status current, milestones included, and no keys', async () => {
    serveShipments([
      stateItem('PKG-9', 'attempt_failed', '2026-11-26T09:00:00.000Z', { out_for_delivery_at: '2026-11-26T07:00:00.000Z', attempt_ids: new Set(['a1']) }),
    ]);
    const result = await get({ status: 'attempt_failed' });

    expect(bodyOf(result).shipments).toEqual([expect.objectContaining({ out_for_delivery_at: '2026-11-26T07:00:00.000Z', attempt_count: 1 })]);
    for (const attribute of ['pk', 'sk', 'status_pk', 'status_sk', 'last_event_key']) {
      expect(result.body).not.toContain(`"${attribute}"`);
    }
  });

  test('answers an empty list and no cursor when no shipment has the status', async () => {
    const body = bodyOf(await get({ status: 'returned' }));

    expect(body).toEqual({ status: 'returned', shipments: [], next_cursor: null });
  });

  test('maps the alias failed to exception', async () => {
    serveShipments([stateItem('PKG-X', 'exception', '2026-11-26T09:00:00.000Z')]);
    const body = bodyOf(await get({ status: 'failed' }));

    expect(body.status).toBe('exception');
    expect(ids(body)).toEqual(['PKG-X']);
    expect(queryInputs()[0].ExpressionAttributeValues![':pk']).toMatch(/^STATUS#exception#/);
  });
});

describe('GET /shipments limits the page', () => {
  test('answers 10 shipments by default', async () => {
    serveShipments(manyShipments(25));
    const body = bodyOf(await get({ status: 'in_transit' }));

    expect(body.shipments).toHaveLength(10);
    expect(ids(body)).toEqual(newestFirst(manyShipments(25)).slice(0, 10));
    expect(body.next_cursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
  });

  test.each(['1', '7', '100'])('answers at most limit=%s shipments', async (limit) => {
    serveShipments(manyShipments(30));
    const body = bodyOf(await get({ status: 'in_transit', limit }));

    expect(body.shipments).toHaveLength(Math.min(Number(limit), 30));
    expect(queryInputs()[0].Limit).toBe(Number(limit) + 2);
  });
});

describe('GET /shipments pages with a cursor', () => {
  test('pages through every shipment exactly once, newest first, the last page without a cursor', async () => {
    const items = manyShipments(23);
    serveShipments(items);
    const pages = await allPages({ status: 'in_transit', limit: '5' });

    expect(pages.map((page) => page.shipments.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flatMap(ids)).toEqual(newestFirst(items));
    expect(pages[pages.length - 1].next_cursor).toBeNull();
  });

  test('continues each shard after the last shipment it returned, re-reads the rest, and skips exhausted shards', async () => {
    // Shard 0 holds the three newest, shard 1 one older shipment; shards 2-7 are empty.
    const [a, b, c] = [0, 1, 2].map((n) => idOnShard(0, n));
    const d = idOnShard(1, 0);
    const items = [
      stateItem(a, 'in_transit', '2026-11-26T09:03:00.000Z'),
      stateItem(b, 'in_transit', '2026-11-26T09:02:00.000Z'),
      stateItem(c, 'in_transit', '2026-11-26T09:01:00.000Z'),
      stateItem(d, 'in_transit', '2026-11-26T08:00:00.000Z'),
    ];
    serveShipments(items);
    const first = bodyOf(await get({ status: 'in_transit', limit: '2' }));
    ddb.resetHistory();
    const second = bodyOf(await get({ status: 'in_transit', limit: '2', cursor: first.next_cursor }));

    expect(ids(first)).toEqual([a, b]);
    expect(ids(second)).toEqual([c, d]);
    expect(second.next_cursor).toBeNull();
    // Shard 0 after b; shard 1 from its newest again (d was read, not returned); shards 2-7 answered empty: not asked again.
    expect(queryInputs()).toEqual(expect.arrayContaining([
      expect.objectContaining({
        KeyConditionExpression: '#pk = :pk AND #sk < :below',
        ExpressionAttributeNames: { '#pk': 'status_pk', '#sk': 'status_sk' },
        ExpressionAttributeValues: { ':pk': 'STATUS#in_transit#0', ':below': `2026-11-26T09:02:00.000Z#${b}` },
      }),
      expect.objectContaining({
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeValues: { ':pk': 'STATUS#in_transit#1' },
      }),
    ]));
    expect(queryInputs()).toHaveLength(2);
  });

  test('lets the client change the page size between pages', async () => {
    const items = manyShipments(15);
    serveShipments(items);
    const first = bodyOf(await get({ status: 'in_transit', limit: '3' }));
    const second = bodyOf(await get({ status: 'in_transit', limit: '20', cursor: first.next_cursor }));

    expect([...ids(first), ...ids(second)]).toEqual(newestFirst(items));
    expect(second.next_cursor).toBeNull();
  });

  test('keeps paging a shard that stopped early at the 1 MB page size', async () => {
    const items = manyShipments(9);
    serveShipments(items, { stopAfter: 1 });
    const pages = await allPages({ status: 'in_transit', limit: '100' });

    expect(pages.flatMap(ids)).toEqual(newestFirst(items));
    expect(pages.length).toBeGreaterThan(1);
  });

  test('accepts the cursor of failed on exception (the same stored status)', async () => {
    serveShipments(manyShipments(4).map((item) => stateItem(String(item.tracking_id), 'exception', String(item.updated_at))));
    const first = bodyOf(await get({ status: 'failed', limit: '2' }));
    const second = await get({ status: 'exception', limit: '2', cursor: first.next_cursor });

    expect(second.statusCode).toBe(200);
  });
});

describe('GET /shipments query validation', () => {
  test.each([
    ['a missing status', {}, [{ path: '/status', message: 'is required' }]],
    ['an empty status', { status: '' }, [{ path: '/status', message: 'is required' }]],
    ['an unknown status', { status: 'lost' }, [{ path: '/status', message: expect.stringMatching(/^must be one of: pending, info_received, .*expired, failed$/) }]],
    ['a bad limit', { status: 'in_transit', limit: '0' }, [{ path: '/limit', message: 'must be an integer from 1 to 100' }]],
    ['a limit over 100', { status: 'in_transit', limit: '101' }, [{ path: '/limit', message: 'must be an integer from 1 to 100' }]],
    ['a bad status and a bad limit', { status: 'IN_TRANSIT', limit: 'x' }, [
      { path: '/status', message: expect.stringContaining('must be one of') },
      { path: '/limit', message: 'must be an integer from 1 to 100' },
    ]],
  ])('rejects %s with a 400 naming it', async (_case, query, details) => {
    const result = await get(query as Record<string, string>);

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: 'invalid query parameters', details });
    expect(ddb.calls()).toHaveLength(0);
  });

  test('answers 400 when API Gateway sends null query parameters', async () => {
    const event = apiEvent({ method: 'GET', resource: '/shipments' });
    const result = await handler(event, lambdaContext);

    expect(result.statusCode).toBe(400);
  });
});

describe('GET /shipments refuses cursors it did not issue for this query', () => {
  const invalidCursor = { error: 'invalid query parameters', details: [{ path: '/cursor', message: 'is not a valid cursor' }] };
  const issued = async () => {
    serveShipments(manyShipments(12));
    const cursor = bodyOf(await get({ status: 'in_transit', limit: '2' })).next_cursor as string;
    ddb.resetHistory();
    return cursor;
  };

  test('rejects a tampered cursor with a 400 naming /cursor, without querying', async () => {
    const cursor = await issued();
    const tampered = cursor.slice(0, 30) + (cursor[30] === 'A' ? 'B' : 'A') + cursor.slice(31);
    const result = await get({ status: 'in_transit', cursor: tampered });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual(invalidCursor);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('rejects a truncated cursor', async () => {
    const cursor = await issued();
    const result = await get({ status: 'in_transit', cursor: cursor.slice(0, cursor.length - 10) });

    expect(bodyOf(result)).toEqual(invalidCursor);
  });

  test('rejects a cursor signed with another key', async () => {
    const foreign = new CursorCodec('another-stack-id').encode({ route: '/shipments', scope: 'in_transit' }, Array(SHARDS).fill(''));
    const result = await get({ status: 'in_transit', cursor: foreign });

    expect(bodyOf(result)).toEqual(invalidCursor);
  });

  test('rejects the cursor of another status with a 400 saying so', async () => {
    const cursor = await issued();
    const result = await get({ status: 'delivered', cursor });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).details).toEqual([{ path: '/cursor', message: 'belongs to another status or time range' }]);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('rejects a cursor from GET /status with a 400 saying it belongs to another route', async () => {
    ddb.on(QueryCommand).resolves({
      Items: ['e3', 'e2', 'e1'].map((id) => ({ pk: 'TRACK#PKG-1', sk: `EVENT#${id}`, history_sk: `2026-11-26T07:00:00.000Z#${id}`, tracking_id: 'PKG-1', event_id: id })),
    });
    ddb.on(GetCommand).resolves({ Item: stateItem('PKG-1', 'in_transit', '2026-11-26T07:00:00.000Z') });
    const statusCursor = bodyOf(await handler(apiEvent({ method: 'GET', resource: '/status', query: { tracking_id: 'PKG-1', limit: '1' } }), lambdaContext)).next_cursor;
    expect(statusCursor).toEqual(expect.any(String));
    ddb.resetHistory();

    const result = await get({ status: 'in_transit', cursor: statusCursor });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).details).toEqual([{ path: '/cursor', message: 'belongs to another route' }]);
    expect(ddb.calls()).toHaveLength(0);
  });

  // Behind the signature, the positions' shape is still checked (defense in depth).
  const sortKeyOn = (shard: number) => `2026-11-26T08:00:00.000Z#${idOnShard(shard, 0)}`;
  test.each([
    ['not an array', { 0: '' }],
    ['one position per shard missing', Array(SHARDS - 1).fill('')],
    ['every shard exhausted', Array(SHARDS).fill(null)],
    ['a number as position', [1, ...Array(SHARDS - 1).fill('')]],
    ['a malformed sort key', ['yesterday#P-1', ...Array(SHARDS - 1).fill('')]],
    ['a sort key of a shipment on another shard', [sortKeyOn(1), ...Array(SHARDS - 1).fill('')]],
  ])('rejects a correctly signed cursor whose positions are not status-index positions (%s)', async (_case, positions) => {
    const result = await get({ status: 'in_transit', cursor: signedPositions(positions) });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual(invalidCursor);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('accepts a correctly signed cursor with well-formed positions', async () => {
    const positions = [sortKeyOn(0), null, '', ...Array(SHARDS - 3).fill(null)];
    const result = await get({ status: 'in_transit', cursor: signedPositions(positions) });

    expect(result.statusCode).toBe(200);
    expect(queryInputs()).toHaveLength(2);
  });
});

describe('GET /shipments when DynamoDB is unavailable', () => {
  test('answers 503 with Retry-After when a shard query is throttled', async () => {
    ddb.on(QueryCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const result = await get({ status: 'in_transit' });

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
  });
});

describe('GET /shipments reads the listed states from the table', () => {
  test('in one BatchGetItem of the page\'s state items, eventually consistent like the index', async () => {
    serveShipments(manyShipments(5));
    await get({ status: 'in_transit', limit: '3' });

    const batches = ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input);
    expect(batches).toEqual([{ RequestItems: { 'tracking-test': { Keys: ['PKG-4', 'PKG-3', 'PKG-2'].map((id) => ({ pk: `TRACK#${id}`, sk: 'STATE' })) } } }]);
  });

  test('leaves out a listed shipment whose state has moved to another status since, and still pages on', async () => {
    const listed = manyShipments(3);
    ddb.on(QueryCommand).callsFake(statusIndex(listed));
    // PKG-1 was delivered after the index entry was read.
    ddb.on(BatchGetCommand).callsFake(stateTable(listed.map((item) => (item.tracking_id === 'PKG-1' ? { ...item, status: 'delivered' } : item))));
    const body = bodyOf(await get({ status: 'in_transit', limit: '2' }));

    expect(ids(body)).toEqual(['PKG-2']);
    expect(body.next_cursor).not.toBeNull();
  });

  test('asks again for the keys DynamoDB left unprocessed', async () => {
    const items = manyShipments(2);
    ddb.on(QueryCommand).callsFake(statusIndex(items));
    ddb.on(BatchGetCommand)
      .resolvesOnce({ Responses: { 'tracking-test': [items[1]] }, UnprocessedKeys: { 'tracking-test': { Keys: [{ pk: 'TRACK#PKG-0', sk: 'STATE' }] } } })
      .callsFake(stateTable(items));
    const body = bodyOf(await get({ status: 'in_transit' }));

    expect(ids(body)).toEqual(['PKG-1', 'PKG-0']);
    expect(ddb.commandCalls(BatchGetCommand)[1].args[0].input.RequestItems!['tracking-test'].Keys).toEqual([{ pk: 'TRACK#PKG-0', sk: 'STATE' }]);
  });

  test('answers 503 with Retry-After when keys stay unprocessed', async () => {
    const items = manyShipments(1);
    ddb.on(QueryCommand).callsFake(statusIndex(items));
    ddb.on(BatchGetCommand).resolves({ Responses: { 'tracking-test': [] }, UnprocessedKeys: { 'tracking-test': { Keys: [{ pk: 'TRACK#PKG-0', sk: 'STATE' }] } } });
    const result = await get({ status: 'in_transit' });

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(3);
  });
});
