import { DeleteParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { CONFIG_CACHE_TTL_SECONDS, E2E_TIMEOUT_MS, E2eStack, eventually, startE2eStack, uniqueTrackingId, update } from './harness';

/**
 * Configuration and feature flags live in SSM (moto here) and are changed at run
 * time, without a deployment or a restart: the handler sees a change once its
 * cache (2 s in the e2e app) expires, and never fails because a parameter is gone.
 *
 * The order of the tests matters: the first one needs execution environments that
 * have never read the flags, so the stack is not shared with other files.
 */

jest.setTimeout(E2E_TIMEOUT_MS);

/** A cache expiry, plus time for the refresh and a slow machine. */
const TTL_WINDOW_MS = CONFIG_CACHE_TTL_SECONDS * 1000 * 3 + 2_000;

let e2e: E2eStack;

beforeAll(async () => {
  e2e = await startE2eStack('config');
});

afterAll(async () => {
  await e2e?.stop();
});

const enhanced = (id: string) => update(id, { sub_status: 'arrived_at_hub' });

async function putFlags(flags: Record<string, boolean>): Promise<void> {
  await e2e.ssm.send(new PutParameterCommand({ Name: e2e.flagsParameterName, Type: 'String', Value: JSON.stringify(flags), Overwrite: true }));
}

describe('feature flags from SSM', () => {
  test('with the flags parameter deleted before any request, the service answers with the deploy-time defaults', async () => {
    await e2e.ssm.send(new DeleteParameterCommand({ Name: e2e.flagsParameterName }));
    const id = uniqueTrackingId('no-flags');
    // enhanced_tracking defaults to on: an enhanced field is accepted.
    const posted = await e2e.track(enhanced(id));
    expect(posted.status).toBe(200);
    const read = await e2e.status(id);
    expect(read.status).toBe(200);
    expect(read.json.updates[0].sub_status).toBe('arrived_at_hub');
  });

  test('turning enhanced_tracking off with PutParameter takes effect after the cache TTL, without a restart', async () => {
    const coldStartsBefore = Object.values(e2e.stack.poolStats())[0].coldStarts;
    await putFlags({ enhanced_tracking: false, batch_processing: false, real_time_notifications: true });
    const refused = await eventually(async () => {
      const response = await e2e.track(enhanced(uniqueTrackingId('flag-off')));
      expect(response.status).toBe(400);
      return response;
    }, TTL_WINDOW_MS);
    expect(refused.json.details).toEqual([{ path: '/sub_status', message: 'is not accepted: the enhanced_tracking feature is disabled' }]);
    // Updates without enhanced fields are unaffected.
    expect((await e2e.track(update(uniqueTrackingId('flag-off')))).status).toBe(200);
    // The same warm execution environment picked the change up.
    expect(Object.values(e2e.stack.poolStats())[0].coldStarts).toBe(coldStartsBefore);
  });

  test('turning it back on takes effect the same way', async () => {
    await putFlags({ enhanced_tracking: true, batch_processing: false, real_time_notifications: true });
    await eventually(async () => {
      expect((await e2e.track(enhanced(uniqueTrackingId('flag-on')))).status).toBe(200);
    }, TTL_WINDOW_MS);
  });

  test('deleting the parameter later keeps the last value read, and the service keeps answering', async () => {
    await putFlags({ enhanced_tracking: false, batch_processing: false, real_time_notifications: true });
    await eventually(async () => {
      expect((await e2e.track(enhanced(uniqueTrackingId('last-known')))).status).toBe(400);
    }, TTL_WINDOW_MS);
    await e2e.ssm.send(new DeleteParameterCommand({ Name: e2e.flagsParameterName }));
    // Past two cache expiries: still the last known value (off), never an error.
    await new Promise((resolve) => setTimeout(resolve, CONFIG_CACHE_TTL_SECONDS * 2_000 + 500));
    const id = uniqueTrackingId('last-known');
    expect((await e2e.track(enhanced(id))).status).toBe(400);
    expect((await e2e.track(update(id))).status).toBe(200);
    expect((await e2e.status(id)).status).toBe(200);
  });
});

describe('batch_processing from SSM', () => {
  const batch = (updates: object[]) => e2e.request({ method: 'POST', path: '/track/batch', body: { updates }, headers: { 'Content-Type': 'application/json' } });

  test('off, POST /track/batch is a 404; turned on, it answers each update in request order; turned off again, a 404', async () => {
    // The flags as the previous test left them: batch_processing off (the deploy-time default).
    const off = await batch([update(uniqueTrackingId('batch-off'))]);
    expect(off.status).toBe(404);
    expect(off.json).toEqual({ error: 'batch processing is disabled' });

    await putFlags({ enhanced_tracking: true, batch_processing: true, real_time_notifications: true });
    const id = uniqueTrackingId('batch');
    expect((await e2e.track(update(id, { event_id: 'sent-before', event_time: '2026-06-01T07:00:00Z' }))).status).toBe(200);
    const updates = [
      update(id, { event_id: 'b1', event_time: '2026-06-01T08:00:00Z' }),
      update(id, { event_id: 'sent-before', event_time: '2026-06-01T07:00:00Z' }),
      update(id, { event_id: 'b2', location: { lat: 91, lng: 0 } }),
      update(id, { event_id: 'b3', status: 'delivered', event_time: '2026-06-01T12:00:00Z' }),
    ];
    const answered = await eventually(async () => {
      const response = await batch(updates);
      expect(response.status).toBe(200);
      return response;
    }, TTL_WINDOW_MS);
    expect(answered.json.results).toEqual([
      { index: 0, tracking_id: id, event_id: 'b1', result: 'accepted' },
      { index: 1, tracking_id: id, event_id: 'sent-before', result: 'duplicate' },
      expect.objectContaining({ index: 2, tracking_id: id, event_id: 'b2', result: 'rejected', details: [expect.objectContaining({ path: '/location/lat' })] }),
      { index: 3, tracking_id: id, event_id: 'b3', result: 'accepted' },
    ]);
    const read = await e2e.status(id);
    expect(read.json.current).toMatchObject({ status: 'delivered', event_id: 'b3' });
    expect(read.json.updates.map((u: any) => u.event_id)).toEqual(['b3', 'b1', 'sent-before']);

    await putFlags({ enhanced_tracking: true, batch_processing: false, real_time_notifications: true });
    await eventually(async () => {
      expect((await batch([update(uniqueTrackingId('batch-off'))])).status).toBe(404);
    }, TTL_WINDOW_MS);
  });
});
