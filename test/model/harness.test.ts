import * as net from 'net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ModelHarness, startModelHarness } from './harness';
import { connectionRefusedError, requestTimeoutError, throttleError } from './harness/fault-injector';
import { InvocationClock, invokeApiHandler, lambdaContext, proxyEvent } from './harness/invocation';
import { StreamDelivery } from './harness/stream-delivery';
import type { FunctionSpec } from '../../local/assembly/template';
import { PASS_ALL } from '../../local/events/event-filter';

/**
 * Smoke test of the model harness: each capability the model-based properties
 * rely on, shown working once against the real handlers and moto.
 */

jest.setTimeout(60_000);

let harness: ModelHarness;

beforeAll(async () => {
  harness = await startModelHarness({ name: 'harness-smoke' });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

beforeEach(async () => {
  await harness.reset();
});

let sequence = 0;
/** A valid POST /track body with an event_id and event_time of its own. */
function update(trackingId: string, status: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  sequence++;
  const eventTime = new Date(Date.parse('2026-05-01T08:00:00Z') + sequence * 60_000).toISOString();
  return { tracking_id: trackingId, event_id: `scan-${sequence}`, event_time: eventTime, status, location: { lat: 52.52, lng: 13.405 }, ...fields };
}

const itemsOf = (items: Record<string, unknown>[], trackingId: string) => items.filter((item) => item.pk === `TRACK#${trackingId}`).map((item) => String(item.sk)).sort();

describe('requests reach the real handler in process, over moto', () => {
  test('POST /track stores the event and the state item in the table, and GET /status reads them back', async () => {
    const posted = await harness.postTrack(update('PKG-1', 'in_transit'));
    expect(posted.status).toBe(200);
    expect(posted.headers['Content-Type']).toBe('application/json');
    expect(posted.body).toMatchObject({ tracking_id: 'PKG-1', status: 'in_transit', duplicate: false });

    expect(itemsOf(await harness.scanItems(), 'PKG-1')).toEqual([`EVENT#${posted.body.event_id}`, 'STATE']);

    const status = await harness.getStatus('PKG-1');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ tracking_id: 'PKG-1', current: { status: 'in_transit', version: 1 }, count: 1 });
  });

  test('a string body is sent as it is', async () => {
    const posted = await harness.postTrack('{"tracking_id":');
    expect(posted.status).toBe(400);
    expect(await harness.scanItems()).toEqual([]);
  });

  test('POST /track/batch is on, and GET /shipments lists by current status', async () => {
    const batch = await harness.postBatch({ updates: [update('PKG-A', 'in_transit'), update('PKG-B', 'in_transit'), update('PKG-A', 'delivered')] });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((result: { result: string }) => result.result)).toEqual(['accepted', 'accepted', 'accepted']);

    const inTransit = await harness.getShipments('in_transit');
    expect(inTransit.status).toBe(200);
    expect(inTransit.body.shipments.map((shipment: { tracking_id: string }) => shipment.tracking_id)).toEqual(['PKG-B']);
    const delivered = await harness.getShipments('delivered', { limit: '5' });
    expect(delivered.body.shipments.map((shipment: { tracking_id: string }) => shipment.tracking_id)).toEqual(['PKG-A']);
  });

  test('reset() leaves an empty table and a new, empty stream', async () => {
    expect((await harness.postTrack(update('PKG-R', 'in_transit'))).status).toBe(200);
    await harness.reset();
    expect(await harness.scanItems()).toEqual([]);
    expect(await harness.publishedStatusChanges()).toEqual([]);
    expect(harness.lastStreamRun?.recordsRead).toBe(0);
    expect((await harness.getStatus('PKG-R')).status).toBe(404);
  });

  test('a function that throws or runs past its timeout is answered 502, as API Gateway answers it', async () => {
    const fn = { name: 'fn', arn: 'arn:fn', memoryMb: 512, logGroupName: '/aws/lambda/fn', timeoutSeconds: 0.05 } as FunctionSpec;
    const event = proxyEvent({ method: 'GET', resource: '/status' });
    const slow = await invokeApiHandler(fn, async () => {
      await new Promise((resolve) => setTimeout(resolve, 80));
      return { statusCode: 200, body: '{}' };
    }, event);
    expect(slow).toMatchObject({ status: 502, body: { message: 'Internal server error' }, functionError: 'Task timed out after 0.05 seconds' });
    const thrown = await invokeApiHandler(fn, async () => {
      throw new TypeError('boom');
    }, event);
    expect(thrown).toMatchObject({ status: 502, functionError: 'TypeError: boom' });
  });

  test('the Lambda context counts the function timeout down from the start of the invocation', async () => {
    const clock = new InvocationClock(10_000);
    const context = lambdaContext({ name: 'fn', arn: 'arn:fn', memoryMb: 512, logGroupName: '/aws/lambda/fn' } as FunctionSpec, clock, 'request-1');
    const first = context.getRemainingTimeInMillis();
    expect(first).toBeGreaterThan(9_950);
    expect(first).toBeLessThanOrEqual(10_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(first - 50);
  });
});

