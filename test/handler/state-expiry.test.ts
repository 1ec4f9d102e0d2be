import './env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { NOW } from './fixtures';
import { FakeStateTable } from './state-table';
import type { EventRecord } from '../../lambda/tracking/items';
import { TrackingRepository } from '../../lambda/tracking/repository';

/**
 * What the state write path (state-write.ts) keeps on a state item besides the
 * fold: its expiry (the TTL attribute, renewed by every write, so a shipment's
 * state lives as long as its newest events) and the stall mark of the sweep,
 * which belongs to one status run.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const DAY = 86_400;
const repositoryWithTtl = (eventTtlSeconds: number) =>
  new TrackingRepository(client, { tableName: 't', historyIndexName: 'history', statusIndexName: 'by-status', statusShards: 8, eventTtlSeconds });

const event = (eventId: string, time: string, status = 'in_transit'): EventRecord => ({
  tracking_id: 'PKG-1',
  event_id: eventId,
  status,
  location: { lat: 1, lng: 2 },
  event_time: time,
  received_at: time,
});

let table: FakeStateTable;
let now: number;
const state = () => table.get('TRACK#PKG-1')!;
const updates = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const puts = () => ddb.commandCalls(PutCommand).map((call) => call.args[0].input);

beforeEach(() => {
  ddb.reset();
  table = new FakeStateTable();
  ddb.on(PutCommand).callsFake((input) => table.put(input));
  ddb.on(UpdateCommand).callsFake((input) => table.update(input));
  ddb.on(GetCommand).callsFake((input) => ({ Item: table.get(input.Key.pk, input.Key.sk) }));
  ddb.on(QueryCommand).resolves({ Items: [] });
  now = NOW + 123;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('state writes set the state expiry when event retention is on', () => {
  const repository = repositoryWithTtl(30 * DAY);
  const expiry = (at: number) => Math.floor(at / 1000) + 30 * DAY;

  test('the blind UpdateItem sets expires_at to now plus the retention, in epoch seconds', async () => {
    await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z')]);

    expect(updates()).toHaveLength(1);
    expect(updates()[0].UpdateExpression).toContain('#expires_at = :expires_at');
    expect(updates()[0].ExpressionAttributeNames).toMatchObject({ '#expires_at': 'expires_at' });
    expect(updates()[0].ExpressionAttributeValues).toMatchObject({ ':expires_at': expiry(now) });
    expect(state().expires_at).toBe(expiry(now));
  });

  test('the read-fold-write PutItem sets it too', async () => {
    // A terminal event never takes the blind path.
    await repository.applyToState([event('d', '2026-11-26T08:00:00.000Z', 'delivered')]);

    expect(updates()).toHaveLength(0);
    expect(puts()[0].Item).toMatchObject({ expires_at: expiry(now) });
    expect(state().expires_at).toBe(expiry(now));
  });

  test('every later write moves it on from that write, on either path', async () => {
    await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z')]);
    now += 3_600_000;
    await repository.applyToState([event('b', '2026-11-26T09:00:00.000Z')]);
    expect(state().expires_at).toBe(expiry(now));

    now += 3_600_000;
    await repository.applyToState([event('c', '2026-11-26T10:00:00.000Z', 'out_for_delivery')]);
    expect(puts()).toHaveLength(1);
    expect(state().expires_at).toBe(expiry(now));
  });

  test('follows the event retention it is configured with', async () => {
    await repositoryWithTtl(60).applyToState([event('a', '2026-11-26T08:00:00.000Z')]);

    expect(state().expires_at).toBe(Math.floor(now / 1000) + 60);
  });
});

describe('state writes set no expiry when event retention is off (0: keep forever)', () => {
  const repository = repositoryWithTtl(0);

  test('the blind UpdateItem names no expires_at', async () => {
    await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z')]);

    expect(updates()[0].UpdateExpression).not.toContain('expires_at');
    expect(Object.values(updates()[0].ExpressionAttributeNames!)).not.toContain('expires_at');
    expect(state()).not.toHaveProperty('expires_at');
  });

  test('the read-fold-write PutItem writes none', async () => {
    await repository.applyToState([event('d', '2026-11-26T08:00:00.000Z', 'delivered')]);

    expect(puts()[0].Item).not.toHaveProperty('expires_at');
  });
});

describe('state writes keep a stall mark while its status run goes on, and drop it when the run changes', () => {
  const repository = repositoryWithTtl(0);
  const RUN_SK = '2026-11-26T08:00:00.000Z#PKG-1';
  const MARK = { stalled_sk: RUN_SK, stalled_at: '2026-12-01T08:00:00.000Z', stall_threshold_seconds: 5 * DAY };

  /** In transit since 08:00, current event at 09:00, marked stalled by the sweep (which added 1 to the version). */
  async function markedState(mark: Record<string, unknown> = MARK): Promise<void> {
    await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z'), event('b', '2026-11-26T09:00:00.000Z')]);
    expect(state().status_sk).toBe(RUN_SK);
    table.put({ TableName: 't', Item: { ...state(), ...mark, version: Number(state().version) + 1 } });
    ddb.resetHistory();
  }

  test('a rewritten state whose status_sk is unchanged keeps stalled_sk, stalled_at and stall_threshold_seconds', async () => {
    await markedState();
    // An older event of another status, before the run: a new first_seen_at, the same run.
    await repository.applyToState([event('r', '2026-11-26T07:00:00.000Z', 'info_received')]);

    expect(puts()).toHaveLength(1);
    expect(state()).toMatchObject({ first_seen_at: '2026-11-26T07:00:00.000Z', status_sk: RUN_SK, ...MARK });
  });

  test('a newer event of the same status (the blind update) leaves the mark in place', async () => {
    await markedState();
    await repository.applyToState([event('c', '2026-11-26T10:00:00.000Z')]);

    expect(puts()).toHaveLength(0);
    expect(state()).toMatchObject({ last_event_id: 'c', status_sk: RUN_SK, ...MARK });
  });

  test('a status change starts a new run: the mark is dropped, so the sweep can report the new run', async () => {
    await markedState();
    await repository.applyToState([event('o', '2026-11-26T10:00:00.000Z', 'out_for_delivery')]);

    expect(state().status_sk).toBe('2026-11-26T10:00:00.000Z#PKG-1');
    for (const name of ['stalled_sk', 'stalled_at', 'stall_threshold_seconds']) expect(state()).not.toHaveProperty(name);
  });

  test('a status change at the very instant the run began keeps status_sk, and still drops the mark: a run is its status too', async () => {
    // Found by test/model/operations.test.ts: out_for_delivery at 08:00 ties with the in_transit run's
    // start; it sorts after it (by event_id) and becomes current, with the same status_since.
    await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z')]);
    table.put({ TableName: 't', Item: { ...state(), ...MARK, version: Number(state().version) + 1 } });
    await repository.applyToState([event('o', '2026-11-26T08:00:00.000Z', 'out_for_delivery')]);

    expect(state()).toMatchObject({ status: 'out_for_delivery', status_sk: RUN_SK });
    for (const name of ['stalled_sk', 'stalled_at', 'stall_threshold_seconds']) expect(state()).not.toHaveProperty(name);
  });

  test('an older event that moves the run\'s start changes status_sk, and drops the mark', async () => {
    await markedState();
    await repository.applyToState([event('z', '2026-11-26T07:30:00.000Z')]);

    expect(state().status_sk).toBe('2026-11-26T07:30:00.000Z#PKG-1');
    expect(state()).not.toHaveProperty('stalled_sk');
  });

  test('a mark of another run is not carried over, even when status_sk stays', async () => {
    await markedState({ ...MARK, stalled_sk: '2026-11-20T08:00:00.000Z#PKG-1' });
    await repository.applyToState([event('r', '2026-11-26T07:00:00.000Z', 'info_received')]);

    expect(state().status_sk).toBe(RUN_SK);
    for (const name of ['stalled_sk', 'stalled_at', 'stall_threshold_seconds']) expect(state()).not.toHaveProperty(name);
  });

  test('a write that lost to the sweep\'s mark retries from the marked state and keeps the mark', async () => {
    await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z'), event('b', '2026-11-26T09:00:00.000Z')]);
    const read = { ...state() };
    ddb.resetHistory();
    // The tracking update reads the unmarked state; the sweep marks it before the update's PutItem lands.
    ddb.on(GetCommand).callsFakeOnce(() => {
      table.put({ TableName: 't', Item: { ...read, ...MARK, version: Number(read.version) + 1 } });
      return { Item: read };
    });
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' }));
    await repository.applyToState([event('r', '2026-11-26T07:00:00.000Z', 'info_received')]);

    expect(puts()).toHaveLength(2);
    expect(puts()[0].ExpressionAttributeValues).toEqual({ ':version': read.version });
    expect(state()).toMatchObject({ first_seen_at: '2026-11-26T07:00:00.000Z', ...MARK, version: Number(read.version) + 2 });
  });
});
