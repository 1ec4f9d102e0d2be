import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { CONFIG_CACHE_TTL_SECONDS, E2E_TIMEOUT_MS, E2eStack, eventually, ReceivedMessage, startE2eStack, uniqueTrackingId, update } from './harness';

/**
 * Status-change events end to end: POST /track writes the state item on moto,
 * the local runtime polls the table's stream and invokes the stream processor
 * (Node 24 worker) through the template's event source mapping and filter, the
 * processor publishes to the template's bus, and moto's EventBridge delivers to
 * the queues of the e2e app's `onStatusChanged` rules, which the tests read.
 *
 * "No event" is proven, not waited for: the stream is read in order, one batch at
 * a time, so once a later record has been handled (a *sentinel*: a malformed state
 * item written straight to the table, which the processor dead-letters whatever
 * the flags say), every earlier one has been too.
 */

jest.setTimeout(E2E_TIMEOUT_MS);

/** Stream poll, a processor cold start and the publish, on a slow machine. */
const EVENT_WINDOW_MS = 15_000;
/** A cache expiry, plus time for the refresh and a slow machine. */
const TTL_WINDOW_MS = CONFIG_CACHE_TTL_SECONDS * 1000 * 3 + 2_000;

let e2e: E2eStack;

beforeAll(async () => {
  e2e = await startE2eStack('events');
});

afterAll(async () => {
  await e2e?.stop();
});

const changesOf = (trackingId: string) => (message: ReceivedMessage) =>
  message.body['detail-type'] === 'Tracking Status Changed' && message.body.detail?.tracking_id === trackingId;
const deadLettersOf = (trackingId: string) => (message: ReceivedMessage) =>
  message.body.record?.dynamodb?.Keys?.pk?.S === `TRACK#${trackingId}`;

/** A state item with no status, as a corrupted write would leave it. */
async function writeMalformedState(trackingId: string): Promise<void> {
  await e2e.dynamodb.send(new PutItemCommand({
    TableName: e2e.tableName,
    Item: { pk: { S: `TRACK#${trackingId}` }, sk: { S: 'STATE' }, tracking_id: { S: trackingId }, version: { N: '1' } },
  }));
}

/** Returns once the stream processor has handled every record written before this call. */
async function streamHandled(): Promise<void> {
  const sentinel = uniqueTrackingId('sentinel');
  await writeMalformedState(sentinel);
  await e2e.queues.deadLetter.waitFor(deadLettersOf(sentinel), 1, EVENT_WINDOW_MS);
}

async function eventsFor(trackingId: string): Promise<any[]> {
  return (await e2e.queues.statusChanges.drain()).filter(changesOf(trackingId)).map((message) => message.body);
}

async function putFlags(flags: Record<string, boolean>): Promise<void> {
  await e2e.ssm.send(new PutParameterCommand({ Name: e2e.flagsParameterName, Type: 'String', Value: JSON.stringify(flags), Overwrite: true }));
}

describe('Tracking Status Changed reaches the rule targets', () => {
  test("a shipment's first update publishes one event from no status, and a status change one more with the right detail", async () => {
    const id = uniqueTrackingId('change');
    expect((await e2e.track(update(id, { event_id: 'scan-1', event_time: '2026-05-01T08:00:00Z' }))).status).toBe(200);
    const [first] = await e2e.queues.statusChanges.waitFor(changesOf(id), 1, EVENT_WINDOW_MS);
    expect(first.body).toMatchObject({
      'source': 'logistics.tracking',
      'detail-type': 'Tracking Status Changed',
      'detail': { tracking_id: id, previous_status: null, status: 'in_transit', event_id: 'scan-1', version: 1 },
    });

    const posted = await e2e.track(update(id, { event_id: 'scan-2', status: 'delivered', event_time: '2026-05-02T09:30:00Z', location: { lat: 48.1, lng: 11.6 } }));
    expect(posted.status).toBe(200);
    await e2e.queues.statusChanges.waitFor(changesOf(id), 2, EVENT_WINDOW_MS);
    await streamHandled();
    const events = await eventsFor(id);
    expect(events).toHaveLength(2);
    // moto records the first UpdateItem as two INSERTs, the first of the bare key: the
    // local runtime passes on only the one AWS would write, so nothing was dead-lettered.
    expect((await e2e.queues.deadLetter.drain()).filter(deadLettersOf(id))).toEqual([]);
    expect(events[1].detail).toEqual({
      tracking_id: id,
      previous_status: 'in_transit',
      status: 'delivered',
      event_time: '2026-05-02T09:30:00.000Z',
      location: { lat: 48.1, lng: 11.6 },
      event_id: 'scan-2',
      version: 2,
    });
  });

  test('the rule filtered to delivered receives deliveries only', async () => {
    const id = uniqueTrackingId('filtered');
    await e2e.track(update(id, { event_id: 'a', status: 'out_for_delivery', event_time: '2026-05-03T08:00:00Z' }));
    await e2e.track(update(id, { event_id: 'b', status: 'delivered', event_time: '2026-05-03T12:00:00Z' }));
    await e2e.queues.statusChanges.waitFor(changesOf(id), 2, EVENT_WINDOW_MS);
    await streamHandled();
    const deliveries = (await e2e.queues.deliveries.drain()).filter(changesOf(id));
    expect(deliveries.map((message) => message.body.detail.status)).toEqual(['delivered']);
  });

  test('a same-status update publishes nothing', async () => {
    const id = uniqueTrackingId('same');
    await e2e.track(update(id, { event_id: 'a', event_time: '2026-05-04T08:00:00Z' }));
    await e2e.queues.statusChanges.waitFor(changesOf(id), 1, EVENT_WINDOW_MS);
    const again = await e2e.track(update(id, { event_id: 'b', event_time: '2026-05-04T10:00:00Z', location: { lat: 50.1, lng: 8.7 } }));
    expect(again.status).toBe(200);
    // The state item did move (a new event, a new location): only its status stayed.
    expect((await e2e.status(id)).json.current).toMatchObject({ status: 'in_transit', event_id: 'b', version: 2 });
    await streamHandled();
    expect((await eventsFor(id)).map((event) => event.detail.version)).toEqual([1]);
  });

  test('an event older than the current state publishes nothing', async () => {
    const id = uniqueTrackingId('older');
    await e2e.track(update(id, { event_id: 'late', status: 'delivered', event_time: '2026-05-05T12:00:00Z' }));
    await e2e.queues.statusChanges.waitFor(changesOf(id), 1, EVENT_WINDOW_MS);
    expect((await e2e.track(update(id, { event_id: 'early', status: 'in_transit', event_time: '2026-05-05T08:00:00Z' }))).status).toBe(200);
    await streamHandled();
    expect((await eventsFor(id)).map((event) => event.detail.status)).toEqual(['delivered']);
    expect((await e2e.status(id)).json.current.status).toBe('delivered');
  });
});

