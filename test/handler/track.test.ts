import './env';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { decodeTime } from 'ulid';
import { apiEvent, bodyOf, lambdaContext, trackEvent } from './events';
import { conditionFailed, NOW, storedEvent, validUpdate } from './fixtures';
import { ssmReturns } from './ssm';
import { FakeStateTable } from './state-table';
import { logger, metrics } from '../../lambda/shared/observability';
import { handler } from '../../lambda/tracking';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';
import { fnv1a32 } from '../../src/contract/table';

const ddb = mockClient(DynamoDBDocumentClient);
const ssm = mockClient(SSMClient);
let addMetric: jest.SpyInstance;

const post = (body: unknown, headers?: Record<string, string>) => handler(trackEvent(body, headers), lambdaContext);
const putInputs = () => ddb.commandCalls(PutCommand).map((call) => call.args[0].input);
const updateInputs = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const countedMetrics = () => addMetric.mock.calls.map((call) => call[0]);

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

describe('POST /track stores a new event', () => {
  test('answers 200 with the contract fields, the normalized timestamp and duplicate: false', async () => {
    const result = await post(validUpdate());

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(bodyOf(result)).toEqual({
      message: 'Tracking update recorded',
      tracking_id: 'PKG-1',
      timestamp: '2026-11-26T09:15:00.000Z',
      event_id: 'scan-0001',
      status: 'in_transit',
      duplicate: false,
    });
    expect(countedMetrics()).toEqual(['TrackingUpdateAccepted']);
  });

  test('writes the event item keyed by (tracking_id, event_id), conditional on it not existing', async () => {
    await post(validUpdate({ metadata: { scanner: 'S-7' } }));

    expect(putInputs()).toEqual([{
      TableName: 'tracking-test',
      Item: {
        pk: 'TRACK#PKG-1',
        sk: 'EVENT#scan-0001',
        history_sk: '2026-11-26T09:15:00.000Z#scan-0001',
        tracking_id: 'PKG-1',
        event_id: 'scan-0001',
        status: 'in_transit',
        location: { lat: 52.52, lng: 13.405 },
        event_time: '2026-11-26T09:15:00.000Z',
        received_at: '2026-11-26T10:00:00.000Z',
        metadata: { scanner: 'S-7' },
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }]);
  });

  test('moves the state of a new or in-order shipment with one blind conditional update', async () => {
    await post(validUpdate());

    expect(updateInputs()).toEqual([{
      TableName: 'tracking-test',
      Key: { pk: 'TRACK#PKG-1', sk: 'STATE' },
      UpdateExpression: 'SET #tracking_id = :tracking_id, #status = :status, #location = :location, #updated_at = :event_time, '
        + '#last_event_id = :event_id, #last_event_key = :key, #open_event_key = :key, #status_pk = :status_pk, '
        + '#first_seen_at = if_not_exists(#first_seen_at, :first_seen_at), #run_start_key = if_not_exists(#run_start_key, :oldest_key), '
        + '#status_since = if_not_exists(#status_since, :first_seen_at), #status_sk = if_not_exists(#status_sk, :status_sk) ADD #version :one',
      // No state yet, or one that is open (not terminal), older than the event, of its status, with a status run:
      // the status run, and with it the status index entry, stay as they are.
      ConditionExpression: 'attribute_not_exists(#pk) OR (#open_event_key < :oldest_key AND #status = :status AND attribute_exists(#run_start_key))',
      ExpressionAttributeNames: {
        '#pk': 'pk',
        '#tracking_id': 'tracking_id',
        '#status': 'status',
        '#location': 'location',
        '#updated_at': 'updated_at',
        '#last_event_id': 'last_event_id',
        '#last_event_key': 'last_event_key',
        '#open_event_key': 'open_event_key',
        '#status_pk': 'status_pk',
        '#status_sk': 'status_sk',
        '#first_seen_at': 'first_seen_at',
        '#run_start_key': 'run_start_key',
        '#status_since': 'status_since',
        '#version': 'version',
      },
      ExpressionAttributeValues: {
        ':tracking_id': 'PKG-1',
        ':status': 'in_transit',
        ':location': { lat: 52.52, lng: 13.405 },
        ':event_time': '2026-11-26T09:15:00.000Z',
        ':event_id': 'scan-0001',
        ':key': '2026-11-26T09:15:00.000Z#scan-0001',
        ':oldest_key': '2026-11-26T09:15:00.000Z#scan-0001',
        ':status_pk': `STATUS#in_transit#${fnv1a32('PKG-1') % 8}`,
        ':status_sk': '2026-11-26T09:15:00.000Z#PKG-1',
        ':first_seen_at': '2026-11-26T09:15:00.000Z',
        ':one': 1,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }]);
  });

  test('reads, folds and puts the state for a terminal status or a failed attempt (no blind update)', async () => {
    ddb.on(GetCommand).resolves({});
    await post(validUpdate({ status: 'delivered' }));

    expect(updateInputs()).toEqual([]);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'TRACK#PKG-1', sk: 'STATE' }, ConsistentRead: true });
    const [, statePut] = putInputs();
    expect(statePut).toMatchObject({
      Item: { pk: 'TRACK#PKG-1', sk: 'STATE', status: 'delivered', delivered_at: '2026-11-26T09:15:00.000Z', version: 1 },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
    // A terminal state is closed: no open_event_key, so no blind update can move it.
    expect(statePut.Item).not.toHaveProperty('open_event_key');
  });
  test('uses the receive time when the client sends no event_time', async () => {
    const { event_time: _omitted, ...update } = validUpdate();
    const result = await post(update);

    expect(bodyOf(result).timestamp).toBe('2026-11-26T10:00:00.000Z');
    expect(putInputs()[0].Item).toMatchObject({ history_sk: '2026-11-26T10:00:00.000Z#scan-0001' });
  });

  test('stores the alias failed as exception', async () => {
    const result = await post(validUpdate({ status: 'failed' }));

    expect(bodyOf(result).status).toBe('exception');
    expect(putInputs()[0].Item).toMatchObject({ status: 'exception' });
    expect(updateInputs()[0].ExpressionAttributeValues).toMatchObject({ ':status': 'exception', ':status_pk': expect.stringMatching(/^STATUS#exception#[0-7]$/) });
  });

  test('accepts and stores the enhanced fields while enhanced_tracking is on', async () => {
    const enhanced = { sub_status: 'at hub', message: 'Sorted in Leipzig', eta: '2026-11-27T12:00:00Z', address: { city: 'Leipzig', country: 'DE' } };
    const result = await post(validUpdate(enhanced));

    expect(result.statusCode).toBe(200);
    expect(putInputs()[0].Item).toMatchObject(enhanced);
  });

  test('accepts a base64-encoded body (API Gateway binary passthrough)', async () => {
    const event = apiEvent({
      method: 'POST',
      resource: '/track',
      isBase64Encoded: true,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from(JSON.stringify(validUpdate())).toString('base64'),
    });
    const result = await handler(event, lambdaContext);

    expect(result.statusCode).toBe(200);
    expect(putInputs()[0].Item).toMatchObject({ event_id: 'scan-0001' });
  });

  test('accepts a body without a Content-Type header', async () => {
    const result = await post(validUpdate(), {});
    expect(result.statusCode).toBe(200);
  });
});

describe('POST /track assigns an event id when the client sends none', () => {
  test('answers with a ULID taken at the receive time and stores the event under it', async () => {
    const { event_id: _omitted, ...update } = validUpdate();
    const result = await post(update);

    const eventId = bodyOf(result).event_id;
    expect(eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(eventId)).toBe(NOW);
    expect(putInputs()[0].Item).toMatchObject({ sk: `EVENT#${eventId}`, history_sk: `2026-11-26T09:15:00.000Z#${eventId}` });
  });

  test('gives two events in the same millisecond different, increasing ids', async () => {
    const { event_id: _omitted, ...update } = validUpdate();
    const first = bodyOf(await post(update)).event_id;
    const second = bodyOf(await post(update)).event_id;

    expect(second).not.toBe(first);
    expect(second > first).toBe(true);
  });
});

describe('POST /track keeps same-millisecond events apart', () => {
  test('two events with the same event_time and different event_ids get different keys', async () => {
    await post(validUpdate({ event_id: 'a' }));
    await post(validUpdate({ event_id: 'b' }));

    const [first, second] = putInputs().map((input) => input.Item!);
    expect([first.sk, first.history_sk]).toEqual(['EVENT#a', '2026-11-26T09:15:00.000Z#a']);
    expect([second.sk, second.history_sk]).toEqual(['EVENT#b', '2026-11-26T09:15:00.000Z#b']);
  });
});

describe('POST /track answers a resent event_id as a duplicate', () => {
  const stored = storedEvent('PKG-1', 'scan-0001', '2026-11-26T08:00:00.000Z', { status: 'info_received', location: { lat: 1, lng: 2 } });

  test('answers 200 duplicate: true with the stored event, not the resent payload', async () => {
    ddb.on(PutCommand).rejects(conditionFailed(stored));
    const result = await post(validUpdate({ status: 'delivered' }));

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      message: 'Tracking update recorded',
      tracking_id: 'PKG-1',
      timestamp: '2026-11-26T08:00:00.000Z',
      event_id: 'scan-0001',
      status: 'info_received',
      duplicate: true,
    });
    expect(countedMetrics()).toEqual(['TrackingUpdateDuplicate']);
  });

  test('reads the stored event when DynamoDB returns no old item with the failed condition', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: stored });
    const result = await post(validUpdate());

    expect(bodyOf(result)).toMatchObject({ duplicate: true, status: 'info_received' });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'TRACK#PKG-1', sk: 'EVENT#scan-0001' }, ConsistentRead: true,
    });
  });
});