describe('faults injected into the handler\'s DynamoDB client, below the SDK\'s retries', () => {
  test('one throttle of the state write is absorbed by the SDK\'s own retry: 200, two UpdateItem attempts', async () => {
    const fired = harness.faults.fired;
    harness.faults.inject({ operation: 'UpdateItem', kind: 'throttle', times: 1 });
    const posted = await harness.postTrack(update('PKG-T1', 'in_transit'));
    expect(posted.status).toBe(200);
    expect(harness.faults.fired).toBe(fired + 1);
    expect(harness.faults.pending).toBe(0);
    expect(harness.faults.attempts('PutItem')).toBe(1);
    expect(harness.faults.attempts('UpdateItem')).toBe(2);
  });

  test('three throttles of the state write fail the call: 503 + Retry-After, the event stored and the state not; the retry the contract prescribes repairs it', async () => {
    const body = update('PKG-T3', 'in_transit');
    harness.faults.inject({ operation: 'UpdateItem', kind: 'throttle', times: 3 });
    const failed = await harness.postTrack(body);
    expect(failed.status).toBe(503);
    expect(failed.headers['Retry-After']).toBe('1');
    expect(harness.faults.attempts('UpdateItem')).toBe(3);
    expect(itemsOf(await harness.scanItems(), 'PKG-T3')).toEqual([`EVENT#${body.event_id}`]);

    const retried = await harness.postTrack(body);
    expect(retried.status).toBe(200);
    expect(retried.body.duplicate).toBe(true);
    expect(itemsOf(await harness.scanItems(), 'PKG-T3')).toEqual([`EVENT#${body.event_id}`, 'STATE']);
  });

  test.each(['refused', 'timeout-before'] as const)('%s on every attempt of the event write: 503, and nothing reached the table', async (kind) => {
    harness.faults.inject({ operation: 'PutItem', kind, times: 3 });
    const posted = await harness.postTrack(update('PKG-N', 'in_transit'));
    expect(posted.status).toBe(503);
    expect(harness.faults.attempts('PutItem')).toBe(3);
    expect(harness.faults.attempts('UpdateItem')).toBe(0);
    expect(await harness.scanItems()).toEqual([]);
  });

  test('timeout-after: the write IS applied though the caller is told it failed', async () => {
    const body = update('PKG-TA', 'in_transit');
    harness.faults.inject({ operation: 'PutItem', kind: 'timeout-after', times: 3 });
    const posted = await harness.postTrack(body);
    expect(posted.status).toBe(503);
    expect(harness.faults.attempts('PutItem')).toBe(3);
    expect(itemsOf(await harness.scanItems(), 'PKG-TA')).toEqual([`EVENT#${body.event_id}`]);
  });

  test('`after` lets matching attempts through first, `*` matches every operation, clear() disarms', async () => {
    harness.faults.inject({ operation: '*', kind: 'refused', times: 3, after: 1 });
    // PutItem passes; the three UpdateItem attempts fail.
    const posted = await harness.postTrack(update('PKG-AF', 'in_transit'));
    expect(posted.status).toBe(503);
    expect([harness.faults.attempts('PutItem'), harness.faults.attempts('UpdateItem')]).toEqual([1, 3]);

    harness.faults.inject({ operation: 'GetItem', kind: 'throttle', times: 5 });
    expect(harness.faults.pending).toBe(5);
    harness.faults.clear();
    expect(harness.faults.pending).toBe(0);
    expect((await harness.getStatus('PKG-AF')).status).toBe(404);
  });

  test('`match` narrows a fault to one shipment\'s attempts among a batch\'s concurrent calls', async () => {
    // More than the handler's retries (the SDK's and the batch's own rounds) can absorb.
    harness.faults.inject({ operation: 'UpdateItem', kind: 'refused', times: 100, match: (input) => JSON.stringify(input).includes('TRACK#PKG-M2') });
    const batch = await harness.postBatch({ updates: [update('PKG-M1', 'in_transit'), update('PKG-M2', 'in_transit'), update('PKG-M3', 'in_transit')] });
    harness.faults.clear();
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((result: { result: string }) => result.result)).toEqual(['accepted', 'rejected', 'accepted']);
    const items = await harness.scanItems();
    expect([itemsOf(items, 'PKG-M1'), itemsOf(items, 'PKG-M2'), itemsOf(items, 'PKG-M3')].map((sks) => sks.includes('STATE'))).toEqual([true, false, true]);
  });

  test('the SDK\'s retry quota is the real one (lost answers of conditional writes drain it) and reset() refills it', async () => {
    // Each lost PutItem answer costs the quota a timeout retry (14 of 500), which the retry's
    // ConditionalCheckFailed never refunds: after about 36 the SDK stops retrying.
    let absorbed = 0;
    for (; absorbed < 60; absorbed++) {
      harness.faults.inject({ operation: 'PutItem', kind: 'timeout-after', times: 1 });
      if ((await harness.postTrack(update('PKG-RQ', 'in_transit'))).status !== 200) break;
    }
    expect(absorbed).toBeGreaterThan(30);
    expect(absorbed).toBeLessThan(60);

    await harness.reset();
    harness.faults.inject({ operation: 'PutItem', kind: 'timeout-after', times: 1 });
    const afterReset = await harness.postTrack(update('PKG-RQ', 'in_transit'));
    expect(afterReset.status).toBe(200);
    // The nasty case in full: the first attempt stored the event, its answer was lost, the SDK's retry
    // found it stored — so the very first POST of this event is answered as a duplicate.
    expect(afterReset.body.duplicate).toBe(true);
  });

  test('GET and Query faults reach the read path', async () => {
    expect((await harness.postTrack(update('PKG-Q', 'in_transit'))).status).toBe(200);
    harness.faults.inject({ operation: 'Query', kind: 'timeout-before', times: 3 });
    expect((await harness.getStatus('PKG-Q')).status).toBe(503);
    // GET /shipments queries the 8 shards of the status index at once: their attempts take the faults in turn.
    harness.faults.inject({ operation: 'Query', kind: 'refused', times: 8 * 3 });
    expect((await harness.getShipments('in_transit')).status).toBe(503);
    harness.faults.clear();
    expect((await harness.getStatus('PKG-Q')).status).toBe(200);
  });
});

