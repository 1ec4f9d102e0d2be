import './env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EventRecord, fnv1a32, TrackingRepository } from '../../lambda/tracking/repository';

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
    const repository = new TrackingRepository(client, { tableName: 't', historyIndexName: 'history', statusShards: 8, eventTtlSeconds: 86_400 });
    await repository.putEvent(EVENT);

    expect(ddb.commandCalls(PutCommand)[0].args[0].input.Item).toMatchObject({
      expires_at: Date.parse('2026-11-26T10:00:00.000Z') / 1000 + 86_400,
    });
  });

  test('sets no expires_at when retention is 0 (keep forever)', async () => {
    const repository = new TrackingRepository(client, { tableName: 't', historyIndexName: 'history', statusShards: 8, eventTtlSeconds: 0 });
    await repository.putEvent(EVENT);

    expect(ddb.commandCalls(PutCommand)[0].args[0].input.Item).not.toHaveProperty('expires_at');
  });

  test('reads its settings from the environment, with the table layout as defaults', () => {
    expect(TrackingRepository.settingsFromEnvironment({ TABLE_NAME: 'x', EVENT_TTL_SECONDS: '3600', STATUS_INDEX_SHARDS: '16' })).toEqual({
      tableName: 'x', historyIndexName: 'history', statusShards: 16, eventTtlSeconds: 3600,
    });
    expect(TrackingRepository.settingsFromEnvironment({ TABLE_NAME: 'x', EVENT_TTL_SECONDS: 'forever' })).toMatchObject({
      statusShards: 8, eventTtlSeconds: 0,
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
