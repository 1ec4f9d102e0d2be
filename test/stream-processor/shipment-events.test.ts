import './env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import 'aws-sdk-client-mock-jest';
import { captureEmf, linesWith } from './emf';
import {
  deadLetters,
  dynamoDb,
  eventBridge,
  flagsAre,
  putEventsAnswers,
  putEventsCalls,
  sentDetails,
  sqs,
  servicesAtDefaults,
} from './mocks';
import {
  CREATED_ISO,
  lambdaContext,
  STALL_THRESHOLD_SECONDS,
  STALLED_AT,
  stallMarking,
  stateItem,
  stateRemoval,
  streamEvent,
  streamRecord,
  TTL_IDENTITY,
} from './records';
import { metrics } from '../../lambda/shared/observability';
import { handler } from '../../lambda/stream-processor';
import { readStall } from '../../lambda/stream-processor/stall';
import { SHIPMENT_DELETED_EVENT, SHIPMENT_STALLED_EVENT, STATUS_CHANGED_EVENT } from '../../src/contract/events';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';

let addMetric: jest.SpyInstance;
const countedMetrics = () => addMetric.mock.calls.map((call) => call[0]).sort();
let emf: ReturnType<typeof captureEmf>;

const invoke = (...records: Parameters<typeof streamEvent>) => handler(streamEvent(...records), lambdaContext());
const detailTypes = () => putEventsCalls().flat().map((entry) => entry.DetailType);

beforeEach(() => {
  servicesAtDefaults();
  addMetric = jest.spyOn(metrics, 'addMetric');
  emf = captureEmf();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('Tracking Shipment Stalled', () => {
  test("the sweep's marking publishes one event with the exact detail, at the time of the marking", async () => {
    const result = await invoke(stallMarking());

    expect(result).toEqual({ batchItemFailures: [] });
    const [[entry]] = putEventsCalls();
    expect(entry).toEqual({
      EventBusName: 'tracking-events-test',
      Source: SHIPMENT_STALLED_EVENT.source,
      DetailType: 'Tracking Shipment Stalled',
      Time: new Date(CREATED_ISO),
      Detail: expect.any(String),
    });
    expect(JSON.parse(entry.Detail!)).toEqual({
      tracking_id: 'PKG-1',
      status: 'in_transit',
      status_since: '2026-11-26T09:15:00.000Z',
      updated_at: '2026-11-26T09:15:00.000Z',
      threshold_seconds: STALL_THRESHOLD_SECONDS,
      stalled_at: STALLED_AT,
      location: { lat: 52.52, lng: 13.405 },
      version: 5,
    });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    // The marking kept the status: no status change, and that is counted as before.
    expect(countedMetrics()).toEqual(['ShipmentStalledPublished', 'StatusChangeSkippedNoChange']);
  });

  test('counts ShipmentsStalled with the Status dimension on a line of its own, which no other metric shares', async () => {
    await invoke(stallMarking({ status: 'out_for_delivery' }), stallMarking({ tracking_id: 'PKG-2', pk: 'TRACK#PKG-2' }));

    const stalls = linesWith(emf.lines(), 'ShipmentsStalled');
    expect(stalls.map((line) => [line.fields.Status, line.fields.tracking_id]).sort()).toEqual([['in_transit', 'PKG-2'], ['out_for_delivery', 'PKG-1']]);
    for (const line of stalls) {
      expect(line).toMatchObject({
        namespace: 'LogisticsTracking',
        dimensions: ['service', 'Status'],
        units: { ShipmentsStalled: 'Count' },
        fields: { ShipmentsStalled: 1 },
      });
    }
    // The invocation's own counts are flushed on another line, without a Status.
    const others = emf.lines().filter((line) => !('ShipmentsStalled' in line.units));
    expect(others.length).toBeGreaterThan(0);
    for (const line of others) expect(line.dimensions).not.toContain('Status');
  });

  test('is published while real_time_notifications is off: the flag governs status changes only', async () => {
    flagsAre({ ...DEFAULT_FEATURE_FLAGS, real_time_notifications: false });

    await invoke(stallMarking());

    expect(detailTypes()).toEqual([SHIPMENT_STALLED_EVENT.detailType]);
  });

  test('a later write of the same status run carries the marking along and publishes nothing', async () => {
    const marked = stateItem({ stalled_sk: '2026-11-26T09:15:00.000Z#PKG-1', stalled_at: STALLED_AT, stall_threshold_seconds: 60, version: 5 });
    const moved = { ...marked, location: { lat: 1, lng: 2 }, version: 6 };

    await invoke(streamRecord({ eventName: 'MODIFY', oldItem: marked, newItem: moved }));

    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(linesWith(emf.lines(), 'ShipmentsStalled')).toEqual([]);
  });

  test('a marking of an earlier status run publishes the status change only', async () => {
    const marked = stateItem({ stalled_sk: '2026-11-26T09:15:00.000Z#PKG-1', stalled_at: STALLED_AT, stall_threshold_seconds: 60, version: 5 });
    const delivered = {
      ...marked,
      status: 'out_for_delivery',
      status_since: '2026-11-29T07:00:00.000Z',
      status_sk: '2026-11-29T07:00:00.000Z#PKG-1',
      updated_at: '2026-11-29T07:00:00.000Z',
      last_event_id: 'scan-0003',
      version: 6,
    };

    await invoke(streamRecord({ eventName: 'MODIFY', oldItem: marked, newItem: delivered }));

    expect(detailTypes()).toEqual([STATUS_CHANGED_EVENT.detailType]);
  });

  test('a write that reads as a status change and a new stall at once publishes both', async () => {
    const before = stateItem({ version: 5 });
    const after = stateItem({
      status: 'out_for_delivery',
      status_since: '2026-11-29T07:00:00.000Z',
      status_sk: '2026-11-29T07:00:00.000Z#PKG-1',
      stalled_sk: '2026-11-29T07:00:00.000Z#PKG-1',
      stalled_at: STALLED_AT,
      stall_threshold_seconds: 60,
      version: 6,
    });

    await invoke(streamRecord({ eventName: 'MODIFY', oldItem: before, newItem: after }));

    expect(detailTypes().sort()).toEqual([STATUS_CHANGED_EVENT.detailType, SHIPMENT_STALLED_EVENT.detailType].sort());
    expect(sentDetails().map((detail) => detail.version)).toEqual([6, 6]);
  });

  test('a stall EventBridge refuses is dead-lettered with its event, and not counted as a stall', async () => {
    putEventsAnswers(() => 'MalformedDetail');
    const record = stallMarking();

    const result = await invoke(record);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'publish-failed',
      attempts: 1,
      event: expect.objectContaining({
        source: 'logistics.tracking',
        detail_type: 'Tracking Shipment Stalled',
        detail: expect.objectContaining({ tracking_id: 'PKG-1', stalled_at: STALLED_AT, version: 5 }),
      }),
      record,
    })]);
    expect(linesWith(emf.lines(), 'ShipmentsStalled')).toEqual([]);
  });

  test('a marking without its threshold or stalled_at is malformed: dead-lettered whole, nothing published', async () => {
    const record = stallMarking();
    delete record.dynamodb!.NewImage!.stall_threshold_seconds;
    record.dynamodb!.NewImage!.stalled_at = { S: 'yesterday' };

    await invoke(record);

    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'malformed',
      error: {
        name: 'MalformedRecord',
        message: 'NewImage.stall_threshold_seconds is missing; NewImage.stalled_at is not a UTC ISO-8601 time with ms',
      },
    })]);
  });

  test.each([
    ['no marking at all', {}, {}],
    ['a marking that is not the current status_sk', {}, { stalled_sk: '2026-11-01T00:00:00.000Z#PKG-1' }],
    ['a marking the OldImage already had', { stalled_sk: '2026-11-26T09:15:00.000Z#PKG-1' }, { stalled_sk: '2026-11-26T09:15:00.000Z#PKG-1' }],
  ])('reads %s as no stall', (_, oldFields, newFields) => {
    const record = streamRecord({ eventName: 'MODIFY', oldItem: stateItem(oldFields), newItem: stateItem({ ...newFields, version: 3 }) });

    expect(readStall(record)).toEqual({ kind: 'none' });
  });
});

