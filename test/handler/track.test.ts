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
import { handler } from '../../lambda/tracking';
import { logger, metrics } from '../../lambda/tracking/observability';
import { fnv1a32 } from '../../lambda/tracking/repository';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';

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
  test('answers 200 with the seed fields, the normalized timestamp and duplicate: false', async () => {
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

  test('moves the state item only when the event is newer than the one it reflects', async () => {
    await post(validUpdate());

    expect(updateInputs()).toEqual([{
      TableName: 'tracking-test',
      Key: { pk: 'TRACK#PKG-1', sk: 'STATE' },
      UpdateExpression: 'SET #tracking_id = :tracking_id, #status = :status, #location = :location, #updated_at = :event_time, '
        + '#last_event_id = :event_id, #last_event_key = :key, #status_pk = :status_pk, #status_sk = :status_sk, '
        + '#first_seen_at = if_not_exists(#first_seen_at, :first_seen_at) ADD #version :one',
      ConditionExpression: 'attribute_not_exists(#pk) OR #last_event_key < :key',
      ExpressionAttributeNames: {
        '#pk': 'pk',
        '#tracking_id': 'tracking_id',
        '#status': 'status',
        '#location': 'location',
        '#updated_at': 'updated_at',
        '#last_event_id': 'last_event_id',
        '#last_event_key': 'last_event_key',
        '#status_pk': 'status_pk',
        '#status_sk': 'status_sk',
        '#first_seen_at': 'first_seen_at',
        '#version': 'version',
      },
      ExpressionAttributeValues: {
        ':tracking_id': 'PKG-1',
        ':status': 'in_transit',
        ':location': { lat: 52.52, lng: 13.405 },
        ':event_time': '2026-11-26T09:15:00.000Z',
        ':event_id': 'scan-0001',
        ':key': '2026-11-26T09:15:00.000Z#scan-0001',
        ':status_pk': `STATUS#in_transit#${fnv1a32('PKG-1') % 8}`,
        ':status_sk': '2026-11-26T09:15:00.000Z#PKG-1',
        ':first_seen_at': '2026-11-26T09:15:00.000Z',
        ':one': 1,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }]);
  });

  test('stamps delivered_at once when the status is delivered', async () => {
    await post(validUpdate({ status: 'delivered' }));

    const [update] = updateInputs();
    expect(update.UpdateExpression).toContain('#delivered_at = if_not_exists(#delivered_at, :delivered_at)');
    expect(update.ExpressionAttributeNames).toMatchObject({ '#delivered_at': 'delivered_at' });
    expect(update.ExpressionAttributeValues).toMatchObject({ ':delivered_at': '2026-11-26T09:15:00.000Z' });
  });

  test('uses the receive time when the client sends no event_time', async () => {
    const { event_time: _omitted, ...update } = validUpdate();
    const result = await post(update);

    expect(bodyOf(result).timestamp).toBe('2026-11-26T10:00:00.000Z');
    expect(putInputs()[0].Item).toMatchObject({ history_sk: '2026-11-26T10:00:00.000Z#scan-0001' });
  });

  test('stores the seed alias failed as exception', async () => {
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

  test('still applies the stored event to the state item, conditionally (repairs a half-done attempt)', async () => {
    ddb.on(PutCommand).rejects(conditionFailed(stored));
    await post(validUpdate({ status: 'delivered' }));

    const [update] = updateInputs();
    expect(update.ConditionExpression).toBe('attribute_not_exists(#pk) OR #last_event_key < :key');
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':status': 'info_received',
      ':key': '2026-11-26T08:00:00.000Z#scan-0001',
    });
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

  test('re-applying the event the state already reflects writes nothing more', async () => {
    ddb.on(PutCommand).rejects(conditionFailed(stored));
    ddb.on(UpdateCommand).rejects(conditionFailed({ last_event_key: '2026-11-26T08:00:00.000Z#scan-0001', first_seen_at: '2026-11-26T06:00:00.000Z' }));
    const info = jest.spyOn(logger, 'info');
    const result = await post(validUpdate());

    expect(result.statusCode).toBe(200);
    expect(updateInputs()).toHaveLength(1);
    expect(info).toHaveBeenCalledWith('tracking update recorded', expect.objectContaining({ duplicate: true, state: 'already-applied' }));
  });
});

describe('POST /track with an event older than the current state', () => {
  test('does not change the status and lowers first_seen_at when the event is earlier', async () => {
    ddb.on(UpdateCommand)
      .rejectsOnce(conditionFailed({ last_event_key: '2026-11-26T09:30:00.000Z#scan-0009', first_seen_at: '2026-11-26T09:20:00.000Z' }))
      .resolves({});
    const result = await post(validUpdate());

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ duplicate: false, status: 'in_transit' });
    const [, second] = updateInputs();
    expect(second).toEqual({
      TableName: 'tracking-test',
      Key: { pk: 'TRACK#PKG-1', sk: 'STATE' },
      UpdateExpression: 'SET #first_seen_at = :event_time',
      ConditionExpression: '#first_seen_at > :event_time',
      ExpressionAttributeNames: { '#first_seen_at': 'first_seen_at' },
      ExpressionAttributeValues: { ':event_time': '2026-11-26T09:15:00.000Z' },
    });
  });

  test('leaves first_seen_at alone when the state was first seen earlier still', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed({ last_event_key: '2026-11-26T09:30:00.000Z#scan-0009', first_seen_at: '2026-11-26T07:00:00.000Z' }));
    const result = await post(validUpdate());

    expect(result.statusCode).toBe(200);
    expect(updateInputs()).toHaveLength(1);
  });

  test('ignores a lost race on the first_seen_at update', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    const result = await post(validUpdate());

    expect(result.statusCode).toBe(200);
    expect(updateInputs()).toHaveLength(2);
  });
});

