import * as http from 'http';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { E2E_TIMEOUT_MS, E2eStack, eventually, ReceivedMessage, startE2eStack, uniqueTrackingId, update } from './harness';
import { SCHEDULES_PATH } from '../../local/events/schedules';

/**
 * Stalled shipments end to end: the template's schedule runs the sweep function
 * (Node 24 worker, the bundle the construct deploys) on demand, through the local
 * runtime's `POST /_local/schedules/<rule>` or `runSchedule`; the sweep marks
 * stalls on moto's table, the stream processor publishes them, and moto's
 * EventBridge delivers them to the e2e app's `onShipmentStalled` queue. Shipments
 * are made old by their event_time (the API takes past times), not by waiting.
 */

jest.setTimeout(E2E_TIMEOUT_MS);

const DAY_MS = 24 * 60 * 60 * 1000;
/** Stream poll, a processor cold start and the publish, on a slow machine. */
const EVENT_WINDOW_MS = 15_000;

let e2e: E2eStack;
let scheduleName: string;

beforeAll(async () => {
  e2e = await startE2eStack('stalled');
  const schedule = e2e.stack.template.schedules.find((candidate) => candidate.logicalId.startsWith('TrackingSweepSchedule'));
  if (!schedule) throw new Error('the e2e app has no sweep schedule');
  scheduleName = schedule.name;
});

afterAll(async () => {
  await e2e?.stop();
});

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

interface SweepReport {
  readonly stalled: number;
  readonly expired: number;
  readonly complete: boolean;
}

/** Runs the sweep now and returns its report. */
async function sweep(): Promise<SweepReport> {
  const [run] = await e2e.stack.runSchedule(scheduleName);
  if (run.outcome.kind !== 'result') throw new Error(`the sweep did not answer: ${JSON.stringify(run.outcome)}`);
  return JSON.parse(run.outcome.payload);
}

async function state(trackingId: string): Promise<Record<string, any>> {
  const output = await e2e.dynamodb.send(new GetItemCommand({
    TableName: e2e.tableName,
    Key: { pk: { S: `TRACK#${trackingId}` }, sk: { S: 'STATE' } },
    ConsistentRead: true,
  }));
  return output.Item ? unmarshall(output.Item) : {};
}

const stallsOf = (trackingId: string) => (message: ReceivedMessage) =>
  message.body['detail-type'] === 'Tracking Shipment Stalled' && message.body.detail?.tracking_id === trackingId;

async function track(trackingId: string, status: string, eventTime: string, eventId: string): Promise<void> {
  const response = await e2e.track(update(trackingId, { status, event_time: eventTime, event_id: eventId }));
  expect(response.status).toBe(200);
}

describe('the sweep reports a stall once, and again after the shipment moves and stalls again', () => {
  test('in_transit for 6 days (threshold 5) is stalled; a second sweep reports nothing new; out_for_delivery for 2 days stalls again', async () => {
    const stuck = uniqueTrackingId('stuck');
    const fresh = uniqueTrackingId('fresh');
    await track(stuck, 'in_transit', daysAgo(6), 'scan-1');
    await track(stuck, 'in_transit', daysAgo(5.5), 'scan-2');
    await track(fresh, 'in_transit', daysAgo(1), 'scan-1');

    const first = await sweep();
    expect(first.complete).toBe(true);
    expect(first.stalled).toBeGreaterThanOrEqual(1);
    const marked = await state(stuck);
    expect(marked.stalled_sk).toBe(marked.status_sk);
    expect(marked.stall_threshold_seconds).toBe(5 * 24 * 60 * 60);
    expect((await state(fresh)).stalled_sk).toBeUndefined();

    const [stall] = await e2e.queues.stalls.waitFor(stallsOf(stuck), 1, EVENT_WINDOW_MS);
    expect(stall.body.detail).toMatchObject({
      tracking_id: stuck,
      status: 'in_transit',
      status_since: marked.status_since,
      threshold_seconds: 5 * 24 * 60 * 60,
      version: marked.version,
    });

    // Marked already: the same run is not reported twice, however often the sweep runs.
    const again = await sweep();
    expect(again.stalled).toBe(0);
    expect((await state(stuck)).version).toBe(marked.version);

    // A newer scan of the same status continues the run: still the one stall.
    await track(stuck, 'in_transit', daysAgo(5), 'scan-3');
    expect((await state(stuck)).stalled_sk).toBe(marked.status_sk);
    expect((await sweep()).stalled).toBe(0);

    // It moves, and stalls in its new status (threshold 1 day): a new stall, published again.
    await track(stuck, 'out_for_delivery', daysAgo(2), 'scan-4');
    expect((await state(stuck)).stalled_sk).toBeUndefined();
    expect((await sweep()).stalled).toBe(1);
    const stalls = await e2e.queues.stalls.waitFor(stallsOf(stuck), 2, EVENT_WINDOW_MS);
    expect(stalls.map((message) => message.body.detail.status)).toEqual(['in_transit', 'out_for_delivery']);
    expect((await state(fresh)).stalled_sk).toBeUndefined();
  });
});

