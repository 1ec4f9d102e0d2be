import * as fs from 'fs';
import * as path from 'path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { E2E_TIMEOUT_MS, E2eStack, eventually, ReceivedMessage, startE2eStack, uniqueTrackingId, update } from './harness';

/**
 * Delivery analytics end to end: updates posted through the local API, the
 * stream processor (Node 24 worker) invoked by the local event source mapping,
 * its history query and conditional put on moto, its metrics as embedded-metric-
 * format lines in the functions' log. A delivery counts once: the same events
 * posted again, and a second change to delivered, leave one delivery record and
 * one line of delivery figures.
 *
 * "Handled" is proven as in events.e2e.test.ts: a sentinel record written after
 * everything else (a malformed state item, which the processor dead-letters)
 * comes out of the ordered stream only after every earlier record.
 */

jest.setTimeout(E2E_TIMEOUT_MS);

/** Stream poll, a processor cold start and the work, on a slow machine. */
const EVENT_WINDOW_MS = 15_000;

let e2e: E2eStack;

beforeAll(async () => {
  e2e = await startE2eStack('analytics');
});

afterAll(async () => {
  await e2e?.stop();
});

const changesOf = (trackingId: string) => (message: ReceivedMessage) =>
  message.body['detail-type'] === 'Tracking Status Changed' && message.body.detail?.tracking_id === trackingId;

/** Returns once the stream processor has handled every record written before this call. */
async function streamHandled(): Promise<void> {
  const sentinel = uniqueTrackingId('sentinel');
  await e2e.dynamodb.send(new PutItemCommand({
    TableName: e2e.tableName,
    Item: { pk: { S: `TRACK#${sentinel}` }, sk: { S: 'STATE' }, tracking_id: { S: sentinel }, version: { N: '1' } },
  }));
  await e2e.queues.deadLetter.waitFor((message) => message.body.record?.dynamodb?.Keys?.pk?.S === `TRACK#${sentinel}`, 1, EVENT_WINDOW_MS);
}

async function deliveryRecord(trackingId: string): Promise<Record<string, unknown> | undefined> {
  const output = await e2e.dynamodb.send(new GetItemCommand({
    TableName: e2e.tableName,
    Key: { pk: { S: `TRACK#${trackingId}` }, sk: { S: 'DELIVERY' } },
    ConsistentRead: true,
  }));
  return output.Item && unmarshall(output.Item);
}

/** The EMF lines the functions wrote that name `trackingId` (the processor adds it to each shipment figure line). */
function metricLinesOf(trackingId: string): Record<string, any>[] {
  const log = fs.readFileSync(path.join(e2e.stack.logDir, 'functions.log'), 'utf8');
  return log.split('\n').flatMap((line) => {
    const start = line.indexOf('{');
    if (start < 0) return [];
    try {
      const parsed = JSON.parse(line.slice(start));
      return parsed?._aws && parsed.tracking_id === trackingId ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

describe('a delivered shipment is counted once', () => {
  test('posted through to delivered, its events posted again, and delivered a second time: one record, one set of figures', async () => {
    const id = uniqueTrackingId('delivered');
    const events = [
      update(id, { event_id: 'e1', status: 'in_transit', event_time: '2026-06-01T08:00:00Z', eta: '2026-06-03T18:00:00Z' }),
      // The last ETA before the delivery, with an offset: 10:00Z.
      update(id, { event_id: 'e2', status: 'out_for_delivery', event_time: '2026-06-03T07:00:00Z', eta: '2026-06-03T12:00:00+02:00' }),
      update(id, { event_id: 'e3', status: 'attempt_failed', event_time: '2026-06-03T09:00:00Z' }),
      update(id, { event_id: 'e4', status: 'delivered', event_time: '2026-06-03T11:30:00Z' }),
    ];
    for (const event of events) expect((await e2e.track(event)).status).toBe(200);
    await e2e.queues.statusChanges.waitFor(
      (message) => changesOf(id)(message) && message.body.detail.status === 'delivered', 1, EVENT_WINDOW_MS);

    // The same events again (a client retrying), then a second change to delivered: after
    // a delivery only a terminal status moves a shipment, so by way of returned.
    for (const event of events) expect((await e2e.track(event)).status).toBe(200);
    expect((await e2e.track(update(id, { event_id: 'e5', status: 'returned', event_time: '2026-06-03T12:00:00Z' }))).status).toBe(200);
    expect((await e2e.track(update(id, { event_id: 'e6', status: 'delivered', event_time: '2026-06-03T13:00:00Z', eta: '2026-06-04T00:00:00Z' }))).status)
      .toBe(200);
    const deliveries = await e2e.queues.statusChanges.waitFor(
      (message) => changesOf(id)(message) && message.body.detail.status === 'delivered', 2, EVENT_WINDOW_MS);
    expect(deliveries.map((message) => message.body.detail.event_id)).toEqual(['e4', 'e6']);
    await streamHandled();

    // Measured at the first delivery, against the ETA it carried then; the second found the record and changed nothing.
    expect(await deliveryRecord(id)).toEqual({
      pk: `TRACK#${id}`,
      sk: 'DELIVERY',
      tracking_id: id,
      first_seen_at: '2026-06-01T08:00:00.000Z',
      delivered_at: '2026-06-03T11:30:00.000Z',
      transit_seconds: 2 * 86_400 + 3.5 * 3600,
      delivery_attempts: 1,
      eta: '2026-06-03T12:00:00+02:00',
      punctuality: 'late',
      state_version: 4,
      counted_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });

    // The log file is written asynchronously: wait for the line, then make sure it stays alone.
    const [figures] = await eventually(async () => {
      const lines = metricLinesOf(id);
      if (lines.length === 0) throw new Error(`no metric line of ${id} in functions.log yet`);
      return lines;
    }, 5_000);
    expect(metricLinesOf(id)).toHaveLength(1);
    expect(figures).toMatchObject({
      service: 'logistics-tracking-notifications',
      TransitTime: 185_400,
      DeliveryAttempts: 1,
      DeliveredLate: 1,
    });
    expect(figures._aws.CloudWatchMetrics).toEqual([{
      Namespace: 'LogisticsTracking',
      Dimensions: [['service']],
      Metrics: [
        { Name: 'TransitTime', Unit: 'Seconds' },
        { Name: 'DeliveryAttempts', Unit: 'Count' },
        { Name: 'DeliveredLate', Unit: 'Count' },
      ],
    }]);
    // Nothing of it was dead-lettered: both deliveries were handled, the second by finding the record.
    const deadLetters = (await e2e.queues.deadLetter.drain()).filter((message) => message.body.record?.dynamodb?.Keys?.pk?.S === `TRACK#${id}`);
    expect(deadLetters).toEqual([]);
  });
});
