import * as path from 'path';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamMappingSpec } from '../../../local/assembly/event-sources';
import { resolveMotoPython } from '../../../local/emulator/install';
import { Emulator, startEmulator } from '../../../local/emulator/moto';
import { compileEventFilter } from '../../../local/events/event-filter';
import { StreamMapping, StreamMappingOptions } from '../../../local/events/stream-mapping';
import type { InvokeOutcome } from '../../../local/functions/workers';
import { DEFAULT_CREDENTIALS } from '../../../local/runtime';
import { freePort } from '../../../local/support/ports';
import { eventually, workDir } from '../../e2e/harness';

/**
 * The stream poller against moto's real DynamoDB Streams API, with a stand-in
 * function: positions, filter, batches, moto's quirks, the on-failure queue, and
 * a clean stop. (test/e2e/events.e2e.test.ts runs it with the real processor.)
 */

jest.setTimeout(60_000);

const REGION = 'us-east-1';
let emulator: Emulator;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let tables = 0;
const running: StreamMapping[] = [];

beforeAll(async () => {
  const dir = workDir('stream-mapping');
  const { python } = await resolveMotoPython({ projectDir: path.join(__dirname, '..', '..', '..') });
  emulator = await startEmulator({ python, host: '127.0.0.1', port: await freePort(), logFile: path.join(dir, 'moto.log') });
  const config = { endpoint: emulator.endpoint, region: REGION, credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
  dynamodb = new DynamoDBClient(config);
  sqs = new SQSClient(config);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((mapping) => mapping.stop()));
});

afterAll(async () => {
  dynamodb?.destroy();
  sqs?.destroy();
  await emulator?.stop();
});

async function createTable(): Promise<string> {
  const name = `stream-test-${++tables}`;
  await dynamodb.send(new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  }));
  return name;
}

/** An item with one attribute besides its key (a bare-key INSERT would wait for a possible second half: stream-records.ts). */
const put = (table: string, pk: string, sk = 'STATE', extra: Record<string, { S: string }> = { v: { S: pk } }) =>
  dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { S: sk }, ...extra } }));

function spec(tableName: string, overrides: Partial<StreamMappingSpec> = {}): StreamMappingSpec {
  return {
    logicalId: 'Mapping',
    functionLogicalId: 'Processor',
    tableLogicalId: 'Table',
    tableName,
    batchSize: 100,
    startingPosition: 'TRIM_HORIZON',
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: 3,
    reportBatchItemFailures: true,
    filter: compileEventFilter(undefined, 'Filters'),
    ...overrides,
  };
}

/** A mapping to a stand-in function that answers with `respond` and keeps every event it got. */
async function startMapping(mappingSpec: StreamMappingSpec, respond: (event: DynamoDBStreamEvent) => Promise<InvokeOutcome> | InvokeOutcome = () => ({ kind: 'result', payload: 'null' }), overrides: Partial<StreamMappingOptions> = {}) {
  const events: DynamoDBStreamEvent[] = [];
  const log: string[] = [];
  const mapping = new StreamMapping({
    spec: mappingSpec,
    functionName: 'processor',
    functionArn: `arn:aws:lambda:${REGION}:123456789012:function:processor`,
    region: REGION,
    endpoint: emulator.endpoint,
    credentials: DEFAULT_CREDENTIALS,
    invoke: async (event) => {
      events.push(event);
      return respond(event);
    },
    pollIntervalMs: 50,
    log: (line) => log.push(line),
    ...overrides,
  });
  running.push(mapping);
  await mapping.start();
  const delivered = () => events.flatMap((event) => event.Records);
  return { mapping, events, log, delivered };
}

const keysOf = (records: readonly DynamoDBRecord[]) => records.map((record) => `${record.eventName} ${record.dynamodb!.Keys!.pk.S}`);