describe('the injected errors are the SDK\'s own shapes', () => {
  // $metadata is added by the SDK's retry middleware above the injection point, to both alike.
  const shape = (error: any) => ({
    name: error.name,
    message: error.message,
    code: error.code,
    errno: error.errno,
    syscall: error.syscall,
    keys: Object.keys(error).filter((key) => key !== '$metadata').sort(),
  });

  test('refused is what the SDK\'s HTTP handler rejects with when nothing listens', async () => {
    const port = await closedPort();
    const real = await rawAttemptError(`http://127.0.0.1:${port}`, 3_000);
    expect(shape(connectionRefusedError('127.0.0.1', port))).toEqual(shape(real));
  });

  test('timeout-before/after are what the SDK\'s HTTP handler rejects with when requestTimeout passes', async () => {
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const real = await rawAttemptError(`http://127.0.0.1:${port}`, 200);
      expect(shape(requestTimeoutError(200))).toEqual(shape(real));
    } finally {
      server.close();
    }
  });

  test('throttle is DynamoDB\'s ProvisionedThroughputExceededException, a client fault with HTTP 400', () => {
    const error = throttleError();
    expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(error.$metadata.requestId).toMatch(/^[A-Z0-9]{52}$/);
  });
});

describe('the stream processor publishes the status changes', () => {
  test('one event per change, in order, with the version; nothing for a same-status update; a second call returns only what is new', async () => {
    const first = update('PKG-S', 'in_transit');
    expect((await harness.postTrack(first)).status).toBe(200);
    expect((await harness.postTrack(update('PKG-S', 'in_transit'))).status).toBe(200);
    const delivered = update('PKG-S', 'delivered', { location: { lat: 48.1, lng: 11.6 } });
    expect((await harness.postTrack(delivered)).status).toBe(200);

    const published = await harness.publishedStatusChanges();
    const change = (previous: string | null, body: Record<string, unknown>, version: number) => ({
      tracking_id: 'PKG-S', previous_status: previous, status: body.status, event_time: body.event_time, location: body.location, event_id: body.event_id, version,
    });
    expect(published).toEqual([change(null, first, 1), change('in_transit', delivered, 3)]);
    const run = harness.lastStreamRun!;
    // 3 event items + 3 state writes, and moto's extra INSERT of the bare key for the first UpdateItem.
    expect(run).toMatchObject({ recordsRead: 7, artifactsDropped: 1, filteredOut: 3, recordsDelivered: 3 });
    expect(run).toMatchObject({ invocations: 1, failedInvocations: 0, recordsDiscarded: 0, deadLetters: [] });

    expect(await harness.publishedStatusChanges()).toEqual([]);
    expect((await harness.postTrack(update('PKG-S', 'returned'))).status).toBe(200);
    expect(await harness.publishedStatusChanges()).toEqual([expect.objectContaining({ previous_status: 'delivered', status: 'returned', version: 4 })]);
  });
});

