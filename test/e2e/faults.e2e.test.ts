import { E2E_TIMEOUT_MS, E2eStack, Response, startE2eStack, uniqueTrackingId, update } from './harness';

/**
 * DynamoDB unreachable mid-run: the handler answers 503 with Retry-After, and a
 * client that retries once the emulator is back loses no event and doubles none.
 *
 * The functions reach moto through the local runtime's fault proxy, which refuses
 * connections while "down" (see local/fault-proxy.ts for why not SIGSTOP): every
 * SDK attempt fails at once, so the 503 is fast and certain, and no write the
 * handler gave up on can land later. moto itself keeps running, and its state.
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
    for (const response of refused) {
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json).toEqual({ error: 'service temporarily unavailable, retry later' });
    }
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
