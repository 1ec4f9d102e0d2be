import './env';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand, PutCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { decodeTime } from 'ulid';
import { apiEvent, bodyOf, lambdaContext } from './events';
import { NOW, storedEvent, validUpdate } from './fixtures';
import { ssmReturns } from './ssm';
import { FakeStateTable } from './state-table';
import { metrics } from '../../lambda/shared/observability';
import { handler } from '../../lambda/tracking';
import { MAX_JSON_DEPTH } from '../../src/contract/request-schema';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';

const ddb = mockClient(DynamoDBDocumentClient);
const ssm = mockClient(SSMClient);
let table: FakeStateTable;
let addMetric: jest.SpyInstance;

const FLAGS_ON = { ...DEFAULT_FEATURE_FLAGS, batch_processing: true };
const JSON_HEADERS = { 'Content-Type': 'application/json' };

const postRaw = (body: string, headers: Record<string, string> = JSON_HEADERS) =>
  handler(apiEvent({ method: 'POST', resource: '/track/batch', body, headers }), lambdaContext);
const postBatch = (updates: unknown[]) => postRaw(JSON.stringify({ updates }));
const putInputs = () => ddb.commandCalls(PutCommand).map((call) => call.args[0].input);
const updateInputs = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const state = (trackingId: string) => table.get(`TRACK#${trackingId}`);
const metricCalls = () => addMetric.mock.calls.map(([name, , value]) => [name, value]);

const throttled = () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

/** An update of PKG-<n>'s shipment with its own event id and time. */
const update = (trackingId: string, eventId: string, time: string, status = 'in_transit') =>
  validUpdate({ tracking_id: trackingId, event_id: eventId, event_time: time, status });