/** The handler over an in-memory table: state follows from what was really written, request after request. */
function useFakeTable(): { table: () => FakeStateTable; state: () => Record<string, unknown> } {
  let table: FakeStateTable;
  beforeEach(() => {
    table = new FakeStateTable();
    ddb.on(PutCommand).callsFake((input) => table.put(input));
    ddb.on(UpdateCommand).callsFake((input) => table.update(input));
    ddb.on(GetCommand).callsFake((input) => ({ Item: table.get(input.Key.pk, input.Key.sk) }));
  });
  return { table: () => table, state: () => table.get('TRACK#PKG-1')! };
}

describe('POST /track repairs and re-applies without changing anything twice', () => {
  const { table, state } = useFakeTable();
  const info = () => jest.spyOn(logger, 'info');

  test('a duplicate still applies the stored event when the state is missing (repairs a half-done attempt)', async () => {
    table().put({ TableName: 't', Item: storedEvent('PKG-1', 'scan-0001', '2026-11-26T08:00:00.000Z', { status: 'info_received' }) });
    const result = await post(validUpdate({ status: 'delivered' }));

    expect(bodyOf(result)).toMatchObject({ duplicate: true, status: 'info_received' });
    expect(state()).toMatchObject({ status: 'info_received', last_event_id: 'scan-0001', version: 1 });
  });

  test('re-applying the event the state already reflects writes nothing', async () => {
    const spy = info();
    await post(validUpdate());
    await post(validUpdate());

    expect(state()).toMatchObject({ version: 1 });
    expect(spy).toHaveBeenLastCalledWith('tracking update recorded', expect.objectContaining({ duplicate: true, state: 'unchanged' }));
  });

  test('an older event leaves the status alone and lowers first_seen_at', async () => {
    await post(validUpdate({ event_id: 'new', event_time: '2026-11-26T09:30:00Z' }));
    const result = await post(validUpdate({ event_id: 'old', status: 'info_received', event_time: '2026-11-26T09:00:00Z' }));

    expect(bodyOf(result)).toMatchObject({ duplicate: false, status: 'info_received' });
    expect(state()).toMatchObject({ status: 'in_transit', last_event_id: 'new', first_seen_at: '2026-11-26T09:00:00.000Z', version: 2 });
  });

  test('an older event that changes nothing writes nothing', async () => {
    await post(validUpdate({ event_id: 'first', event_time: '2026-11-26T08:00:00Z' }));
    await post(validUpdate({ event_id: 'new', event_time: '2026-11-26T09:30:00Z' }));
    await post(validUpdate({ event_id: 'old', event_time: '2026-11-26T09:00:00Z' }));

    expect(state()).toMatchObject({ last_event_id: 'new', first_seen_at: '2026-11-26T08:00:00.000Z', version: 2 });
  });
});