describe('stream records are delivered as the template\'s mapping delivers them', () => {
  test('in batches of the mapping\'s size, re-delivering from the first record a batchItemFailures names', async () => {
    expect((await harness.postTrack(update('PKG-D', 'in_transit'))).status).toBe(200);
    expect((await harness.postTrack(update('PKG-D', 'delivered'))).status).toBe(200);
    const { endpoint, region, credentials, tableName } = harness.aws;
    const sqs = new SQSClient({ endpoint, region, credentials });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'delivery-probe' }))).QueueUrl!;
    sqs.destroy();

    const batches: string[][] = [];
    const delivery = new StreamDelivery({
      endpoint,
      region,
      credentials,
      mapping: {
        logicalId: 'Mapping',
        functionLogicalId: 'Fn',
        tableLogicalId: 'Table',
        tableName,
        batchSize: 2,
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: 3,
        reportBatchItemFailures: true,
        filter: PASS_ALL,
      },
      processor: { name: 'fn', arn: 'arn:fn', memoryMb: 128, logGroupName: '/aws/lambda/fn', timeoutSeconds: 60 } as FunctionSpec,
      handler: async (event) => {
        const sequenceNumbers = event.Records.map((record) => record.dynamodb!.SequenceNumber!);
        batches.push(sequenceNumbers);
        // The first invocation reports its second record as failed.
        return { batchItemFailures: batches.length === 1 ? [{ itemIdentifier: sequenceNumbers[1] }] : [] };
      },
      statusChangesQueueUrl: queueUrl,
      deadLetterQueueUrl: queueUrl,
    });
    try {
      const run = await delivery.run();
      // Two event items and two state writes (moto's extra INSERT taken out), in stream order.
      expect(run).toMatchObject({ recordsRead: 5, artifactsDropped: 1, recordsDelivered: 4, invocations: 3, failedInvocations: 1 });
      const [first, second] = [batches[0], batches[2]];
      expect(batches).toEqual([first, [first[1]], second]);
      expect(new Set([...first, ...second]).size).toBe(4);
    } finally {
      delivery.destroy();
    }
  });
});

/**
 * The error one attempt of a real DynamoDB client fails with, as it leaves the
 * HTTP handler — where the harness injects its faults. Captured there because
 * further up, under jest only, the SDK's retry middleware wraps Node's own
 * errors (created outside jest's realm, so not \`instanceof Error\` for the SDK)
 * into "AWS SDK error wrapper for …" and drops their `code`; on Lambda they pass
 * through unchanged, as the injected ones do.
 */
async function rawAttemptError(endpoint: string, requestTimeout: number): Promise<any> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
    requestHandler: { requestTimeout, throwOnRequestTimeout: true },
  });
  let raw: unknown;
  client.middlewareStack.addRelativeTo((next: (args: any) => Promise<any>) => async (args: any) => {
    try {
      return await next(args);
    } catch (error) {
      raw = error;
      throw error;
    }
  }, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'captureAttemptError' });
  await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } })).catch(() => undefined);
  client.destroy();
  if (raw === undefined) throw new Error(`a GetItem to ${endpoint} did not fail`);
  return raw;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