beforeEach(() => {
  ddb.reset();
  ssm.reset();
  table = new FakeStateTable();
  ddb.on(PutCommand).callsFake((input) => table.put(input));
  ddb.on(UpdateCommand).callsFake((input) => table.update(input));
  ddb.on(GetCommand).callsFake((input) => ({ Item: table.get(input.Key.pk, input.Key.sk) }));
  ssmReturns(ssm, { config: { max_request_bytes: 32 * 1024 }, flags: FLAGS_ON });
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
  addMetric = jest.spyOn(metrics, 'addMetric');
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('POST /track/batch while batch_processing is off', () => {
  beforeEach(() => ssmReturns(ssm, { config: {}, flags: { ...FLAGS_ON, batch_processing: false } }));

  test('answers 404 saying the feature is disabled, and stores nothing', async () => {
    const result = await postBatch([validUpdate()]);

    expect(result.statusCode).toBe(404);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(bodyOf(result)).toEqual({ error: 'batch processing is disabled' });
    expect(ddb.calls()).toHaveLength(0);
    expect(metricCalls()).toEqual([]);
  });

  test('answers 404 before looking at the body (the feature does not exist)', async () => {
    const result = await postRaw('<xml/>', { 'Content-Type': 'application/xml' });

    expect(result.statusCode).toBe(404);
  });

  test('is what an empty flags document gives: batch_processing is off by default', async () => {
    ssmReturns(ssm, { config: {}, flags: {} });
    const result = await postBatch([validUpdate()]);

    expect(result.statusCode).toBe(404);
  });
});

describe('POST /track/batch answers every update, in request order', () => {
  test('reports accepted, duplicate and rejected updates side by side', async () => {
    table.put({ TableName: 't', Item: storedEvent('PKG-2', 'old-1', '2026-11-26T07:00:00.000Z') });
    const { event_id: _omitted, ...withoutId } = update('PKG-4', 'unused', '2026-11-26T09:40:00Z');
    const result = await postBatch([
      update('PKG-1', 'new-1', '2026-11-26T09:00:00Z'),
      update('PKG-2', 'old-1', '2026-11-26T09:10:00Z'),
      validUpdate({ tracking_id: 'PKG-3', location: { lat: 91, lng: 0 }, unknown_field: 1 }),
      withoutId,
    ]);

    expect(result.statusCode).toBe(200);
    const { results } = bodyOf(result);
    expect(results).toEqual([
      { index: 0, tracking_id: 'PKG-1', event_id: 'new-1', result: 'accepted' },
      { index: 1, tracking_id: 'PKG-2', event_id: 'old-1', result: 'duplicate' },
      {
        index: 2,
        tracking_id: 'PKG-3',
        event_id: 'scan-0001',
        result: 'rejected',
        error: 'invalid tracking update',
        details: [{ path: '/unknown_field', message: 'is not an allowed field' }, { path: '/location/lat', message: 'must be <= 90' }],
      },
      { index: 3, tracking_id: 'PKG-4', event_id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), result: 'accepted' },
    ]);
    expect(decodeTime(results[3].event_id)).toBe(NOW);
    expect(putInputs().map((input) => input.Item!.event_id)).toEqual(['new-1', 'old-1', results[3].event_id]);
  });

  test('stores each event with the same conditional put as POST /track', async () => {
    await postBatch([update('PKG-1', 'e1', '2026-11-26T10:15:00+01:00')]);

    expect(putInputs()).toEqual([{
      TableName: 'tracking-test',
      Item: {
        pk: 'TRACK#PKG-1',
        sk: 'EVENT#e1',
        history_sk: '2026-11-26T09:15:00.000Z#e1',
        tracking_id: 'PKG-1',
        event_id: 'e1',
        status: 'in_transit',
        location: { lat: 52.52, lng: 13.405 },
        event_time: '2026-11-26T09:15:00.000Z',
        received_at: '2026-11-26T10:00:00.000Z',
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }]);
  });

  test('answers null ids for an update whose tracking_id and event_id are not strings', async () => {
    const result = await postBatch([{ tracking_id: 42, status: 'in_transit', location: { lat: 0, lng: 0 } }, validUpdate()]);

    expect(bodyOf(result).results[0]).toEqual({
      index: 0,
      tracking_id: null,
      event_id: null,
      result: 'rejected',
      error: 'invalid tracking update',
      details: [{ path: '/tracking_id', message: 'must be string' }],
    });
    expect(bodyOf(result).results[1]).toMatchObject({ result: 'accepted' });
  });

  test('validates each update exactly like POST /track: enhanced fields refused while enhanced_tracking is off', async () => {
    ssmReturns(ssm, { config: {}, flags: { ...FLAGS_ON, enhanced_tracking: false } });
    const result = await postBatch([validUpdate({ sub_status: 'at hub' }), validUpdate({ event_id: 'plain' })]);

    expect(bodyOf(result).results).toEqual([
      expect.objectContaining({ result: 'rejected', details: [{ path: '/sub_status', message: 'is not accepted: the enhanced_tracking feature is disabled' }] }),
      expect.objectContaining({ result: 'accepted', event_id: 'plain' }),
    ]);
  });

  test('answers 200 with every update rejected when none is valid, storing nothing', async () => {
    const result = await postBatch([validUpdate({ status: 'lost' }), validUpdate({ event_time: '2026-02-30T00:00:00Z' })]);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).results.map((r: { result: string }) => r.result)).toEqual(['rejected', 'rejected']);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('counts the updates in the same metrics as single updates', async () => {
    table.put({ TableName: 't', Item: storedEvent('PKG-2', 'old-1', '2026-11-26T07:00:00.000Z') });
    await postBatch([
      update('PKG-1', 'a', '2026-11-26T09:00:00Z'),
      update('PKG-1', 'b', '2026-11-26T09:01:00Z'),
      update('PKG-2', 'old-1', '2026-11-26T09:00:00Z'),
      validUpdate({ status: 'lost' }),
    ]);

    expect(metricCalls()).toEqual([['TrackingUpdateAccepted', 2], ['TrackingUpdateDuplicate', 1], ['TrackingUpdateRejected', 1]]);
  });
});

describe('POST /track/batch with the same event twice in one batch', () => {
  test('stores the first and answers the second as its duplicate, with one put', async () => {
    const result = await postBatch([
      update('PKG-1', 'e1', '2026-11-26T09:00:00Z'),
      update('PKG-1', 'e1', '2026-11-26T09:30:00Z', 'delivered'),
    ]);

    expect(bodyOf(result).results).toEqual([
      { index: 0, tracking_id: 'PKG-1', event_id: 'e1', result: 'accepted' },
      { index: 1, tracking_id: 'PKG-1', event_id: 'e1', result: 'duplicate' },
    ]);
    expect(putInputs()).toHaveLength(1);
    // The first payload wins, as with a resend.
    expect(state('PKG-1')).toMatchObject({ status: 'in_transit', updated_at: '2026-11-26T09:00:00.000Z', version: 1 });
  });

  test('answers both as duplicates when the event was stored before', async () => {
    table.put({ TableName: 't', Item: storedEvent('PKG-1', 'e1', '2026-11-26T08:00:00.000Z') });
    const result = await postBatch([update('PKG-1', 'e1', '2026-11-26T09:00:00Z'), update('PKG-1', 'e1', '2026-11-26T09:00:00Z')]);

    expect(bodyOf(result).results.map((r: { result: string }) => r.result)).toEqual(['duplicate', 'duplicate']);
  });

  test('keeps an event id of another shipment apart (identity is tracking_id and event_id)', async () => {
    const result = await postBatch([update('PKG-1', 'e1', '2026-11-26T09:00:00Z'), update('PKG-2', 'e1', '2026-11-26T09:00:00Z')]);

    expect(bodyOf(result).results.map((r: { result: string }) => r.result)).toEqual(['accepted', 'accepted']);
  });
});

describe('POST /track/batch moves each shipment state once', () => {
  test('sends one state write per shipment, to its newest event, whatever the request order', async () => {
    await postBatch([
      update('PKG-1', 'a', '2026-11-26T08:00:00Z', 'info_received'),
      update('PKG-2', 'x', '2026-11-26T09:00:00Z'),
      update('PKG-1', 'c', '2026-11-26T10:00:00Z', 'out_for_delivery'),
      update('PKG-1', 'b', '2026-11-26T09:00:00Z', 'in_transit'),
    ]);

    // PKG-2's single status goes by the blind update; PKG-1's three statuses by one
    // conditional put of the folded state (a blind update keeps the status run, which they move).
    const updates = updateInputs();
    expect(updates.map((input) => input.Key!.pk)).toEqual(['TRACK#PKG-2']);
    const pkg1 = putInputs().filter((input) => input.Item!.pk === 'TRACK#PKG-1' && input.Item!.sk === 'STATE');
    expect(pkg1).toHaveLength(1);
    expect(pkg1[0]).toMatchObject({ ConditionExpression: 'attribute_not_exists(#pk)' });
    expect(state('PKG-1')).toMatchObject({
      status: 'out_for_delivery',
      last_event_id: 'c',
      first_seen_at: '2026-11-26T08:00:00.000Z',
      out_for_delivery_at: '2026-11-26T10:00:00.000Z',
      status_since: '2026-11-26T10:00:00.000Z',
      run_break_key: '2026-11-26T09:00:00.000Z#b',
      version: 1,
    });
    expect(state('PKG-2')).toMatchObject({ status: 'in_transit', last_event_id: 'x', status_since: '2026-11-26T09:00:00.000Z' });
  });

  test('breaks a tie in event_time by event_id', async () => {
    await postBatch([update('PKG-1', 'b', '2026-11-26T09:00:00Z', 'in_transit'), update('PKG-1', 'a', '2026-11-26T09:00:00Z', 'exception')]);

    expect(state('PKG-1')).toMatchObject({ status: 'in_transit', last_event_id: 'b' });
  });

  test('orders updates of one shipment without event_time by their place in the request, not by event_id', async () => {
    const { event_time: _a, ...first } = update('PKG-1', 'zz-first', '', 'out_for_delivery');
    const { event_time: _b, ...second } = update('PKG-1', 'aa-second', '', 'attempt_failed');
    const result = await postBatch([first, second]);

    expect(bodyOf(result).results.map((r: { result: string }) => r.result)).toEqual(['accepted', 'accepted']);
    expect(state('PKG-1')).toMatchObject({ status: 'attempt_failed', last_event_id: 'aa-second', updated_at: '2026-11-26T10:00:00.001Z' });
    // Received at once: the second is taken as received 1 ms after the first.
    expect(putInputs().slice(0, 2).map((input) => input.Item!.event_time)).toEqual(['2026-11-26T10:00:00.000Z', '2026-11-26T10:00:00.001Z']);
    expect(putInputs()[1].Item!.received_at).toBe('2026-11-26T10:00:00.000Z');
  });

  test('never rolls the status back with older updates, and still counts their milestones', async () => {
    await postBatch([update('PKG-1', 'late', '2026-11-26T09:30:00Z', 'delivered')]);
    await postBatch([update('PKG-1', 'early-1', '2026-11-26T08:00:00Z'), update('PKG-1', 'early-2', '2026-11-26T08:30:00Z', 'out_for_delivery')]);

    expect(state('PKG-1')).toMatchObject({
      status: 'delivered', last_event_id: 'late', version: 2, first_seen_at: '2026-11-26T08:00:00.000Z', out_for_delivery_at: '2026-11-26T08:30:00.000Z',
    });
  });

  test('applies a duplicate\'s stored event too (repairs a state an earlier request left behind)', async () => {
    table.put({ TableName: 't', Item: storedEvent('PKG-1', 'e1', '2026-11-26T08:00:00.000Z', { status: 'out_for_delivery' }) });
    const result = await postBatch([update('PKG-1', 'e1', '2026-11-26T09:00:00Z', 'delivered')]);

    expect(bodyOf(result).results[0].result).toBe('duplicate');
    expect(state('PKG-1')).toMatchObject({ status: 'out_for_delivery', updated_at: '2026-11-26T08:00:00.000Z' });
  });

  test('counts every failed attempt of a new shipment in its one update', async () => {
    await postBatch([
      update('PKG-1', 'a', '2026-11-26T08:00:00Z', 'attempt_failed'),
      update('PKG-1', 'b', '2026-11-26T09:00:00Z', 'out_for_delivery'),
      update('PKG-1', 'c', '2026-11-26T10:00:00Z', 'attempt_failed'),
    ]);

    expect(putInputs().filter((input) => input.Item!.sk === 'STATE')).toHaveLength(1);
    expect(state('PKG-1')).toMatchObject({ status: 'attempt_failed', attempt_ids: new Set(['a', 'c']), out_for_delivery_at: '2026-11-26T09:00:00.000Z' });
  });

  test('counts every distinct failed attempt once, older ones and repeats included', async () => {
    await postBatch([update('PKG-1', 'm', '2026-11-26T09:00:00Z', 'attempt_failed')]);
    await postBatch([
      update('PKG-1', 'm', '2026-11-26T09:00:00Z', 'attempt_failed'),
      update('PKG-1', 'early', '2026-11-26T08:00:00Z', 'attempt_failed'),
      update('PKG-1', 'n', '2026-11-26T10:00:00Z', 'attempt_failed'),
    ]);

    expect(state('PKG-1')).toMatchObject({
      status: 'attempt_failed', last_event_id: 'n', attempt_ids: new Set(['early', 'm', 'n']), version: 2, first_seen_at: '2026-11-26T08:00:00.000Z',
    });
    // Written once more, conditional on the version it read.
    expect(putInputs().filter((input) => input.Item!.sk === 'STATE').map((input) => input.ConditionExpression)).toEqual(['attribute_not_exists(#pk)', '#version = :version']);
  });

  test('re-sending a whole batch changes nothing', async () => {
    const batch = [update('PKG-1', 'a', '2026-11-26T08:00:00Z', 'attempt_failed'), update('PKG-1', 'b', '2026-11-26T09:00:00Z', 'attempt_failed')];
    await postBatch(batch);
    const before = { ...state('PKG-1') };
    const again = await postBatch(batch);

    expect(bodyOf(again).results.map((r: { result: string }) => r.result)).toEqual(['duplicate', 'duplicate']);
    expect(state('PKG-1')).toEqual(before);
    expect(before).toMatchObject({ attempt_ids: new Set(['a', 'b']), version: 1 });
  });
});

describe('POST /track/batch when DynamoDB throttles some updates', () => {
  test('retries the throttled puts and answers those that recover as accepted', async () => {
    let throttledOnce = false;
    ddb.on(PutCommand).callsFake((input: PutCommandInput) => {
      if (input.Item!.event_id === 'flaky' && !throttledOnce) {
        throttledOnce = true;
        throw throttled();
      }
      return table.put(input);
    });
    const result = await postBatch([update('PKG-1', 'flaky', '2026-11-26T09:00:00Z'), update('PKG-2', 'fine', '2026-11-26T09:00:00Z')]);

    expect(bodyOf(result).results.map((r: { result: string }) => r.result)).toEqual(['accepted', 'accepted']);
    expect(putInputs().map((input) => input.Item!.event_id)).toEqual(['flaky', 'fine', 'flaky']);
  });

  test('reports updates still throttled after the retries as rejected "retry", and the rest as usual', async () => {
    ddb.on(PutCommand).callsFake((input: PutCommandInput) => {
      if (input.Item!.tracking_id === 'PKG-HOT') throw throttled();
      return table.put(input);
    });
    const result = await postBatch([update('PKG-HOT', 'h1', '2026-11-26T09:00:00Z'), update('PKG-2', 'fine', '2026-11-26T09:00:00Z')]);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).results).toEqual([
      { index: 0, tracking_id: 'PKG-HOT', event_id: 'h1', result: 'rejected', error: 'temporarily unavailable, retry' },
      { index: 1, tracking_id: 'PKG-2', event_id: 'fine', result: 'accepted' },
    ]);
    // Three attempts, then given up.
    expect(putInputs().filter((input) => input.Item!.event_id === 'h1')).toHaveLength(3);
    expect(updateInputs().map((input) => input.Key!.pk)).toEqual(['TRACK#PKG-2']);
    expect(metricCalls()).toEqual([['TrackingUpdateAccepted', 1], ['DependencyUnavailable', 1]]);
  });

  test('answers "retry" for every update of a shipment whose state cannot be written, although its events are stored', async () => {
    ddb.on(UpdateCommand).callsFake((input) => {
      if (input.Key.pk === 'TRACK#PKG-HOT') throw throttled();
      return table.update(input);
    });
    const result = await postBatch([
      update('PKG-HOT', 'h1', '2026-11-26T09:00:00Z'),
      update('PKG-2', 'fine', '2026-11-26T09:00:00Z'),
      update('PKG-HOT', 'h2', '2026-11-26T09:30:00Z'),
    ]);

    expect(bodyOf(result).results.map((r: { result: string; error?: string }) => [r.result, r.error])).toEqual([
      ['rejected', 'temporarily unavailable, retry'],
      ['accepted', undefined],
      ['rejected', 'temporarily unavailable, retry'],
    ]);
    expect(updateInputs().filter((input) => input.Key!.pk === 'TRACK#PKG-HOT')).toHaveLength(3);
    // The retry then finds them stored and moves the state.
    ddb.on(UpdateCommand).callsFake((input) => table.update(input));
    const retried = await postBatch([update('PKG-HOT', 'h1', '2026-11-26T09:00:00Z'), update('PKG-HOT', 'h2', '2026-11-26T09:30:00Z')]);
    expect(bodyOf(retried).results.map((r: { result: string }) => r.result)).toEqual(['duplicate', 'duplicate']);
    expect(state('PKG-HOT')).toMatchObject({ last_event_id: 'h2' });
  });

  test('gives an in-batch repeat of a throttled update the same answer', async () => {
    ddb.on(PutCommand).callsFake((input: PutCommandInput) => {
      if (input.Item!.tracking_id === 'PKG-1') throw throttled();
      return table.put(input);
    });
    const result = await postBatch([update('PKG-1', 'e1', '2026-11-26T09:00:00Z'), update('PKG-1', 'e1', '2026-11-26T09:00:00Z'), update('PKG-2', 'e2', '2026-11-26T09:00:00Z')]);

    expect(bodyOf(result).results.map((r: { result: string }) => r.result)).toEqual(['rejected', 'rejected', 'accepted']);
    expect(putInputs().filter((input) => input.Item!.tracking_id === 'PKG-1')).toHaveLength(3);
  });

  test('answers 503 with Retry-After when every update was throttled', async () => {
    ddb.on(PutCommand).rejects(throttled());
    const result = await postBatch([update('PKG-1', 'a', '2026-11-26T09:00:00Z'), update('PKG-2', 'b', '2026-11-26T09:00:00Z')]);

    expect(result.statusCode).toBe(503);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json', 'Retry-After': '1' });
    // With each update's event_id: the puts may have landed, a retry must reuse the ids.
    expect(bodyOf(result)).toEqual({
      error: 'service temporarily unavailable, retry later',
      results: [
        { index: 0, tracking_id: 'PKG-1', event_id: 'a', result: 'rejected', error: 'temporarily unavailable, retry' },
        { index: 1, tracking_id: 'PKG-2', event_id: 'b', result: 'rejected', error: 'temporarily unavailable, retry' },
      ],
    });
    expect(putInputs()).toHaveLength(6);
    expect(metricCalls()).toEqual([['DependencyUnavailable', 2]]);
  });

  test('answers 200, not 503, when the others were invalid rather than throttled', async () => {
    ddb.on(PutCommand).rejects(throttled());
    const result = await postBatch([update('PKG-1', 'a', '2026-11-26T09:00:00Z'), validUpdate({ status: 'lost' })]);

    expect(result.statusCode).toBe(200);
  });

  test('answers an update DynamoDB refuses for another reason as rejected, without internals, and still stores and applies the others', async () => {
    ddb.on(PutCommand).callsFake((input: PutCommandInput) => {
      if (input.Item!.event_id === 'bad') throw Object.assign(new Error('secret detail'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
      return table.put(input);
    });
    const result = await postBatch([update('PKG-1', 'bad', '2026-11-26T09:00:00Z'), update('PKG-2', 'good', '2026-11-26T09:00:00Z')]);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).results).toEqual([
      { index: 0, tracking_id: 'PKG-1', event_id: 'bad', result: 'rejected', error: 'internal error' },
      { index: 1, tracking_id: 'PKG-2', event_id: 'good', result: 'accepted' },
    ]);
    expect(result.body).not.toContain('secret');
    expect(state('PKG-2')).toMatchObject({ last_event_id: 'good' });
    // Counted, so the failure is not only in the logs.
    expect(metricCalls()).toEqual(expect.arrayContaining([['TrackingUpdateAccepted', 1], ['TrackingUpdateFailed', 1]]));
  });

  test('answers a shipment whose state update fails for another reason as rejected, and applies the other shipments', async () => {
    ddb.on(UpdateCommand).callsFake((input) => {
      if (input.Key.pk === 'TRACK#PKG-1') throw Object.assign(new Error('secret detail'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
      return table.update(input);
    });
    const result = await postBatch([update('PKG-1', 'a', '2026-11-26T09:00:00Z'), update('PKG-2', 'b', '2026-11-26T09:00:00Z')]);

    expect(bodyOf(result).results.map((r: { result: string; error?: string }) => [r.result, r.error])).toEqual([['rejected', 'internal error'], ['accepted', undefined]]);
    expect(state('PKG-2')).toMatchObject({ last_event_id: 'b' });
  });

  test('rejects an update DynamoDB could not store (a number beyond its range) and still stores the others', async () => {
    const result = await postBatch([
      update('PKG-1', 'a', '2026-11-26T09:00:00Z'),
      { ...update('PKG-1', 'b', '2026-11-26T09:30:00Z'), metadata: { reading: 1e300 } },
    ]);

    expect(bodyOf(result).results.map((r: { result: string }) => r.result)).toEqual(['accepted', 'rejected']);
    expect(bodyOf(result).results[1].details).toEqual([{ path: '/metadata/reading', message: expect.stringContaining('beyond ±9007199254740991') }]);
    expect(putInputs().map((input) => input.Item!.event_id)).toEqual(['a']);
    expect(state('PKG-1')).toMatchObject({ last_event_id: 'a' });
  });
});

describe('POST /track/batch bounds its concurrency', () => {
  test('stores 100 updates with at most 10 puts in flight', async () => {
    let inFlight = 0;
    let most = 0;
    ddb.on(PutCommand).callsFake(async (input) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return table.put(input);
    });
    const updates = Array.from({ length: 100 }, (_, i) => update(`PKG-${i % 7}`, `e${i}`, '2026-11-26T09:00:00Z'));
    const result = await postBatch(updates);

    expect(bodyOf(result).results.map((r: { index: number; result: string }) => [r.index, r.result])).toEqual(updates.map((_, i) => [i, 'accepted']));
    expect(most).toBe(10);
    expect(updateInputs()).toHaveLength(7);
  });
});

describe('POST /track/batch envelope', () => {
  const invalidBatch = (details: unknown) => ({ error: 'invalid batch', details });

  test.each<[string, unknown, unknown]>([
    ['no updates', { updates: [] }, [{ path: '/updates', message: 'must NOT have fewer than 1 items' }]],
    ['101 updates', { updates: Array.from({ length: 101 }, () => validUpdate()) }, [{ path: '/updates', message: 'must NOT have more than 100 items' }]],
    ['updates that are not an array', { updates: validUpdate() }, [{ path: '/updates', message: 'must be array' }]],
    ['a missing updates field', {}, [{ path: '/updates', message: 'is required' }]],
    ['another top-level field', { updates: [validUpdate()], dry_run: true }, [{ path: '/dry_run', message: 'is not an allowed field' }]],
    ['an update that is not an object', { updates: [validUpdate(), 'scan'] }, [{ path: '/updates/1', message: 'must be object' }]],
    ['a body that is an array', [validUpdate()], [{ path: '/', message: 'must be object' }]],
  ])('rejects %s with a 400 naming the field, storing nothing', async (_case, body, details) => {
    const result = await postRaw(JSON.stringify(body));

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual(invalidBatch(details));
    expect(ddb.calls()).toHaveLength(0);
    expect(metricCalls()).toEqual([['TrackingUpdateRejected', 1]]);
  });

  test('accepts exactly 100 updates', async () => {
    const result = await postBatch(Array.from({ length: 100 }, (_, i) => update('PKG-1', `e${i}`, '2026-11-26T09:00:00Z')));

    expect(bodyOf(result).results).toHaveLength(100);
  });

  test('answers 415 to a non-JSON Content-Type', async () => {
    const result = await postRaw(JSON.stringify({ updates: [validUpdate()] }), { 'Content-Type': 'text/plain' });

    expect(result.statusCode).toBe(415);
    expect(bodyOf(result)).toEqual({ error: 'Content-Type must be application/json' });
  });

  test('answers 413 to a body over the configured limit', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 1024 }, flags: FLAGS_ON });
    const result = await postBatch(Array.from({ length: 20 }, () => validUpdate()));

    expect(result.statusCode).toBe(413);
    expect(bodyOf(result).error).toMatch(/^request body is \d+ bytes; the limit is 1024 bytes$/);
  });

  test('answers 400 to a body that is not JSON', async () => {
    const result = await postRaw('{"updates": [');

    expect(bodyOf(result)).toEqual({ error: 'request body is not valid JSON' });
  });

  test(`answers 400 to a body nesting deeper than ${MAX_JSON_DEPTH} levels`, async () => {
    let metadata: Record<string, unknown> = {};
    for (let level = 0; level < MAX_JSON_DEPTH; level++) metadata = { next: metadata };
    const result = await postBatch([validUpdate({ metadata })]);

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: `request body nests deeper than ${MAX_JSON_DEPTH} levels`, details: [{ path: expect.stringMatching(/^\/updates\/0\/metadata\/next/) }] });
  });
});
