import './env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { apiEvent, bodyOf, lambdaContext } from './events';
import { idOnShard, SHARDS, stateItem, stateTable, statusIndex } from './status-index';
import { handler } from '../../lambda/tracking';
import { cursorCodecFromEnvironment } from '../../lambda/tracking/cursor';
import { listByStatus, statusShardQuery, type StatusShardPosition } from '../../lambda/tracking/pages';
import type { TableAccess } from '../../lambda/tracking/table-access';

/**
 * GET /shipments?status=S&updated_before=T&updated_after=T: the range over
 * status_since, from the query parameters (parsed, normalized, checked) to the
 * key conditions of the shard queries and the cursor's scope.
 */

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(SSMClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const settings = { tableName: 'tracking-test', historyIndexName: 'history', statusIndexName: 'by-status', statusShards: SHARDS, eventTtlSeconds: 0 };
const table: TableAccess = { client, settings };

const get = (query: Record<string, string>) => handler(apiEvent({ method: 'GET', resource: '/shipments', query }), lambdaContext);
const queryInputs = () => ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
const ids = (body: { shipments: Array<{ tracking_id: string }> }) => body.shipments.map((shipment) => shipment.tracking_id);
const handlerKey = cursorCodecFromEnvironment({});

/** in_transit shipments PKG-0 … that took the status at 08:00, 08:01, … (PKG-0 oldest). */
const minuteApart = (count: number) =>
  Array.from({ length: count }, (_, i) => stateItem(`PKG-${i}`, 'in_transit', new Date(Date.UTC(2026, 10, 26, 8, i)).toISOString()));

function serve(items: Array<Record<string, unknown>>): void {
  ddb.on(QueryCommand).callsFake(statusIndex(items));
  ddb.on(BatchGetCommand).callsFake(stateTable(items));
}

beforeEach(() => {
  ddb.reset();
  serve(minuteApart(10));
});

describe('statusShardQuery builds the key condition of one shard from two optional exclusive bounds', () => {
  const base = { TableName: 'tracking-test', IndexName: 'by-status' };

  test('without a bound, the whole partition, and no sort-key name or value (DynamoDB refuses unused ones)', () => {
    expect(statusShardQuery(settings, 'in_transit', 3, {})).toEqual({
      ...base,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'status_pk' },
      ExpressionAttributeValues: { ':pk': 'STATUS#in_transit#3' },
    });
  });

  test('with an upper bound only, #sk < :below', () => {
    expect(statusShardQuery(settings, 'in_transit', 0, { below: 'B' })).toEqual({
      ...base,
      KeyConditionExpression: '#pk = :pk AND #sk < :below',
      ExpressionAttributeNames: { '#pk': 'status_pk', '#sk': 'status_sk' },
      ExpressionAttributeValues: { ':pk': 'STATUS#in_transit#0', ':below': 'B' },
    });
  });

  test('with a lower bound only, #sk > :above', () => {
    expect(statusShardQuery(settings, 'exception', 7, { above: 'A' })).toEqual({
      ...base,
      KeyConditionExpression: '#pk = :pk AND #sk > :above',
      ExpressionAttributeNames: { '#pk': 'status_pk', '#sk': 'status_sk' },
      ExpressionAttributeValues: { ':pk': 'STATUS#exception#7', ':above': 'A' },
    });
  });

  test('with both, a BETWEEN from the lower to the upper bound', () => {
    expect(statusShardQuery(settings, 'in_transit', 1, { below: 'B', above: 'A' })).toEqual({
      ...base,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :above AND :below',
      ExpressionAttributeNames: { '#pk': 'status_pk', '#sk': 'status_sk' },
      ExpressionAttributeValues: { ':pk': 'STATUS#in_transit#1', ':above': 'A', ':below': 'B' },
    });
  });
});

