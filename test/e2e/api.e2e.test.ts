import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { E2E_TIMEOUT_MS, E2eStack, startE2eStack, uniqueTrackingId, update } from './harness';
import { ApiType } from '../../src';

/**
 * The HTTP contract (docs/http-contract.md) over real HTTP against the local runtime: API
 * Gateway's routing, IAM authorization and request validation in front of the
 * bundled handler on Node 24, writing to moto's DynamoDB — once behind a REST API,
 * once behind an HTTP API (`apiType`). Only what API Gateway answers itself differs.
 */

interface Flavour {
  readonly apiType: ApiType;
  /** GET /status without tracking_id: the REST API's request validator, or the handler. */
  readonly missingTrackingId: object;
  /** An unsigned request, a signature that does not match, an unknown access key. */
  readonly unsigned: object;
  readonly signatureMismatch: object;
  readonly unknownAccessKey: object;
}

const FLAVOURS: Flavour[] = [
  {
    apiType: ApiType.REST,
    missingTrackingId: { error: 'Missing required request parameters: [tracking_id]' },
    unsigned: { error: 'Missing Authentication Token' },
    signatureMismatch: { error: expect.stringMatching(/^The request signature we calculated does not match the signature you provided/) },
    unknownAccessKey: { error: 'The security token included in the request is invalid.' },
  },
  {
    apiType: ApiType.HTTP,
    missingTrackingId: { error: 'invalid query parameters', details: [{ path: '/tracking_id', message: 'is required' }] },
    unsigned: { message: 'Forbidden' },
    signatureMismatch: { message: 'Forbidden' },
    unknownAccessKey: { message: 'Forbidden' },
  },
];

jest.setTimeout(E2E_TIMEOUT_MS);

