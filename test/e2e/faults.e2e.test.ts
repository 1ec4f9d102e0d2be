import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { E2E_TIMEOUT_MS, E2eStack, ReceivedMessage, Response, startE2eStack, uniqueTrackingId, update } from './harness';

/**
 * DynamoDB unreachable mid-run: the handler answers 503 with Retry-After, and a
 * client that retries once the emulator is back loses no event and doubles none.
 *
 * The functions reach moto through the local runtime's fault proxy, which refuses
 * connections while "down" (see local/emulator/fault-proxy.ts for why not SIGSTOP): every
 * SDK attempt fails at once, so the 503 is fast and certain, and no write the
 * handler gave up on can land later. moto itself keeps running, and its state.
 *
 * The same outage seen from the stream processor: the event source mapping's
 * poller reaches moto directly (as Lambda's service would), the processor does
 * not, so a record it can neither publish nor dead-letter is retried by the
 * mapping and then discarded with Lambda's on-failure metadata.
 */

jest.setTimeout(E2E_TIMEOUT_MS);

let e2e: E2eStack;

beforeAll(async () => {
  e2e = await startE2eStack('faults', { faultInjection: true });
});

afterAll(async () => {
  await e2e?.stop();
});

describe('DynamoDB unreachable', () => {
  test('answers 503 with Retry-After while down; retries after recovery store every event exactly once', async () => {
    const shipments = [uniqueTrackingId('outage'), uniqueTrackingId('outage')];
    const events = shipments.flatMap((id) => [1, 2, 3, 4, 5].map((n) => update(id, { event_id: `e${n}`, event_time: `2026-04-0${n}T08:00:00Z` })));
    const [before, during, after] = [events.slice(0, 4), events.slice(4, 8), events.slice(8)];

    const acknowledged = new Set<string>();
    const acknowledge = (response: Response) => {
      if (response.status === 200) acknowledged.add(`${response.json.tracking_id}/${response.json.event_id}`);
      return response;
    };

    for (const event of before) expect(acknowledge(await e2e.track(event)).status).toBe(200);

    await e2e.stack.faults!.refuseConnections();
    const started = Date.now();
    const refused = await Promise.all(during.map((event) => e2e.track(event).then(acknowledge)));
    const refusedWithinMs = Date.now() - started;
    refused.forEach((response, i) => {
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      // With the ids to resend under: the contract's safe retry.
      expect(response.json).toEqual({ error: 'service temporarily unavailable, retry later', tracking_id: during[i].tracking_id, event_id: during[i].event_id });
    });
    // Reads fail the same way.
    const read = await e2e.status(shipments[0]);
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toBe('1');
    // Well inside the 10 s function timeout: refused connections fail every SDK attempt at once.
    expect(refusedWithinMs).toBeLessThan(5_000);

    await e2e.stack.faults!.restore();
    // The client retries what failed, and (being unsure) re-sends one that had succeeded.
    for (const event of [...during, before[0]]) expect(acknowledge(await e2e.track(event)).status).toBe(200);
    for (const event of after) expect(acknowledge(await e2e.track(event)).status).toBe(200);

    expect(acknowledged.size).toBe(events.length);
    for (const id of shipments) {
      expect(await e2e.countEvents(id)).toBe(5);
      const status = await e2e.status(id);
      expect(status.json.count).toBe(5);
      expect(status.json.current).toMatchObject({ event_id: 'e5', version: 5 });
    }
  });
});

describe('the stream processor cut off from EventBridge and its dead-letter queue', () => {
  const changesOf = (trackingId: string) => (message: ReceivedMessage) => message.body.detail?.tracking_id === trackingId;

  /** Waits until a status change written now is published: every earlier record has been handled. */
  async function streamHandled(): Promise<void> {
    const sentinel = uniqueTrackingId('sentinel');
    expect((await e2e.track(update(sentinel))).status).toBe(200);
    await e2e.queues.statusChanges.waitFor(changesOf(sentinel), 1, 15_000);
  }

  test("the mapping retries the batch, then sends Lambda's on-failure metadata (shard and sequence range, not the record) to the DLQ", async () => {
    await streamHandled();
    const earlier = new Set(await e2e.queues.deadLetter.drain());
    const id = uniqueTrackingId('unpublishable');

    await e2e.stack.faults!.refuseConnections();
    let metadata: ReceivedMessage;
    try {
      // Written straight to moto (the handler cannot reach it now): a valid state item, a status to publish.
      await e2e.dynamodb.send(new PutItemCommand({
        TableName: e2e.tableName,
        Item: {
          pk: { S: `TRACK#${id}` },
          sk: { S: 'STATE' },
          tracking_id: { S: id },
          status: { S: 'in_transit' },
          updated_at: { S: '2026-04-10T08:00:00.000Z' },
          last_event_id: { S: 'e1' },
          version: { N: '1' },
          location: { M: { lat: { N: '52.52' }, lng: { N: '13.405' } } },
        },
      }));
      // 4 invocations (the processor's own publish retries and dead-letter attempts in each) and the mapping's backoff.
      [metadata] = await e2e.queues.deadLetter.waitFor((message) => !earlier.has(message) && message.body.requestContext !== undefined, 1, 40_000);
    } finally {
      await e2e.stack.faults!.restore();
    }

    const mapping = e2e.stack.template.streamMappings[0];
    const processor = e2e.stack.template.functions.get(mapping.functionLogicalId)!;
    expect(metadata.body).toEqual({
      requestContext: { requestId: expect.any(String), functionArn: processor.arn, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
      // With every record of a batch failed, the processor's batch utility throws: a function error.
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.any(String),
      DDBStreamBatchInfo: {
        shardId: expect.any(String),
        startSequenceNumber: expect.any(String),
        endSequenceNumber: expect.any(String),
        approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
        batchSize: 1,
        streamArn: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:us-east-1:123456789012:table/${e2e.tableName}/stream/`)),
      },
    });
    const info = metadata.body.DDBStreamBatchInfo;
    expect(info.endSequenceNumber).toBe(info.startSequenceNumber);

    // The metadata is a pointer: the record itself is read back from the stream at that sequence number.
    const { emulator, region, credentials } = e2e.stack;
    const streams = new DynamoDBStreamsClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 });
    try {
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({
        StreamArn: info.streamArn, ShardId: info.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: info.startSequenceNumber,
      }));
      const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1 }));
      expect(Records?.[0]?.dynamodb?.Keys).toEqual({ pk: { S: `TRACK#${id}` }, sk: { S: 'STATE' } });
    } finally {
      streams.destroy();
    }

    // Discarded for good: once EventBridge is reachable again, the stream has moved past it.
    await streamHandled();
    expect((await e2e.queues.statusChanges.drain()).filter(changesOf(id))).toEqual([]);
    expect(e2e.stack.streamStats()[mapping.logicalId].discardedBatches).toBeGreaterThanOrEqual(1);
  });
});