describe('listByStatus queries each shard within the range', () => {
  const BEFORE = '2026-11-26T08:05:00.000Z';
  const AFTER = '2026-11-26T08:02:00.000Z';
  const conditionsOf = () => queryInputs().map((input) => [input.KeyConditionExpression, input.ExpressionAttributeValues]);

  test('updated_before alone: every shard below statusSkBefore(T), the time itself', async () => {
    await listByStatus(table, 'in_transit', 10, undefined, { before: BEFORE });

    expect(queryInputs()).toHaveLength(SHARDS);
    for (const [condition, values] of conditionsOf()) {
      expect(condition).toBe('#pk = :pk AND #sk < :below');
      expect(values).toMatchObject({ ':below': BEFORE });
    }
  });

  test('updated_after alone: every shard above statusSkAfter(T), past every tracking id of T', async () => {
    await listByStatus(table, 'in_transit', 10, undefined, { after: AFTER });

    for (const [condition, values] of conditionsOf()) {
      expect(condition).toBe('#pk = :pk AND #sk > :above');
      expect(values).toMatchObject({ ':above': `${AFTER}#~` });
    }
  });

  test('both: a BETWEEN of the two', async () => {
    await listByStatus(table, 'in_transit', 10, undefined, { before: BEFORE, after: AFTER });

    for (const [condition, values] of conditionsOf()) {
      expect(condition).toBe('#pk = :pk AND #sk BETWEEN :above AND :below');
      expect(values).toMatchObject({ ':above': `${AFTER}#~`, ':below': BEFORE });
    }
  });

  test('answers exactly the shipments that took the status strictly inside the range, newest first', async () => {
    const page = await listByStatus(table, 'in_transit', 10, undefined, { before: BEFORE, after: AFTER });

    // 08:02 and 08:05 are the bounds themselves: out.
    expect(page.shipments.map((state) => state.tracking_id)).toEqual(['PKG-4', 'PKG-3']);
    expect(page.nextPositions).toBeUndefined();
  });

  test('a page position below updated_before continues below the position, updated_after still applying', async () => {
    const id = idOnShard(0, 0);
    const position = `2026-11-26T08:04:00.000Z#${id}`;
    const positions: StatusShardPosition[] = [position, ...Array(SHARDS - 1).fill(null)];
    await listByStatus(table, 'in_transit', 10, positions, { before: BEFORE, after: AFTER });

    expect(queryInputs()).toHaveLength(1);
    expect(queryInputs()[0]).toMatchObject({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :above AND :below',
      ExpressionAttributeValues: { ':pk': 'STATUS#in_transit#0', ':above': `${AFTER}#~`, ':below': position },
    });
  });

  test('the lower of a position and updated_before is the upper bound', async () => {
    const position = `2026-11-26T09:00:00.000Z#${idOnShard(0, 0)}`;
    await listByStatus(table, 'in_transit', 10, [position, ...Array(SHARDS - 1).fill(null)], { before: BEFORE });

    expect(queryInputs()[0].ExpressionAttributeValues).toMatchObject({ ':below': BEFORE });
  });

  test('drops the position itself, which a BETWEEN includes, from the answer', async () => {
    // Shard 0 holds three shipments in the range; the page before ended at the newest.
    const [a, b, c] = [0, 1, 2].map((n) => idOnShard(0, n));
    const items = [
      stateItem(a, 'in_transit', '2026-11-26T08:04:00.000Z'),
      stateItem(b, 'in_transit', '2026-11-26T08:03:30.000Z'),
      stateItem(c, 'in_transit', '2026-11-26T08:03:00.000Z'),
    ];
    serve(items);
    const page = await listByStatus(table, 'in_transit', 10, [String(items[0].status_sk), ...Array(SHARDS - 1).fill(null)], { before: BEFORE, after: AFTER });

    // The index answered the position's own entry (BETWEEN is inclusive)…
    expect((await statusIndex(items)(queryInputs()[0])).Items.map((item) => item.status_sk)).toContain(items[0].status_sk);
    // …and the page does not repeat it.
    expect(page.shipments.map((state) => state.tracking_id)).toEqual([b, c]);
    expect(page.nextPositions).toBeUndefined();
  });

  test('asks one more than the page and one more for the position', async () => {
    await listByStatus(table, 'in_transit', 3, undefined, { after: AFTER });

    expect(queryInputs().map((input) => input.Limit)).toEqual(Array(SHARDS).fill(5));
  });

  test.each([
    ['updated_after equal to updated_before', { before: BEFORE, after: BEFORE }],
    ['updated_after later than updated_before', { before: AFTER, after: BEFORE }],
  ])('does not query an empty range (%s): DynamoDB refuses a BETWEEN the wrong way round', async (_case, range) => {
    const page = await listByStatus(table, 'in_transit', 10, undefined, range);

    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(page).toEqual({ shipments: [], nextPositions: undefined });
  });

  test('does not query a shard whose position is already at or below updated_after', async () => {
    const positions: StatusShardPosition[] = [`2026-11-26T08:01:00.000Z#${idOnShard(0, 0)}`, '', ...Array(SHARDS - 2).fill(null)];
    const page = await listByStatus(table, 'in_transit', 10, positions, { after: AFTER });

    expect(queryInputs().map((input) => input.ExpressionAttributeValues![':pk'])).toEqual(['STATUS#in_transit#1']);
    expect(page.nextPositions).toBeUndefined();
  });
});