test('from TRIM_HORIZON: every record in order, filtered, in batches of BatchSize, shaped as Lambda delivers them', async () => {
  const table = await createTable();
  for (const id of ['a', 'b', 'c']) await put(table, id);
  await put(table, 'a', 'EVENT#1');
  for (const id of ['d', 'e']) await put(table, id);
  const stateItems = compileEventFilter([{ Pattern: '{"dynamodb":{"Keys":{"sk":{"S":["STATE"]}}}}' }], 'Filters');
  const { events, mapping } = await startMapping(spec(table, { batchSize: 2, filter: stateItems }));

  await eventually(async () => expect(events).toHaveLength(3), 10_000, 50);
  expect(events.map((event) => keysOf(event.Records))).toEqual([['INSERT a', 'INSERT b'], ['INSERT c', 'INSERT d'], ['INSERT e']]);
  expect(events[0].Records[0]).toMatchObject({
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    eventSourceARN: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:${REGION}:123456789012:table/${table}/stream/`)),
    dynamodb: { Keys: { pk: { S: 'a' }, sk: { S: 'STATE' } }, NewImage: { pk: { S: 'a' }, sk: { S: 'STATE' }, v: { S: 'a' } }, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  });
  expect(Number.isInteger(events[0].Records[0].dynamodb!.ApproximateCreationDateTime)).toBe(true);
  expect(mapping.stats()).toMatchObject({ records: 5, filteredOut: 1, invocations: 3, discardedBatches: 0 });
});

test('from LATEST: what was written before the mapping started is not delivered', async () => {
  const table = await createTable();
  await put(table, 'before');
  const { delivered } = await startMapping(spec(table, { startingPosition: 'LATEST' }));
  await put(table, 'after');
  await eventually(async () => expect(keysOf(delivered())).toEqual(['INSERT after']), 10_000, 50);
});

test("moto's artifacts are not delivered: UpdateItem on a missing item is one INSERT of the updated item; a write that changes nothing is no record", async () => {
  const table = await createTable();
  const { delivered } = await startMapping(spec(table));
  await dynamodb.send(new UpdateItemCommand({
    TableName: table,
    Key: { pk: { S: 'new' }, sk: { S: 'STATE' } },
    UpdateExpression: 'SET #status = :status',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': { S: 'in_transit' } },
  }));
  await put(table, 'same', 'STATE', { status: { S: 'pending' } });
  await put(table, 'same', 'STATE', { status: { S: 'pending' } });
  await put(table, 'last');
  await eventually(async () => expect(keysOf(delivered())).toContain('INSERT last'), 10_000, 50);
  expect(keysOf(delivered())).toEqual(['INSERT new', 'INSERT same', 'INSERT last']);
  expect(delivered()[0].dynamodb!.NewImage).toEqual({ pk: { S: 'new' }, sk: { S: 'STATE' }, status: { S: 'in_transit' } });
});

test('after a cancelled TransactWriteItems (moto then starves existing iterators), later writes still arrive', async () => {
  const table = await createTable();
  const { delivered } = await startMapping(spec(table), undefined, { idleRefreshMs: 300 });
  await put(table, 'first');
  await eventually(async () => expect(keysOf(delivered())).toEqual(['INSERT first']), 10_000, 50);
  await expect(dynamodb.send(new TransactWriteItemsCommand({
    TransactItems: [{ Put: { TableName: table, Item: { pk: { S: 'first' }, sk: { S: 'STATE' } }, ConditionExpression: 'attribute_not_exists(pk)' } }],
  }))).rejects.toThrow(/cancel/i);
  await put(table, 'second');
  await eventually(async () => expect(keysOf(delivered())).toEqual(['INSERT first', 'INSERT second']), 10_000, 50);
});

test('a record that keeps failing is isolated by bisection, its metadata goes to the on-failure queue, and the stream moves on', async () => {
  const table = await createTable();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `on-failure-${tables}` }));
  for (const id of ['good-1', 'bad', 'good-2', 'good-3']) await put(table, id);
  const crashesOnBad = (event: DynamoDBStreamEvent): InvokeOutcome => (event.Records.some((record) => record.dynamodb!.Keys!.pk.S === 'bad')
    ? { kind: 'error', errorType: 'Error', errorMessage: 'cannot handle bad' }
    : { kind: 'result', payload: 'null' });
  const mappingSpec = spec(table, { bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 });
  const { events, mapping } = await startMapping(mappingSpec, crashesOnBad, { onFailureQueueUrl: QueueUrl });

  const message = await eventually(async () => {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(received.Messages).toHaveLength(1);
    return JSON.parse(received.Messages![0].Body!);
  }, 10_000, 100);
  const badRecord = events.flatMap((event) => event.Records).find((record) => record.dynamodb!.Keys!.pk.S === 'bad')!;
  expect(message).toMatchObject({
    requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4, functionArn: `arn:aws:lambda:${REGION}:123456789012:function:processor` },
    responseContext: { functionError: 'Unhandled' },
    DDBStreamBatchInfo: {
      batchSize: 1,
      startSequenceNumber: badRecord.dynamodb!.SequenceNumber,
      endSequenceNumber: badRecord.dynamodb!.SequenceNumber,
      streamArn: badRecord.eventSourceARN,
    },
  });
  // [all 4] → [good-1, bad] → [good-1] ok, [bad] ×2 (one retry) → discarded; [good-2, good-3] ok.
  await eventually(async () => expect(events).toHaveLength(6), 10_000, 50);
  expect(events.map((event) => keysOf(event.Records))).toEqual([
    ['INSERT good-1', 'INSERT bad', 'INSERT good-2', 'INSERT good-3'],
    ['INSERT good-1', 'INSERT bad'],
    ['INSERT good-1'],
    ['INSERT bad'],
    ['INSERT bad'],
    ['INSERT good-2', 'INSERT good-3'],
  ]);
  expect(mapping.stats().discardedBatches).toBe(1);
});

test('a throttled function gets the same batch again until it runs: not split, not a retry, never discarded', async () => {
  const table = await createTable();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `on-failure-throttled-${tables}` }));
  for (const id of ['a', 'b']) await put(table, id);
  let calls = 0;
  // No retries and bisection on: a function error would split the batch and discard it at once.
  const mappingSpec = spec(table, { maximumRetryAttempts: 0, bisectBatchOnFunctionError: true });
  const { events, mapping, log } = await startMapping(mappingSpec, () => (++calls <= 3 ? { kind: 'throttled' } : { kind: 'result', payload: 'null' }), {
    onFailureQueueUrl: QueueUrl,
  });

  await eventually(async () => expect(events).toHaveLength(4), 10_000, 50);
  expect(events.map((event) => keysOf(event.Records))).toEqual(Array(4).fill(['INSERT a', 'INSERT b']));
  expect(mapping.stats()).toMatchObject({ records: 2, invocations: 1, throttles: 3, discardedBatches: 0 });
  expect(log.filter((line) => /throttled/.test(line))).toHaveLength(1);
  expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toEqual([]);
});

test('stop() returns at once with an invocation in flight, and nothing is polled or invoked afterwards', async () => {
  const table = await createTable();
  const { events, mapping } = await startMapping(spec(table), () => new Promise<InvokeOutcome>(() => undefined));
  await put(table, 'stuck');
  await eventually(async () => expect(events).toHaveLength(1), 10_000, 50);
  const started = Date.now();
  await mapping.stop();
  expect(Date.now() - started).toBeLessThan(1_000);
  await put(table, 'later');
  // Ten poll intervals: a poller still running would have read and invoked by now.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(events).toHaveLength(1);
  expect(mapping.stats().records).toBe(1);
});
