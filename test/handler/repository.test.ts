import './env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { conditionFailed } from './fixtures';
import { FakeStateTable } from './state-table';
import { isTransientError } from '../../lambda/shared/aws-errors';
import type { EventRecord } from '../../lambda/tracking/items';
import { TrackingRepository } from '../../lambda/tracking/repository';
import { StateContentionError } from '../../lambda/tracking/state-write';
import { fnv1a32 } from '../../src/contract/table';

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
  const statePuts = () => ddb.commandCalls(PutCommand).map((call) => call.args[0].input);
  const stateItem = (version: number, lastEventKey: string, extra: Record<string, unknown> = {}) => ({
    pk: 'TRACK#PKG-1',
    sk: 'STATE',
    tracking_id: 'PKG-1',
    status: 'in_transit',
    location: { lat: 1, lng: 2 },
    updated_at: lastEventKey.slice(0, 24),
    last_event_id: lastEventKey.slice(25),
    last_event_key: lastEventKey,
    open_event_key: lastEventKey,
    first_seen_at: '2026-11-26T08:00:00.000Z',
    run_start_key: lastEventKey,
    version,
    ...extra,
  });

  test('gives up with a retriable StateUpdateContention when other writers keep moving the state', async () => {
    let version = 1;
    ddb.on(GetCommand).resolves({ Item: stateItem(1, '2026-11-26T09:00:00.000Z#x') });
    // Every write finds a state another writer has just moved on.
    ddb.on(PutCommand).callsFake(() => {
      version++;
      throw conditionFailed(stateItem(version, `2026-11-26T09:0${version}:00.000Z#other`));
    });
    const applying = repository.applyToState([event('a', '2026-11-26T08:30:00.000Z', 'attempt_failed')]);

    await expect(applying).rejects.toThrow(StateContentionError);
    await expect(applying).rejects.toMatchObject({ name: 'StateUpdateContention' });
    expect(isTransientError(await applying.catch((error) => error))).toBe(true);
    expect(statePuts()).toHaveLength(4);
  });

  test('reads the state when DynamoDB returns no old item with the failed condition, and writes it conditional on that version', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: stateItem(3, '2026-11-26T08:30:00.000Z#m') });
    const change = await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z'), event('b', '2026-11-26T09:00:00.000Z')]);

    expect(change).toBe('advanced');
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: 't', Key: { pk: 'TRACK#PKG-1', sk: 'STATE' }, ConsistentRead: true });
    expect(statePuts()[0]).toMatchObject({
      Item: { last_event_key: '2026-11-26T09:00:00.000Z#b', first_seen_at: '2026-11-26T08:00:00.000Z', version: 4 },
      ConditionExpression: '#version = :version',
      ExpressionAttributeValues: { ':version': 3 },
    });
  });

  test('creates the state when the blind update failed and the state is gone by the time it is read', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    const change = await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z'), event('b', '2026-11-26T09:00:00.000Z')]);

    expect(change).toBe('advanced');
    expect(statePuts()[0]).toMatchObject({ Item: { last_event_id: 'b', version: 1 }, ConditionExpression: 'attribute_not_exists(#pk)' });
  });

  test('completes the status run from the stored events when an older event of another status splits it', async () => {
    // In transit since 08:00 (the run), scanned at 09:00; an exception at 08:30 arrives late.
    const stored = stateItem(2, '2026-11-26T09:00:00.000Z#b', { run_start_key: '2026-11-26T08:00:00.000Z#a' });
    // The blind update's condition fails: the event is older, of another status.
    ddb.on(UpdateCommand).rejects(conditionFailed(stored));
    ddb.on(QueryCommand).resolves({
      Items: [
        { event_id: 'a', status: 'in_transit', event_time: '2026-11-26T08:00:00.000Z' },
        { event_id: 'x', status: 'exception', event_time: '2026-11-26T08:30:00.000Z' },
        { event_id: 'b', status: 'in_transit', event_time: '2026-11-26T09:00:00.000Z' },
      ],
    });
    expect(await repository.applyToState([event('x', '2026-11-26T08:30:00.000Z', 'exception')])).toBe('milestones');

    expect(ddb.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :events)',
      ExpressionAttributeValues: { ':pk': 'TRACK#PKG-1', ':events': 'EVENT#' },
      ConsistentRead: true,
    });
    expect(statePuts()[0].Item).toMatchObject({
      status: 'in_transit',
      run_start_key: '2026-11-26T09:00:00.000Z#b',
      run_break_key: '2026-11-26T08:30:00.000Z#x',
      status_since: '2026-11-26T09:00:00.000Z',
      status_sk: '2026-11-26T09:00:00.000Z#PKG-1',
    });
  });

  test('a state item written before status runs gets its run from the stored events, then the blind update again', async () => {
    const table = new FakeStateTable();
    ddb.on(PutCommand).callsFake((input) => table.put(input));
    ddb.on(UpdateCommand).callsFake((input) => table.update(input));
    ddb.on(GetCommand).callsFake((input) => ({ Item: table.get(input.Key.pk, input.Key.sk) }));
    ddb.on(QueryCommand).resolves({ Items: [{ event_id: 'x', status: 'in_transit', event_time: '2026-11-26T09:00:00.000Z' }] });
    const { run_start_key: _none, ...legacy } = stateItem(1, '2026-11-26T09:00:00.000Z#x');
    table.put({ TableName: 't', Item: legacy });

    await repository.applyToState([event('y', '2026-11-26T10:00:00.000Z')]);
    expect(table.get('TRACK#PKG-1')).toMatchObject({ last_event_id: 'y', run_start_key: '2026-11-26T09:00:00.000Z#x', status_since: '2026-11-26T09:00:00.000Z' });
    await repository.applyToState([event('z', '2026-11-26T11:00:00.000Z')]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(table.get('TRACK#PKG-1')).toMatchObject({ last_event_id: 'z', status_since: '2026-11-26T09:00:00.000Z', version: 3 });
  });

  test('applies one event once when it is passed twice', async () => {
    const table = new FakeStateTable();
    ddb.on(PutCommand).callsFake((input) => table.put(input));
    ddb.on(GetCommand).callsFake((input) => ({ Item: table.get(input.Key.pk, input.Key.sk) }));
    await repository.applyToState([event('a', '2026-11-26T08:00:00.000Z', 'attempt_failed'), event('a', '2026-11-26T08:00:00.000Z', 'attempt_failed')]);

    expect(table.get('TRACK#PKG-1')).toMatchObject({ attempt_ids: new Set(['a']), version: 1 });
  });

  test('answers "unchanged" when the state already reflects every event, "milestones" when only they moved', async () => {
    const table = new FakeStateTable();
    ddb.on(PutCommand).callsFake((input) => table.put(input));
    ddb.on(UpdateCommand).callsFake((input) => table.update(input));
    ddb.on(GetCommand).callsFake((input) => ({ Item: table.get(input.Key.pk, input.Key.sk) }));
    const events = [event('a', '2026-11-26T08:00:00.000Z'), event('b', '2026-11-26T09:00:00.000Z')];

    expect(await repository.applyToState(events)).toBe('advanced');
    expect(await repository.applyToState(events)).toBe('unchanged');
    expect(await repository.applyToState([event('0', '2026-11-26T07:00:00.000Z')])).toBe('milestones');
    expect(await repository.applyToState([event('1', '2026-11-26T07:30:00.000Z')])).toBe('unchanged');
    expect(table.get('TRACK#PKG-1')).toMatchObject({ first_seen_at: '2026-11-26T07:00:00.000Z', last_event_id: 'b', version: 2 });
  });
});