describe('Tracking Shipment Deleted', () => {
  test.each([
    ['a request (DELETE /shipments/{tracking_id})', undefined, 'request'],
    ['Time to Live (retention)', TTL_IDENTITY, 'retention'],
    ['another service', { type: 'Service', principalId: 'backup.amazonaws.com' }, 'request'],
  ])('a state item removed by %s publishes reason %s, from the removed item', async (_, identity, reason) => {
    const result = await invoke(stateRemoval({ status: 'delivered', version: 7 }, identity));

    expect(result).toEqual({ batchItemFailures: [] });
    const [[entry]] = putEventsCalls();
    expect(entry).toEqual({
      EventBusName: 'tracking-events-test',
      Source: SHIPMENT_DELETED_EVENT.source,
      DetailType: 'Tracking Shipment Deleted',
      Time: new Date(CREATED_ISO),
      Detail: expect.any(String),
    });
    expect(JSON.parse(entry.Detail!)).toEqual({ tracking_id: 'PKG-1', status: 'delivered', reason, version: 7 });
    expect(countedMetrics()).toEqual(['ShipmentDeletedPublished']);
    // A removal is never a delivery to count, whatever the status it had; its one table call
    // deletes the shipment's delivery record (analytics.test.ts).
    expect(dynamoDb.calls().map((call) => call.args[0].constructor.name)).toEqual(['DeleteCommand']);
  });

  test('is published while real_time_notifications is off', async () => {
    flagsAre({ ...DEFAULT_FEATURE_FLAGS, real_time_notifications: false });

    await invoke(stateRemoval());

    expect(detailTypes()).toEqual([SHIPMENT_DELETED_EVENT.detailType]);
  });

  test('a deletion that keeps failing is dead-lettered with its event after the in-process retries', async () => {
    putEventsAnswers(() => 'ThrottlingException');
    const record = stateRemoval({}, TTL_IDENTITY);

    const result = await invoke(record);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 4);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'publish-failed',
      attempts: 4,
      event: expect.objectContaining({
        detail_type: 'Tracking Shipment Deleted',
        detail: { tracking_id: 'PKG-1', status: 'in_transit', reason: 'retention', version: 2 },
      }),
      record,
    })]);
  });

  test('a state item REMOVE without an OldImage is malformed and dead-lettered', async () => {
    const record = streamRecord({ eventName: 'REMOVE' });

    await invoke(record);

    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'malformed',
      error: { name: 'MalformedRecord', message: 'OldImage is missing (the stream must be NEW_AND_OLD_IMAGES)' },
      record,
    })]);
  });
});
