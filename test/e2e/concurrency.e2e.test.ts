import { E2E_TIMEOUT_MS, E2eStack, eventually, Response, startE2eStack, uniqueTrackingId, update } from './harness';
import { restTemplate } from '../../local/assembly/template';
import type { PoolStats } from '../../local/functions/workers';
import { ApiType } from '../../src';

/**
 * The handler at its reserved concurrency (`handlerReservedConcurrency: 1`): while
 * one request is in flight, Lambda refuses the next invocation, and API Gateway
 * answers it with the construct's INTEGRATION_FAILURE gateway response, 503 with
 * Retry-After in the contract's error shape, instead of a bare 504. The refused
 * request never reached the function, so the client's retry stores it once.
 *
 * The request in flight is held there by the fault proxy: the handler's calls to
 * DynamoDB hang (accepted, not answered) until the test lets them through, well
 * inside the SDK's 3 s request timeout.
 */

jest.setTimeout(E2E_TIMEOUT_MS);

let e2e: E2eStack;

beforeAll(async () => {
  // The REST API: its INTEGRATION_FAILURE gateway response is what this file proves (an HTTP API answers 500).
  e2e = await startE2eStack('concurrency', { faultInjection: true }, { apiType: ApiType.REST, handlerReservedConcurrency: 1 });
});

afterAll(async () => {
  await e2e?.stop();
});

/** The function behind the API (every route integrates with it), as the template names it. */
function handlerStats(): PoolStats {
  const post = restTemplate(e2e.stack.template).api.resources.flatMap((resource) => [...resource.methods.values()])
    .find((method) => method.httpMethod === 'POST' && method.resourcePath === '/track')!;
  if (post.integration.kind !== 'lambda-proxy') throw new Error('POST /track is not a Lambda proxy integration');
  const handler = e2e.stack.template.functions.get(post.integration.functionLogicalId)!;
  expect(handler.reservedConcurrency).toBe(1);
  return e2e.stack.poolStats()[handler.name];
}

test('a request beyond the reservation gets 503 with Retry-After from the gateway; after it, every event is stored exactly once', async () => {
  const faults = e2e.stack.faults!;
  const id = uniqueTrackingId('reserved');
  const [first, second, third] = [1, 2, 3].map((n) => update(id, { event_id: `e${n}`, event_time: `2026-05-0${n}T08:00:00Z` }));

  // A warm handler, so what holds the one place is the request below, not a cold start.
  expect((await e2e.track(first)).status).toBe(200);
  const before = handlerStats();

  let inFlight: Promise<Response> | undefined;
  try {
    await faults.holdConnections();
    inFlight = e2e.track(second);
    await eventually(async () => expect(handlerStats().busy).toBe(1), 5_000, 10);

    const refused = await Promise.all([e2e.track(third), e2e.status(id)]);
    for (const response of refused) {
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      // The gateway's body: the handler's own 503 would also name the ids to resend.
      expect(response.json).toEqual({ error: 'service temporarily unavailable, retry later' });
    }
    // Refused by Lambda: neither ran, nor waited for the busy environment.
    expect(handlerStats()).toMatchObject({ busy: 1, queued: 0, invocations: before.invocations + 1, throttles: before.throttles + 2 });
  } finally {
    await faults.restore();
  }

  // The request that held the place completes once DynamoDB answers.
  const held = await inFlight!;
  expect(held.status).toBe(200);
  expect(held.json).toMatchObject({ event_id: 'e2', duplicate: false });

  // The client's retry of the refused write: new to the table, so it had not been stored.
  const retried = await e2e.track(third);
  expect(retried.status).toBe(200);
  expect(retried.json).toMatchObject({ event_id: 'e3', duplicate: false });

  const read = await e2e.status(id);
  expect(read.status).toBe(200);
  expect(read.json).toMatchObject({ count: 3, current: { event_id: 'e3', version: 3 } });
  expect(read.json.updates.map((entry: { event_id: string }) => entry.event_id)).toEqual(['e3', 'e2', 'e1']);
  expect(await e2e.countEvents(id)).toBe(3);
  expect(handlerStats().throttles).toBe(before.throttles + 2);
});