describe('POST /track keeps milestones that depend on the set of events, not their arrival order', () => {
  const { table, state } = useFakeTable();
  const send = async (status: string, eventId: string, time: string) => post(validUpdate({ status, event_id: eventId, event_time: time }));

  test('stamps out_for_delivery_at with the earliest out_for_delivery event', async () => {
    await send('out_for_delivery', 'a', '2026-11-26T08:00:00Z');
    await send('attempt_failed', 'b', '2026-11-26T08:30:00Z');
    await send('out_for_delivery', 'c', '2026-11-26T09:00:00Z');

    expect(state()).toMatchObject({ status: 'out_for_delivery', out_for_delivery_at: '2026-11-26T08:00:00.000Z', version: 3 });
  });

  test('counts an attempt_failed event that arrives after a newer event', async () => {
    await send('in_transit', 'b', '2026-11-26T09:00:00Z');
    await send('attempt_failed', 'a', '2026-11-26T08:00:00Z');

    expect(state()).toMatchObject({ status: 'in_transit', first_seen_at: '2026-11-26T08:00:00.000Z', attempt_ids: new Set(['a']) });
  });

  test('sets out_for_delivery_at from an out_for_delivery event that arrives after the delivery', async () => {
    await send('delivered', 'b', '2026-11-26T11:00:00Z');
    await send('out_for_delivery', 'a', '2026-11-26T08:00:00Z');

    expect(state()).toMatchObject({ status: 'delivered', out_for_delivery_at: '2026-11-26T08:00:00.000Z', delivered_at: '2026-11-26T11:00:00.000Z' });
  });

  test('keeps the earliest delivered_at when the later delivery arrives first', async () => {
    await send('delivered', 'late', '2026-11-26T11:00:00Z');
    await send('delivered', 'early', '2026-11-26T09:00:00Z');

    expect(state()).toMatchObject({ delivered_at: '2026-11-26T09:00:00.000Z', last_event_id: 'late' });
  });

  test('counts each failed attempt once, however often it is re-sent or repaired', async () => {
    const attempt = validUpdate({ status: 'attempt_failed', event_id: 'a' });
    let throttled = false;
    ddb.on(PutCommand).callsFake((input) => {
      // The event is stored, the state write is throttled once: a half-done request.
      if (input.Item.sk === 'STATE' && !throttled) {
        throttled = true;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      }
      return table().put(input);
    });

    expect((await post(attempt)).statusCode).toBe(503);
    expect(table().get('TRACK#PKG-1')).toBeUndefined();
    expect(bodyOf(await post(attempt)).duplicate).toBe(true);
    await post(attempt);
    await send('attempt_failed', 'b', '2026-11-26T09:20:00Z');

    expect(state()).toMatchObject({ status: 'attempt_failed', attempt_ids: new Set(['a', 'b']), version: 2 });
  });
});