describe('POST /track keeps milestones on the state item', () => {
  let table: FakeStateTable;
  const state = () => table.get('TRACK#PKG-1')!;

  beforeEach(() => {
    table = new FakeStateTable();
    ddb.on(PutCommand).callsFake((input) => table.put(input));
    ddb.on(UpdateCommand).callsFake((input) => table.update(input));
  });

  test('stamps out_for_delivery_at with the first out_for_delivery event only', async () => {
    await post(validUpdate({ status: 'out_for_delivery', event_id: 'a', event_time: '2026-11-26T08:00:00Z' }));
    await post(validUpdate({ status: 'attempt_failed', event_id: 'b', event_time: '2026-11-26T08:30:00Z' }));
    await post(validUpdate({ status: 'out_for_delivery', event_id: 'c', event_time: '2026-11-26T09:00:00Z' }));

    expect(state()).toMatchObject({ status: 'out_for_delivery', out_for_delivery_at: '2026-11-26T08:00:00.000Z', version: 3 });
  });

  test('counts each failed attempt that moves the state', async () => {
    await post(validUpdate({ status: 'attempt_failed', event_id: 'a', event_time: '2026-11-26T08:00:00Z' }));
    await post(validUpdate({ status: 'out_for_delivery', event_id: 'b', event_time: '2026-11-26T08:30:00Z' }));
    await post(validUpdate({ status: 'attempt_failed', event_id: 'c', event_time: '2026-11-26T09:00:00Z' }));

    expect(state()).toMatchObject({ status: 'attempt_failed', attempt_count: 2 });
    expect(updateInputs()[0]).toMatchObject({
      UpdateExpression: expect.stringMatching(/ ADD #version :one, #attempt_count :attempts$/),
      ExpressionAttributeValues: expect.objectContaining({ ':attempts': 1 }),
    });
  });

  test('counts a re-applied attempt_failed event once (the resend is a duplicate; the state update is conditional)', async () => {
    const attempt = validUpdate({ status: 'attempt_failed', event_id: 'a' });
    const first = await post(attempt);
    const resent = await post(attempt);

    expect(bodyOf(first).duplicate).toBe(false);
    expect(bodyOf(resent).duplicate).toBe(true);
    expect(state()).toMatchObject({ attempt_count: 1, version: 1 });
    // The resend did send the state update (to repair a half-done write); its condition refused it.
    expect(updateInputs()).toHaveLength(2);
  });

  test('repairs a half-done write and counts its attempt once', async () => {
    const attempt = validUpdate({ status: 'attempt_failed', event_id: 'a' });
    ddb.on(UpdateCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }))
      .callsFake((input) => table.update(input));

    expect((await post(attempt)).statusCode).toBe(503);
    expect(table.get('TRACK#PKG-1')).toBeUndefined();
    expect(bodyOf(await post(attempt)).duplicate).toBe(true);
    await post(attempt);

    expect(state()).toMatchObject({ status: 'attempt_failed', attempt_count: 1, version: 1 });
  });

  test('does not count a late attempt_failed event older than the current state', async () => {
    await post(validUpdate({ status: 'out_for_delivery', event_id: 'b', event_time: '2026-11-26T09:00:00Z' }));
    await post(validUpdate({ status: 'attempt_failed', event_id: 'a', event_time: '2026-11-26T08:00:00Z' }));

    expect(state()).toMatchObject({ status: 'out_for_delivery', first_seen_at: '2026-11-26T08:00:00.000Z' });
    expect(state()).not.toHaveProperty('attempt_count');
  });
});