describe('expiry after 30 days without news', () => {
  test('a shipment silent for 31 days gets an expired event through the write path, once', async () => {
    const silent = uniqueTrackingId('silent');
    await track(silent, 'in_transit', daysAgo(31), 'scan-1');

    const report = await sweep();
    expect(report.expired).toBeGreaterThanOrEqual(1);
    const status = await e2e.status(silent);
    expect(status.status).toBe(200);
    expect(status.json.current.status).toBe('expired');
    expect(status.json.updates).toHaveLength(2);
    const [expired] = status.json.updates;
    expect(expired).toMatchObject({ status: 'expired', location: { lat: 52.52, lng: 13.405 }, metadata: { source: 'stall-sweep' } });
    expect(expired.event_id).toMatch(/^expired-[0-9a-f]{40}$/);

    // The expiry is a status change like any other.
    await e2e.queues.statusChanges.waitFor(
      (message) => message.body.detail?.tracking_id === silent && message.body.detail?.status === 'expired', 1, EVENT_WINDOW_MS);

    // Terminal now: nothing left to stall or expire, and no second expired event.
    const version = (await state(silent)).version;
    await sweep();
    expect((await state(silent)).version).toBe(version);
    expect(await e2e.countEvents(silent)).toBe(2);
  });

  test('news within the 30 days keeps a shipment whose status is older', async () => {
    const chatty = uniqueTrackingId('chatty');
    await track(chatty, 'in_transit', daysAgo(40), 'scan-1');
    await track(chatty, 'in_transit', daysAgo(3), 'scan-2');
    await sweep();
    const current = await state(chatty);
    expect(current.status).toBe('in_transit');
    // Stalled (in transit for 40 days), not expired (news 3 days ago).
    expect(current.stalled_sk).toBe(current.status_sk);
  });
});

describe('GET /shipments with updated_before / updated_after: the sweep\'s query, for clients', () => {
  test('lists the shipments that took the status within the range, paged with a cursor bound to the range', async () => {
    const old = [uniqueTrackingId('range-old'), uniqueTrackingId('range-old')];
    const recent = uniqueTrackingId('range-recent');
    await track(old[0], 'available_for_pickup', daysAgo(20), 'scan-1');
    await track(old[1], 'available_for_pickup', daysAgo(10), 'scan-1');
    await track(recent, 'available_for_pickup', daysAgo(1), 'scan-1');

    const listed = async (query: Record<string, string>): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const response = await e2e.request({ path: '/shipments', query: { status: 'available_for_pickup', limit: '1', ...query, ...(cursor ? { cursor } : {}) } });
        expect(response.status).toBe(200);
        ids.push(...response.json.shipments.map((shipment: { tracking_id: string }) => shipment.tracking_id));
        cursor = response.json.next_cursor ?? undefined;
      } while (cursor);
      return ids.filter((id) => [...old, recent].includes(id));
    };
    await eventually(async () => expect(await listed({ updated_before: daysAgo(5) })).toEqual([old[1], old[0]]), 5_000);
    expect(await listed({ updated_after: daysAgo(15) })).toEqual([recent, old[1]]);
    expect(await listed({ updated_after: daysAgo(15), updated_before: daysAgo(5) })).toEqual([old[1]]);

    const first = await e2e.request({ path: '/shipments', query: { status: 'available_for_pickup', limit: '1', updated_before: daysAgo(5) } });
    const reused = await e2e.request({ path: '/shipments', query: { status: 'available_for_pickup', cursor: first.json.next_cursor } });
    expect(reused.status).toBe(400);
    expect(reused.json.details).toEqual([{ path: '/cursor', message: 'belongs to another status or time range' }]);
  });

  test('a malformed bound, an empty range or an unknown status is a 400 naming the parameter, and changes nothing', async () => {
    const before = await e2e.request({ path: '/shipments', query: { status: 'in_transit' } });
    const unknown = await e2e.request({ path: '/shipments', query: { status: 'lost', updated_before: daysAgo(5) } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.details).toEqual([{ path: '/status', message: expect.stringMatching(/^must be one of: pending, /) }]);
    const malformed = await e2e.request({ path: '/shipments', query: { status: 'in_transit', updated_before: 'last tuesday' } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.details).toEqual([{ path: '/updated_before', message: 'must be an RFC 3339 date-time, e.g. 2026-11-26T10:15:00Z' }]);
    const empty = await e2e.request({ path: '/shipments', query: { status: 'in_transit', updated_after: daysAgo(1), updated_before: daysAgo(2) } });
    expect(empty.status).toBe(400);
    expect(empty.json.details).toEqual([{ path: '/updated_after', message: 'must be earlier than updated_before' }]);
    // Reads only: the listing is what it was.
    expect((await e2e.request({ path: '/shipments', query: { status: 'in_transit' } })).json).toEqual(before.json);
  });
});

describe('running a schedule on demand over HTTP', () => {
  const post = (path: string) => new Promise<{ status: number; json: any }>((resolve, reject) => {
    const request = http.request({ host: e2e.stack.host, port: e2e.stack.port, method: 'POST', path }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    request.on('error', reject);
    request.end();
  });

  test('POST /_local/schedules/<rule> runs the sweep and answers its report; an unknown rule is a 404 listing the known ones', async () => {
    const run = await post(`${SCHEDULES_PATH}${scheduleName}`);
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ schedule: scheduleName, results: [{ outcome: 'result', payload: { complete: true } }] });
    const unknown = await post(`${SCHEDULES_PATH}no-such-rule`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.schedules).toEqual([scheduleName]);
  });
});