describe('POST /track: terminal statuses end a shipment', () => {
  const { state } = useFakeTable();
  const send = async (status: string, eventId: string, time: string) => post(validUpdate({ status, event_id: eventId, event_time: time }));

  test('a later non-terminal event lands in history and leaves a delivered shipment delivered', async () => {
    await send('delivered', 'a', '2026-11-26T08:00:00Z');
    const later = await send('in_transit', 'b', '2026-11-26T09:00:00Z');

    expect(later.statusCode).toBe(200);
    expect(state()).toMatchObject({ status: 'delivered', last_event_id: 'a', version: 1 });
    expect(state()).not.toHaveProperty('open_event_key');
  });

  test('a later terminal status still moves it (delivered → returned)', async () => {
    await send('delivered', 'a', '2026-11-26T08:00:00Z');
    await send('returned', 'b', '2026-11-26T09:00:00Z');

    expect(state()).toMatchObject({ status: 'returned', last_event_id: 'b', delivered_at: '2026-11-26T08:00:00.000Z', version: 2 });
  });

  test('an earlier terminal event moves a shipment whose newer events are not terminal', async () => {
    await send('in_transit', 'b', '2026-11-26T09:00:00Z');
    await send('delivered', 'a', '2026-11-26T08:00:00Z');

    expect(state()).toMatchObject({ status: 'delivered', last_event_id: 'a', updated_at: '2026-11-26T08:00:00.000Z' });
  });
});

describe('POST /track answers 503 with the event_id it stored (or may have stored) the event under', () => {
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

  test('carries the server-assigned event_id when the state write was throttled after the event was stored', async () => {
    ddb.on(UpdateCommand).rejects(throttled());
    const { event_id: _omitted, ...update } = validUpdate();
    const result = await post(update);

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
    const stored = putInputs()[0].Item!;
    expect(bodyOf(result)).toEqual({ error: 'service temporarily unavailable, retry later', tracking_id: 'PKG-1', event_id: stored.event_id });
  });

  test('carries it when the event write itself failed (its answer may have been lost after the write)', async () => {
    ddb.on(PutCommand).rejects(throttled());
    const result = await post(validUpdate());

    expect(bodyOf(result)).toMatchObject({ event_id: 'scan-0001', tracking_id: 'PKG-1' });
  });
});