describe('GET /shipments reads updated_before and updated_after as RFC 3339', () => {
  test.each([
    ['an offset', '2026-11-26T10:15:00+01:00', '2026-11-26T09:15:00.000Z'],
    ['Z without a fraction', '2026-11-26T09:15:00Z', '2026-11-26T09:15:00.000Z'],
    ['a fraction finer than ms', '2026-11-26T09:15:00.123456Z', '2026-11-26T09:15:00.123Z'],
    ['a negative offset across midnight', '2026-11-25T23:30:00-01:00', '2026-11-26T00:30:00.000Z'],
  ])('normalizes a time with %s to UTC ISO with ms, as status_since is stored', async (_case, text, normalized) => {
    const before = await get({ status: 'in_transit', updated_before: text });
    const below = queryInputs()[0].ExpressionAttributeValues![':below'];
    ddb.resetHistory();
    const after = await get({ status: 'in_transit', updated_after: text });

    expect([before.statusCode, after.statusCode]).toEqual([200, 200]);
    expect(below).toBe(normalized);
    expect(queryInputs()[0].ExpressionAttributeValues![':above']).toBe(`${normalized}#~`);
  });

  test('answers the shipments of the range, newest first', async () => {
    const body = bodyOf(await get({ status: 'in_transit', updated_before: '2026-11-26T09:07:00+01:00', updated_after: '2026-11-26T08:03:00Z' }));

    expect(ids(body)).toEqual(['PKG-6', 'PKG-5', 'PKG-4']);
    expect(body.next_cursor).toBeNull();
  });

  const malformed = { path: '/updated_before', message: 'must be an RFC 3339 date-time, e.g. 2026-11-26T10:15:00Z' };
  test.each([
    ['a date without a time', '2026-11-26'],
    ['words', 'yesterday'],
    ['a date that does not exist', '2026-02-30T10:00:00Z'],
    ['no offset', '2026-11-26T10:15:00'],
    ['epoch seconds', '1764150000'],
  ])('rejects %s with a 400 naming the parameter, without querying', async (_case, text) => {
    const result = await get({ status: 'in_transit', updated_before: text });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: 'invalid query parameters', details: [malformed] });
    expect(ddb.calls()).toHaveLength(0);
  });

  test('names each malformed bound', async () => {
    const result = await get({ status: 'in_transit', updated_before: 'x', updated_after: 'y' });

    expect(bodyOf(result).details).toEqual([malformed, { ...malformed, path: '/updated_after' }]);
  });

  test.each([
    ['the same instant, written in two offsets', '2026-11-26T10:00:00+01:00', '2026-11-26T09:00:00Z'],
    ['a later one', '2026-11-26T09:00:00Z', '2026-11-26T09:00:00.001Z'],
  ])('rejects updated_after not earlier than updated_before (%s) with a 400 on /updated_after', async (_case, before, after) => {
    const result = await get({ status: 'in_transit', updated_before: before, updated_after: after });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).details).toEqual([{ path: '/updated_after', message: 'must be earlier than updated_before' }]);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('accepts updated_after one millisecond earlier than updated_before', async () => {
    const result = await get({ status: 'in_transit', updated_before: '2026-11-26T09:00:00.001Z', updated_after: '2026-11-26T09:00:00Z' });

    expect(result.statusCode).toBe(200);
  });
});