describe('a record the processor cannot read', () => {
  test('a state item without a status lands in the dead-letter queue with its content, and publishes nothing', async () => {
    const id = uniqueTrackingId('poisoned');
    await writeMalformedState(id);
    const [message] = await e2e.queues.deadLetter.waitFor(deadLettersOf(id), 1, EVENT_WINDOW_MS);
    expect(message.attributes).toEqual({ kind: 'logistics-tracking.stream-record', reason: 'malformed' });
    expect(message.body).toMatchObject({
      kind: 'logistics-tracking.stream-record',
      reason: 'malformed',
      error: { name: 'MalformedRecord', message: 'NewImage.status is missing' },
      attempts: 0,
      event_source_arn: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:us-east-1:123456789012:table/${e2e.tableName}/stream/`)),
      sequence_number: message.body.record.dynamodb.SequenceNumber,
    });
    // The record as Lambda delivers it: what was written, to replay once mended.
    expect(message.body.record).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: message.body.event_source_arn,
      dynamodb: {
        Keys: { pk: { S: `TRACK#${id}` }, sk: { S: 'STATE' } },
        NewImage: { pk: { S: `TRACK#${id}` }, sk: { S: 'STATE' }, tracking_id: { S: id }, version: { N: '1' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(await eventsFor(id)).toEqual([]);
  });
});

describe('real_time_notifications, flipped in SSM', () => {
  afterAll(async () => {
    await putFlags({ enhanced_tracking: true, batch_processing: false, real_time_notifications: true });
  });

  test('off: a status change publishes nothing; back on: it publishes again', async () => {
    await putFlags({ enhanced_tracking: true, batch_processing: false, real_time_notifications: false });
    // Until the processor's cached flags expire, a change may still publish: probe until one does not.
    await eventually(async () => {
      const probe = uniqueTrackingId('off-probe');
      await e2e.track(update(probe));
      await streamHandled();
      expect(await eventsFor(probe)).toEqual([]);
    }, TTL_WINDOW_MS);

    const id = uniqueTrackingId('flag-off');
    await e2e.track(update(id, { event_id: 'a', event_time: '2026-05-06T08:00:00Z' }));
    await e2e.track(update(id, { event_id: 'b', status: 'delivered', event_time: '2026-05-06T12:00:00Z' }));
    await streamHandled();
    expect(await eventsFor(id)).toEqual([]);

    await putFlags({ enhanced_tracking: true, batch_processing: false, real_time_notifications: true });
    await eventually(async () => {
      const probe = uniqueTrackingId('on-probe');
      await e2e.track(update(probe));
      await e2e.queues.statusChanges.waitFor(changesOf(probe), 1, 1_500);
    }, TTL_WINDOW_MS);
    await e2e.track(update(id, { event_id: 'c', status: 'returned', event_time: '2026-05-06T18:00:00Z' }));
    const [event] = await e2e.queues.statusChanges.waitFor(changesOf(id), 1, EVENT_WINDOW_MS);
    expect(event.body.detail).toMatchObject({ previous_status: 'delivered', status: 'returned', version: 3 });
  });
});