describe.each(FLAVOURS)('$apiType API', (flavour) => {
  let e2e: E2eStack;

  beforeAll(async () => {
    e2e = await startE2eStack(`api-${flavour.apiType.toLowerCase()}`, {}, { apiType: flavour.apiType });
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  describe('ingest and read back', () => {
    test('a POST /track is stored and GET /status returns it as the current state and the only update', async () => {
      const id = uniqueTrackingId('read-back');
      const posted = await e2e.track(update(id, { event_id: 'scan-1', metadata: { scanner: 'A7' } }));
      expect(posted.status).toBe(200);
      expect(posted.headers['content-type']).toBe('application/json');
      expect(posted.json).toMatchObject({ message: 'Tracking update recorded', tracking_id: id, event_id: 'scan-1', status: 'in_transit', duplicate: false });

      const read = await e2e.status(id);
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({
        tracking_id: id,
        current: { status: 'in_transit', location: { lat: 52.52, lng: 13.405 }, event_id: 'scan-1', version: 1 },
        count: 1,
        next_cursor: null,
      });
      expect(read.json.updates).toEqual([expect.objectContaining({ event_id: 'scan-1', status: 'in_transit', metadata: { scanner: 'A7' } })]);
      expect(await e2e.countEvents(id)).toBe(1);
    });

    test('history is newest first by event_time, whatever order the events arrived in', async () => {
      const id = uniqueTrackingId('order');
      for (const [eventId, time] of [['b', '2026-01-02T10:00:00Z'], ['a', '2026-01-01T10:00:00Z'], ['c', '2026-01-03T10:00:00.500Z']]) {
        expect((await e2e.track(update(id, { event_id: eventId, event_time: time }))).status).toBe(200);
      }
      const read = await e2e.status(id);
      expect(read.json.updates.map((u: any) => u.event_id)).toEqual(['c', 'b', 'a']);
      expect(read.json.updates.map((u: any) => u.timestamp)).toEqual(['2026-01-03T10:00:00.500Z', '2026-01-02T10:00:00.000Z', '2026-01-01T10:00:00.000Z']);
    });

    test('pages through history with limit and the returned cursor', async () => {
      const id = uniqueTrackingId('pages');
      for (const day of [1, 2, 3]) {
        await e2e.track(update(id, { event_id: `e${day}`, event_time: `2026-02-0${day}T00:00:00Z` }));
      }
      const first = await e2e.status(id, { limit: '2' });
      expect(first.json.updates.map((u: any) => u.event_id)).toEqual(['e3', 'e2']);
      const second = await e2e.status(id, { limit: '2', cursor: first.json.next_cursor });
      expect(second.json.updates.map((u: any) => u.event_id)).toEqual(['e1']);
      expect(second.json.next_cursor).toBeNull();
    });

    test('re-sending the same event_id stores one event and answers duplicate: true', async () => {
      const id = uniqueTrackingId('dup');
      const first = await e2e.track(update(id, { event_id: 'once' }));
      // A client retry usually omits event_time, and may even change the payload: still the same event.
      const again = await e2e.track(update(id, { event_id: 'once', status: 'delivered' }));
      expect(first.json.duplicate).toBe(false);
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ event_id: 'once', duplicate: true, status: 'in_transit' });
      expect(await e2e.countEvents(id)).toBe(1);
      expect((await e2e.status(id)).json.current.status).toBe('in_transit');
    });

    test('an event older than the current state lands in history without rolling the status back', async () => {
      const id = uniqueTrackingId('late');
      await e2e.track(update(id, { event_id: 'delivered', status: 'delivered', event_time: '2026-03-02T12:00:00Z' }));
      await e2e.track(update(id, { event_id: 'in-transit', status: 'in_transit', event_time: '2026-03-01T12:00:00Z' }));
      const read = await e2e.status(id);
      expect(read.json.current).toMatchObject({ status: 'delivered', event_id: 'delivered', delivered_at: '2026-03-02T12:00:00.000Z' });
      expect(read.json.updates.map((u: any) => u.event_id)).toEqual(['delivered', 'in-transit']);
    });

    test('the alias status "failed" is accepted and stored as "exception"', async () => {
      const id = uniqueTrackingId('failed');
      expect((await e2e.track(update(id, { status: 'failed' }))).json.status).toBe('exception');
    });
  });

  /** A cursor with one character changed (in the middle: a base64 string's last character may only carry padding bits). */
  function tamper(cursor: string): string {
    const at = Math.floor(cursor.length / 2);
    return `${cursor.slice(0, at)}${cursor[at] === 'A' ? 'B' : 'A'}${cursor.slice(at + 1)}`;
  }

  describe('cursors', () => {
    test('a history cursor altered by one character, or taken from another shipment, is a 400 naming /cursor', async () => {
      const id = uniqueTrackingId('cursor');
      const other = uniqueTrackingId('cursor');
      for (const shipment of [id, other]) {
        for (const day of [1, 2]) await e2e.track(update(shipment, { event_id: `e${day}`, event_time: `2026-02-1${day}T00:00:00Z` }));
      }
      const cursor = (await e2e.status(id, { limit: '1' })).json.next_cursor as string;
      expect((await e2e.status(id, { limit: '1', cursor })).status).toBe(200);

      const tampered = await e2e.status(id, { limit: '1', cursor: tamper(cursor) });
      expect(tampered.status).toBe(400);
      expect(tampered.json.details).toEqual([{ path: '/cursor', message: 'is not a valid cursor' }]);
      const foreign = await e2e.status(other, { limit: '1', cursor });
      expect(foreign.status).toBe(400);
      expect(foreign.json.details).toEqual([{ path: '/cursor', message: expect.stringMatching(/another shipment/) }]);
    });
  });

  describe('shipments by status', () => {
    const shipments = (query: Record<string, string>) => e2e.request({ path: '/shipments', query });

    test('GET /shipments lists the shipments whose current status is S, those that took it last first, paged with next_cursor', async () => {
      const [older, newest, middle, movedOn] = [1, 2, 3, 4].map(() => uniqueTrackingId('pickup'));
      await e2e.track(update(older, { status: 'available_for_pickup', event_time: '2026-07-01T08:00:00Z' }));
      // A later scan in the same status moves updated_at, not status_since, nor the place in the listing.
      await e2e.track(update(older, { status: 'available_for_pickup', event_time: '2026-07-06T08:00:00Z' }));
      await e2e.track(update(newest, { status: 'available_for_pickup', event_time: '2026-07-03T08:00:00Z' }));
      await e2e.track(update(middle, { status: 'available_for_pickup', event_time: '2026-07-02T08:00:00Z' }));
      // Listed under its current status only.
      await e2e.track(update(movedOn, { status: 'available_for_pickup', event_time: '2026-07-04T08:00:00Z' }));
      await e2e.track(update(movedOn, { status: 'delivered', event_time: '2026-07-05T08:00:00Z' }));

      const first = await shipments({ status: 'available_for_pickup', limit: '2' });
      expect(first.status).toBe(200);
      expect(first.json.status).toBe('available_for_pickup');
      expect(first.json.shipments.map((s: any) => s.tracking_id)).toEqual([newest, middle]);
      expect(first.json.shipments[0]).toMatchObject({ tracking_id: newest, status: 'available_for_pickup', updated_at: '2026-07-03T08:00:00.000Z' });
      expect(typeof first.json.next_cursor).toBe('string');

      const listed = [...first.json.shipments];
      let cursor: string | null = first.json.next_cursor;
      while (cursor) {
        const page = await shipments({ status: 'available_for_pickup', limit: '2', cursor });
        expect(page.status).toBe(200);
        listed.push(...page.json.shipments);
        cursor = page.json.next_cursor;
      }
      expect(listed.map((s: any) => s.tracking_id)).toEqual([newest, middle, older]);
      expect(listed[2]).toMatchObject({ status_since: '2026-07-01T08:00:00.000Z', updated_at: '2026-07-06T08:00:00.000Z' });
    });

    test('a tampered cursor, or one for another status, is a 400 naming /cursor', async () => {
      await e2e.track(update(uniqueTrackingId('attempt'), { status: 'attempt_failed' }));
      await e2e.track(update(uniqueTrackingId('attempt'), { status: 'attempt_failed' }));
      const cursor = (await shipments({ status: 'attempt_failed', limit: '1' })).json.next_cursor as string;
      const tampered = await shipments({ status: 'attempt_failed', limit: '1', cursor: tamper(cursor) });
      expect(tampered.status).toBe(400);
      expect(tampered.json.details).toEqual([{ path: '/cursor', message: 'is not a valid cursor' }]);
      const otherStatus = await shipments({ status: 'in_transit', limit: '1', cursor });
      expect(otherStatus.status).toBe(400);
      expect(otherStatus.json.details).toEqual([{ path: '/cursor', message: expect.stringMatching(/another status/) }]);
    });
  });

  describe('the OpenAPI document', () => {
    test('GET /openapi.json (beside the stage, unsigned) returns the document shipped in assets/', async () => {
      const response = await fetch(`http://${e2e.stack.host}:${e2e.stack.port}/openapi.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const document: any = await response.json();
      expect(document).toEqual(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'assets', 'openapi', 'openapi.json'), 'utf8')));
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths).sort()).toEqual(['/shipments', '/shipments/{tracking_id}', '/status', '/track', '/track/batch']);
    });
  });

  describe('validation', () => {
    test('rejects a latitude of 91 with a 400 naming /location/lat: a body that breaks the model reaches the handler, which names each field', async () => {
      const latitude91 = await e2e.track(update(uniqueTrackingId('invalid'), { location: { lat: 91, lng: 0 } }));
      expect(latitude91.status).toBe(400);
      expect(latitude91.json).toEqual({ error: 'invalid tracking update', details: [{ path: '/location/lat', message: 'must be <= 90' }] });
      // The handler's answer, not a gateway response (those carry x-amzn-ErrorType).
      expect(latitude91.headers['x-amzn-errortype']).toBeUndefined();

      const noLocation = await e2e.track({ tracking_id: uniqueTrackingId('invalid'), status: 'in_transit' });
      expect(noLocation.status).toBe(400);
      expect(noLocation.json).toEqual({ error: 'invalid tracking update', details: [{ path: '/location', message: 'is required' }] });
    });

    test('GET /status without tracking_id is a 400 naming the parameter', async () => {
      const response = await e2e.request({ path: '/status' });
      expect(response.status).toBe(400);
      expect(response.json).toEqual(flavour.missingTrackingId);
    });

    test('the handler refuses what the model cannot express: an impossible date (400 naming /event_time)', async () => {
      const response = await e2e.track(update(uniqueTrackingId('feb30'), { event_time: '2026-02-30T10:00:00Z' }));
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ error: 'invalid tracking update', details: [{ path: '/event_time', message: 'is not a real date-time' }] });
    });

    test('the handler refuses a malformed limit on GET /status (400 naming /limit)', async () => {
      const response = await e2e.status(uniqueTrackingId('limit'), { limit: '1000' });
      expect(response.status).toBe(400);
      expect(response.json.details).toEqual([{ path: '/limit', message: 'must be an integer from 1 to 100' }]);
    });

    test('a body over maxRequestBytes is a 413 from the handler', async () => {
      // Valid against the model (metadata values are free-form), 40 kB against a 32 kB limit.
      const response = await e2e.track(update(uniqueTrackingId('big'), { metadata: { blob: 'x'.repeat(40_000) } }));
      expect(response.status).toBe(413);
      expect(response.json.error).toMatch(/limit is 32768 bytes/);
    });

    test('a non-JSON body is not validated by the gateway (no model for text/plain) and is a 415 from the handler', async () => {
      const response = await e2e.request({ method: 'POST', path: '/track', body: 'tracking_id=1', headers: { 'Content-Type': 'text/plain' } });
      expect(response.status).toBe(415);
      expect(response.json).toEqual({ error: 'Content-Type must be application/json' });
    });
  });

  describe('routing', () => {
    test('an unknown shipment is a 404', async () => {
      const response = await e2e.status(uniqueTrackingId('nobody'));
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: 'shipment not found' });
    });

    test('an unknown path reaches the handler (REST: {proxy+}; HTTP: $default) and is a 404', async () => {
      const response = await e2e.request({ path: '/no/such/route' });
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: 'not found' });
    });

    test('a wrong method on a known path reaches the handler through ANY and is a 405 with Allow', async () => {
      const response = await e2e.request({ method: 'DELETE', path: '/track' });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.json).toEqual({ error: 'method not allowed' });
    });
  });

  describe('IAM authorization (SigV4, service execute-api)', () => {
    test('an unsigned request is a 403', async () => {
      const response = await e2e.request({ path: '/status', query: { tracking_id: 'x' }, sign: false });
      expect(response.status).toBe(403);
      expect(response.json).toEqual(flavour.unsigned);
    });

    test('a body changed after signing is a 403 signature mismatch', async () => {
      const body = update(uniqueTrackingId('tampered'));
      const response = await e2e.request({
        method: 'POST',
        path: '/track',
        body,
        headers: { 'Content-Type': 'application/json' },
        afterSigning: (request) => {
          request.body = JSON.stringify({ ...body, status: 'delivered' });
          delete request.headers['x-amz-content-sha256'];
        },
      });
      expect(response.status).toBe(403);
      expect(response.json).toEqual(flavour.signatureMismatch);
    });

    test('a signature made with the wrong secret is a 403 signature mismatch', async () => {
      const response = await e2e.request({ path: '/status', query: { tracking_id: 'x' }, sign: { accessKeyId: 'local', secretAccessKey: 'not-local' } });
      expect(response.status).toBe(403);
      expect(response.json).toEqual(flavour.signatureMismatch);
    });

    test('an unknown access key is a 403', async () => {
      const response = await e2e.request({ path: '/status', query: { tracking_id: 'x' }, sign: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'local' } });
      expect(response.status).toBe(403);
      expect(response.json).toEqual(flavour.unknownAccessKey);
    });

    test("curl's --aws-sigv4 signatures verify: the README's two commands work", async () => {
      const run = promisify(execFile);
      const id = uniqueTrackingId('curl');
      const sign = ['--aws-sigv4', 'aws:amz:us-east-1:execute-api', '--user', 'local:local', '--silent', '--show-error'];
      const posted = await run('curl', [...sign, '-H', 'content-type: application/json', '-d', JSON.stringify(update(id)), `${e2e.stack.url}track`]);
      expect(JSON.parse(posted.stdout)).toMatchObject({ tracking_id: id, duplicate: false });
      const read = await run('curl', [...sign, `${e2e.stack.url}status?tracking_id=${id}`]);
      expect(JSON.parse(read.stdout)).toMatchObject({ tracking_id: id, count: 1 });
    });
  });

  describe('execution environments', () => {
    test('requests reuse warm workers instead of starting one per request', async () => {
      const before = Object.values(e2e.stack.poolStats())[0];
      for (let i = 0; i < 3; i++) await e2e.status(uniqueTrackingId('warm'));
      const after = Object.values(e2e.stack.poolStats())[0];
      expect(after.invocations - before.invocations).toBe(3);
      expect(after.coldStarts).toBe(before.coldStarts);
    });
  });
});