describe('GET /shipments scopes a cursor to its status and time range', () => {
  const RANGE = { updated_before: '2026-11-26T08:08:00Z', updated_after: '2026-11-26T08:01:00Z' };
  const firstCursor = async (query: Record<string, string>) => {
    const cursor = bodyOf(await get({ status: 'in_transit', limit: '2', ...query })).next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    ddb.resetHistory();
    return cursor;
  };
  const otherRange = { details: [{ path: '/cursor', message: 'belongs to another status or time range' }], error: 'invalid query parameters' };

  test('pages through every shipment of the range exactly once, newest first, across shards holding several each', async () => {
    // Five shipments on shard 0 and four on shard 1, a minute apart, interleaved: the pages
    // leave positions inside shards, whose next queries are BETWEENs that include them.
    const onShards = Array.from({ length: 9 }, (_, i) => idOnShard(i % 2, Math.floor(i / 2)));
    const items = onShards.map((id, i) => stateItem(id, 'in_transit', new Date(Date.UTC(2026, 10, 26, 8, i)).toISOString()));
    serve(items);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body = bodyOf(await get({ status: 'in_transit', limit: '2', ...RANGE, ...(cursor ? { cursor } : {}) }));
      seen.push(...ids(body));
      cursor = body.next_cursor;
    } while (cursor !== null && ++pages < 20);

    // 08:01 and 08:08 are the bounds: out.
    expect(seen).toEqual(onShards.slice(2, 8).reverse());
    const continuedInsideAShard = (input: QueryCommandInput) =>
      input.KeyConditionExpression!.includes('BETWEEN') && String(input.ExpressionAttributeValues![':below']).includes('#');
    expect(queryInputs().some(continuedInsideAShard)).toBe(true);
  });

  test.each([
    ['another range', { updated_before: '2026-11-26T08:09:00Z', updated_after: '2026-11-26T08:01:00Z' }],
    ['only one of its bounds', { updated_before: RANGE.updated_before }],
    ['no range', {}],
  ])('rejects a range cursor used with %s, without querying', async (_case, query) => {
    const cursor = await firstCursor(RANGE);
    const result = await get({ status: 'in_transit', ...query, cursor });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual(otherRange);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('rejects a cursor without a range used with one', async () => {
    const cursor = await firstCursor({});
    const result = await get({ status: 'in_transit', ...RANGE, cursor });

    expect(bodyOf(result)).toEqual(otherRange);
  });

  test('accepts the cursor with the same range written in another offset (the scope holds the normalized times)', async () => {
    const cursor = await firstCursor(RANGE);
    const result = await get({ status: 'in_transit', updated_before: '2026-11-26T09:08:00+01:00', updated_after: '2026-11-26T08:01:00.000Z', cursor });

    expect(result.statusCode).toBe(200);
  });

  test('keeps the bare status as the scope without a range, so cursors issued before ranges still work', async () => {
    const positions = [`2026-11-26T08:05:00.000Z#${idOnShard(0, 0)}`, ...Array(SHARDS - 1).fill(null)];
    const issuedBefore = handlerKey.encode({ route: '/shipments', scope: 'in_transit' }, positions);
    const result = await get({ status: 'in_transit', cursor: issuedBefore });

    expect(result.statusCode).toBe(200);
    expect(queryInputs()).toEqual([expect.objectContaining({ ExpressionAttributeValues: { ':pk': 'STATUS#in_transit#0', ':below': positions[0] } })]);
  });

  test('scopes a range cursor to the status too', async () => {
    const cursor = await firstCursor(RANGE);
    const result = await get({ status: 'pending', ...RANGE, cursor });

    expect(bodyOf(result)).toEqual(otherRange);
  });
});
