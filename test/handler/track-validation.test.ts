import './env';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { apiEvent, bodyOf, lambdaContext, trackEvent } from './events';
import { NOW, validUpdate } from './fixtures';
import { ssmReturns } from './ssm';
import { metrics } from '../../lambda/shared/observability';
import { handler } from '../../lambda/tracking';
import { MAX_JSON_DEPTH } from '../../src/contract/request-schema';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';

const ddb = mockClient(DynamoDBDocumentClient);
const ssm = mockClient(SSMClient);
let addMetric: jest.SpyInstance;

const post = (body: unknown, headers?: Record<string, string>) => handler(trackEvent(body, headers), lambdaContext);
const postRaw = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  handler(apiEvent({ method: 'POST', resource: '/track', body, headers }), lambdaContext);

/** A 400's details, sorted by path. */
const detailsOf = (result: { body: string }) =>
  [...(bodyOf(result).details ?? [])].sort((a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path));

/** `depth` objects nested inside each other: depth 1 is `{}`. */
const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < depth; level++) value = { next: value };
  return value;
};

beforeEach(() => {
  ddb.reset();
  ssm.reset();
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ssmReturns(ssm, { config: { max_request_bytes: 32 * 1024 }, flags: DEFAULT_FEATURE_FLAGS });
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
  addMetric = jest.spyOn(metrics, 'addMetric');
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('POST /track schema validation', () => {
  test('rejects a latitude of 91 with a 400 naming /location/lat', async () => {
    const result = await post(validUpdate({ location: { lat: 91, lng: 0 } }));

    expect(result.statusCode).toBe(400);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(bodyOf(result)).toEqual({ error: 'invalid tracking update', details: [{ path: '/location/lat', message: 'must be <= 90' }] });
    expect(ddb.calls()).toHaveLength(0);
    expect(addMetric.mock.calls.map((call) => call[0])).toEqual(['TrackingUpdateRejected']);
  });

  test('lists every offending field of one request at once', async () => {
    const result = await post({
      tracking_id: 'has spaces',
      status: 'teleported',
      location: { lat: -91, lng: 181, alt: 3 },
      event_id: '',
      colour: 'red',
    });

    expect(result.statusCode).toBe(400);
    expect(detailsOf(result).map((detail: { path: string }) => detail.path)).toEqual([
      '/colour', '/event_id', '/location/alt', '/location/lat', '/location/lng', '/status', '/tracking_id',
    ]);
    expect(detailsOf(result)).toContainEqual({ path: '/colour', message: 'is not an allowed field' });
    expect(detailsOf(result)).toContainEqual({ path: '/status', message: expect.stringMatching(/^must be one of: pending, .*, failed$/) });
  });

  test('names each missing required field by its own path', async () => {
    const result = await post({ location: {} });

    expect(detailsOf(result)).toEqual([
      { path: '/location/lat', message: 'is required' },
      { path: '/location/lng', message: 'is required' },
      { path: '/status', message: 'is required' },
      { path: '/tracking_id', message: 'is required' },
    ]);
  });

  test('rejects a JSON body that is not an object', async () => {
    const result = await postRaw('[1, 2]');

    expect(result.statusCode).toBe(400);
    expect(detailsOf(result)).toEqual([{ path: '/', message: 'must be object' }]);
  });

  test('explains the expected format of a malformed event_time', async () => {
    const result = await post(validUpdate({ event_time: '26/11/2026 10:15' }));

    expect(detailsOf(result)).toEqual([{ path: '/event_time', message: expect.stringContaining('RFC 3339') }]);
  });
});

describe('POST /track date checks', () => {
  test('rejects an impossible date (February 30) in event_time', async () => {
    const result = await post(validUpdate({ event_time: '2026-02-30T10:00:00Z' }));

    expect(result.statusCode).toBe(400);
    expect(detailsOf(result)).toEqual([{ path: '/event_time', message: 'is not a real date-time' }]);
  });

  test('rejects an impossible eta (month 13)', async () => {
    const result = await post(validUpdate({ eta: '2026-13-01T10:00:00Z' }));

    expect(detailsOf(result)).toEqual([{ path: '/eta', message: 'is not a real date-time' }]);
  });

  test('rejects an event_time more than one hour in the future', async () => {
    const result = await post(validUpdate({ event_time: '2026-11-26T11:00:00.001Z' }));

    expect(result.statusCode).toBe(400);
    expect(detailsOf(result)).toEqual([{ path: '/event_time', message: 'is more than 1 hour in the future' }]);
  });

  test('accepts an event_time exactly one hour ahead (scanner clock skew)', async () => {
    const result = await post(validUpdate({ event_time: '2026-11-26T11:00:00.000Z' }));

    expect(result.statusCode).toBe(200);
  });

  test('rejects an event_time before 1970, which would break history ordering', async () => {
    const result = await post(validUpdate({ event_time: '1969-12-31T23:59:59Z' }));

    expect(detailsOf(result)).toEqual([{ path: '/event_time', message: expect.stringContaining('before 1970') }]);
  });

  test('reports date problems together with schema problems', async () => {
    const result = await post(validUpdate({ event_time: '2026-02-30T10:00:00Z', location: { lat: 0, lng: 999 } }));

    expect(detailsOf(result).map((detail: { path: string }) => detail.path)).toEqual(['/event_time', '/location/lng']);
  });
});

describe('POST /track size and depth limits', () => {
  test(`rejects JSON nested deeper than ${MAX_JSON_DEPTH} levels with a 400 naming the first too-deep value`, async () => {
    // The body is level 1 and metadata level 2.
    const result = await post(validUpdate({ metadata: nested(MAX_JSON_DEPTH) }));

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({
      error: `request body nests deeper than ${MAX_JSON_DEPTH} levels`,
      details: [{ path: `/metadata${'/next'.repeat(MAX_JSON_DEPTH - 1)}`, message: `is an object or array at level ${MAX_JSON_DEPTH + 1}; at most ${MAX_JSON_DEPTH} levels are allowed` }],
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  test(`accepts JSON nested exactly ${MAX_JSON_DEPTH} levels deep`, async () => {
    const result = await post(validUpdate({ metadata: nested(MAX_JSON_DEPTH - 1) }));

    expect(result.statusCode).toBe(200);
  });

  test('survives pathologically deep JSON with a 400', async () => {
    const result = await postRaw(`{"metadata":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);

    expect(result.statusCode).toBe(400);
  });

  test('rejects metadata larger than 8192 bytes serialized, naming /metadata', async () => {
    const result = await post(validUpdate({ metadata: { notes: 'x'.repeat(8200) } }));

    expect(result.statusCode).toBe(400);
    expect(detailsOf(result)).toEqual([{ path: '/metadata', message: expect.stringMatching(/^is 8212 bytes serialized; at most 8192/) }]);
  });

  test('answers 413 naming the limit from the SSM config when the body is larger', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 1024 }, flags: DEFAULT_FEATURE_FLAGS });
    const body = JSON.stringify(validUpdate({ metadata: { notes: 'x'.repeat(1000) } }));
    const result = await postRaw(body);

    expect(result.statusCode).toBe(413);
    expect(bodyOf(result)).toEqual({ error: `request body is ${Buffer.byteLength(body)} bytes; the limit is 1024 bytes` });
    expect(ddb.calls()).toHaveLength(0);
  });

  test('accepts a body of exactly the limit and refuses one byte more', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 1024 }, flags: DEFAULT_FEATURE_FLAGS });
    const bodyOfSize = (bytes: number) => {
      const empty = JSON.stringify(validUpdate({ metadata: { notes: '' } }));
      return JSON.stringify(validUpdate({ metadata: { notes: 'x'.repeat(bytes - empty.length) } }));
    };

    expect((await postRaw(bodyOfSize(1024))).statusCode).toBe(200);
    expect((await postRaw(bodyOfSize(1025))).statusCode).toBe(413);
  });

  test('measures the limit in bytes of the decoded body, not characters', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 1024 }, flags: DEFAULT_FEATURE_FLAGS });
    // 400 characters, 1200 bytes in UTF-8.
    const result = await post(validUpdate({ metadata: { notes: '€'.repeat(400) } }));

    expect(result.statusCode).toBe(413);
  });

  test('answers 413 before looking at whether the body is JSON', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 1024 }, flags: DEFAULT_FEATURE_FLAGS });
    const result = await postRaw('{'.repeat(2000));

    expect(result.statusCode).toBe(413);
  });

  test('answers 413 for a body beyond the largest configurable limit without parsing it', async () => {
    const parse = jest.spyOn(JSON, 'parse');
    const result = await postRaw(JSON.stringify(validUpdate({ metadata: { notes: 'x'.repeat(400 * 1024) } })));

    expect(result.statusCode).toBe(413);
    expect(parse.mock.calls.filter((call) => String(call[0]).length > 400 * 1024)).toHaveLength(0);
  });
});

describe('POST /track body format', () => {
  test('answers 415 to a non-JSON Content-Type', async () => {
    const result = await postRaw('tracking_id=PKG-1', { 'Content-Type': 'application/x-www-form-urlencoded' });

    expect(result.statusCode).toBe(415);
    expect(bodyOf(result)).toEqual({ error: 'Content-Type must be application/json' });
    expect(ssm.calls()).toHaveLength(0);
  });

  test('accepts a structured-syntax JSON media type such as application/merge-patch+json', async () => {
    const result = await post(validUpdate(), { 'Content-Type': 'application/merge-patch+json' });

    expect(result.statusCode).toBe(200);
  });

  test('answers 400 to a body that is not valid JSON', async () => {
    const result = await postRaw('{"tracking_id": "PKG-1",');

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: 'request body is not valid JSON' });
  });

  test('answers 400 to an empty body', async () => {
    const result = await handler(apiEvent({ method: 'POST', resource: '/track', body: null }), lambdaContext);

    expect(result.statusCode).toBe(400);
  });
});

describe('POST /track enhanced fields follow the enhanced_tracking flag', () => {
  test('rejects each enhanced field while the flag is off in SSM, saying the feature is disabled', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 32 * 1024 }, flags: { ...DEFAULT_FEATURE_FLAGS, enhanced_tracking: false } });
    const result = await post(validUpdate({ sub_status: 'at hub', eta: '2026-11-27T12:00:00Z', address: { city: 'Leipzig' }, message: 'hi' }));

    expect(result.statusCode).toBe(400);
    expect(detailsOf(result)).toEqual(['/address', '/eta', '/message', '/sub_status'].map((path) => ({
      path, message: 'is not accepted: the enhanced_tracking feature is disabled',
    })));
    expect(ddb.calls()).toHaveLength(0);
  });

  test('still accepts a plain update while the flag is off', async () => {
    ssmReturns(ssm, { flags: { enhanced_tracking: false } });
    const result = await post(validUpdate());

    expect(result.statusCode).toBe(200);
  });
});

describe('POST /track refuses what JSON allows but DynamoDB cannot store, and stores nothing', () => {
  /** The update's JSON with `metadata` spliced in as raw text (what a client's serializer could send). */
  const withRawMetadata = (metadataJson: string) => JSON.stringify(validUpdate()).replace(/}$/, `,"metadata":${metadataJson}}`);

  test.each([
    ['an integer beyond 2^53 (a nanosecond timestamp)', '{"scan_ns":1732615200123456789}', '/metadata/scan_ns', /beyond ±9007199254740991.*send it as a string/],
    ['a number too large for DynamoDB (1e300)', '{"reading":1e300}', '/metadata/reading', /beyond ±9007199254740991/],
    ['2^53 itself', '{"reading":9007199254740992}', '/metadata/reading', /beyond ±9007199254740991/],
    ['a number too close to zero for DynamoDB (1e-200)', '{"reading":-1e-200}', '/metadata/reading', /too close to zero/],
    ['an empty key', '{"":1}', '/metadata/', /empty key/],
    ['an empty key at depth', '{"a":{"b":[{"":true}]}}', '/metadata/a/b/0/', /empty key/],
    ['a lone surrogate in a string', '{"note":"\\ud800"}', '/metadata/note', /lone UTF-16 surrogate/],
    ['a lone surrogate in a key', '{"\\udc00x":1}', '/metadata/\udc00x', /key with a lone UTF-16 surrogate/],
    ['a __proto__ key', '{"__proto__":{"polluted":true}}', '/metadata/__proto__', /"__proto__"/],
    ['a __proto__ key at depth', '{"a":{"__proto__":1}}', '/metadata/a/__proto__', /"__proto__"/],
    ['a constructor key (the marshaller reads it to tell objects, sets and maps apart)', '{"constructor":1}', '/metadata/constructor', /"constructor"/],
    ['a constructor key that would pass for a Set', '{"a":{"constructor":{"name":"Set"}}}', '/metadata/a/constructor', /"constructor"/],
  ])('rejects %s with a 400 naming the field', async (_case, metadata, path, message) => {
    const result = await postRaw(withRawMetadata(metadata));

    expect(result.statusCode).toBe(400);
    expect(detailsOf(result)).toEqual([{ path, message: expect.stringMatching(message) }]);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  test('rejects a latitude of 1e-200 (inside -90..90, beyond what DynamoDB stores) naming /location/lat', async () => {
    const result = await post(validUpdate({ location: { lat: 1e-200, lng: 0 } }));

    expect(result.statusCode).toBe(400);
    expect(detailsOf(result)).toEqual([{ path: '/location/lat', message: expect.stringMatching(/too close to zero/) }]);
  });

  test('rejects a lone surrogate in an enhanced text field', async () => {
    const result = await postRaw(JSON.stringify(validUpdate()).replace(/}$/, ',"message":"left at \\ud83d door"}'));

    expect(detailsOf(result)).toEqual([{ path: '/message', message: expect.stringMatching(/lone UTF-16 surrogate/) }]);
  });

  test('names every such field at once, beside the schema errors', async () => {
    const result = await postRaw(JSON.stringify(validUpdate({ status: 'lost' })).replace(/}$/, ',"metadata":{"a":1e300,"":2}}'));

    expect(detailsOf(result).map((detail: { path: string }) => detail.path)).toEqual(['/metadata/', '/metadata/a', '/status']);
  });

  test('accepts the edges: 1e-130, ±(2^53 − 1), fractions, 0 and astral characters', async () => {
    const metadata = { tiny: 1e-130, big: 9007199254740991, small: -9007199254740991, fraction: 4503599627370495.5, zero: 0, emoji: '📦 ok' };
    const result = await post(validUpdate({ metadata }));

    expect(result.statusCode).toBe(200);
    expect(ddb.commandCalls(PutCommand)[0].args[0].input.Item).toMatchObject({ metadata });
  });
});
