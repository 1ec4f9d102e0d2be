import './env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { conditionFailed } from './fixtures';
import { FakeStateTable } from './state-table';
import { isDependencyUnavailable } from '../../lambda/tracking/dependency-errors';
import { EventRecord, fnv1a32, StateContentionError, TrackingRepository } from '../../lambda/tracking/repository';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const EVENT: EventRecord = {
  tracking_id: 'PKG-1',
  event_id: 'e1',
  status: 'in_transit',
  location: { lat: 1, lng: 2 },
  event_time: '2026-11-26T09:15:00.000Z',
  received_at: '2026-11-26T10:00:00.000Z',
};

beforeEach(() => {
  ddb.reset();
  ddb.on(PutCommand).resolves({});
});

describe('repository: event retention', () => {
  test('sets expires_at to the receive time plus EVENT_TTL_SECONDS, in epoch seconds', async () => {
    const repository = new TrackingRepository(client, { tableName: 't', historyIndexName: 'history', statusIndexName: 'by-status', statusShards: 8, eventTtlSeconds: 86_400 });
    await repository.putEvent(EVENT);

    expect(ddb.commandCalls(PutCommand)[0].args[0].input.Item).toMatchObject({
      expires_at: Date.parse('2026-11-26T10:00:00.000Z') / 1000 + 86_400,
    });
  });

  test('sets no expires_at when retention is 0 (keep forever)', async () => {
    const repository = new TrackingRepository(client, { tableName: 't', historyIndexName: 'history', statusIndexName: 'by-status', statusShards: 8, eventTtlSeconds: 0 });
    await repository.putEvent(EVENT);

    expect(ddb.commandCalls(PutCommand)[0].args[0].input.Item).not.toHaveProperty('expires_at');
  });

  test('reads its settings from the environment, with the table layout as defaults', () => {
    expect(TrackingRepository.settingsFromEnvironment({ TABLE_NAME: 'x', STATUS_INDEX_NAME: 'by-status-v2', EVENT_TTL_SECONDS: '3600', STATUS_INDEX_SHARDS: '16' })).toEqual({
      tableName: 'x', historyIndexName: 'history', statusIndexName: 'by-status-v2', statusShards: 16, eventTtlSeconds: 3600,
    });
    expect(TrackingRepository.settingsFromEnvironment({ TABLE_NAME: 'x', EVENT_TTL_SECONDS: 'forever' })).toMatchObject({
      statusIndexName: 'by-status', statusShards: 8, eventTtlSeconds: 0,
    });
  });
});

describe('repository: status index shard', () => {
  test.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('hashes %p with FNV-1a 32-bit to the published test vector', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });

  test('spreads tracking ids over every shard', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => fnv1a32(`PKG-${i}`) % 8));
    expect(shards.size).toBe(8);
  });
});

describe('repository: applying several events to the state', () => {
  const repository = new TrackingRepository(client, { tableName: 't', historyIndexName: 'history', statusIndexName: 'by-status', statusShards: 8, eventTtlSeconds: 0 });
  const event = (eventId: string, time: string, status = 'in_transit'): EventRecord => ({ ...EVENT, event_id: eventId, event_time: time, status });
  const updates = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);

  test('gives up with a retriable StateUpdateContention when other writers keep moving the state', async () => {
    let version = 0;
    // Every answer shows a state that moved on, but is still older than our newest event.
    ddb.on(UpdateCommand).callsFake(() => {
      version++;
      throw conditionFailed({ last_event_key: `2026-11-26T09:0${version}:00.000Z#other`, first_seen_at: '2026-11-26T08:00:00.000Z' });
    });
    const applying = repository.applyToState([event('a', '2026-11-26T08:30:00.000Z'), event('b', '2026-11-26T09:30:00.000Z')]);

    await expect(applying).rejects.toThrow(StateContentionError);
    await expect(applying).rejects.toMatchObject({ name: 'StateUpdateContention' });
    expect(isDependencyUnavailable(await applying.catch((error) => error))).toBe(true);
    expect(updates()).toHaveLength(4);
  });

  test('reads the state when DynamoDB returns no old item with the failed condition, and applies only the newer events', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    ddb.on(GetCommand).resolves({ Item: { last_event_key: '2026-11-26T08:30:00.000Z#m', first_seen_at: '2026-11-26T07:00:00.000Z' } });
    const change = await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z', 'attempt_failed'), event('b', '2026-11-26T09:00:00.000Z', 'attempt_failed')]);

    expect(change).toBe('advanced');
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: 't', Key: { pk: 'TRACK#PKG-1', sk: 'STATE' }, ConsistentRead: true });
    expect(updates()[1]).toMatchObject({
      ConditionExpression: '#last_event_key = :observed_key',
      ExpressionAttributeValues: expect.objectContaining({ ':observed_key': '2026-11-26T08:30:00.000Z#m', ':key': '2026-11-26T09:00:00.000Z#b', ':attempts': 1 }),
    });
  });

  test('settles for "older" when the state cannot be read either', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    const change = await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z'), event('b', '2026-11-26T09:00:00.000Z')]);

    expect(change).toBe('older');
    // The optimistic update, then lowering first_seen_at to the earliest event.
    expect(updates().map((input) => input.ExpressionAttributeValues)).toEqual([
      expect.objectContaining({ ':key': '2026-11-26T09:00:00.000Z#b', ':oldest_key': '2026-11-26T08:00:00.000Z#a' }),
      { ':event_time': '2026-11-26T08:00:00.000Z' },
    ]);
  });

  test('applies one event once when it is passed twice', async () => {
    const table = new FakeStateTable();
    ddb.on(UpdateCommand).callsFake((input) => table.update(input));
    await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z', 'attempt_failed'), event('a', '2026-11-26T08:00:00.000Z', 'attempt_failed')]);

    expect(table.get('TRACK#PKG-1')).toMatchObject({ attempt_count: 1 });
    expect(updates()[0].ConditionExpression).toBe('attribute_not_exists(#pk) OR #last_event_key < :key');
  });

  test('answers "already-applied" when the state reflects the newest event', async () => {
    const table = new FakeStateTable();
    ddb.on(UpdateCommand).callsFake((input) => table.update(input));
    const events = [event('a', '2026-11-26T08:00:00.000Z'), event('b', '2026-11-26T09:00:00.000Z')];

    expect(await repository.applyToState(events)).toBe('advanced');
    expect(await repository.applyToState(events)).toBe('already-applied');
    expect(await repository.applyToState([event('0', '2026-11-26T07:00:00.000Z')])).toBe('older');
  });
});
