import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import 'aws-sdk-client-mock-jest';
import { captureEmf, linesWith } from './emf';
import { TEST_ENV } from './env';
import {
  deadLetters,
  deliveryRecordPuts,
  dynamoDb,
  eventBridge,
  flagsAre,
  sentDetails,
  sqs,
  tableHolds,
  servicesAtDefaults,
} from './mocks';
import { lambdaContext, stateItem, stateRemoval, statusInsert, statusModify, streamEvent, streamRecord } from './records';
import { metrics } from '../../lambda/shared/observability';
import { handler, removedLaterIn } from '../../lambda/stream-processor';
import type { DeliveredShipment } from '../../lambda/stream-processor/analytics/delivered-shipment';
import { deliveryFigures } from '../../lambda/stream-processor/analytics/figures';
import { dynamoDb as dynamoDbClient, eventBridge as eventBridgeClient, sqs as sqsClient } from '../../lambda/stream-processor/clients';
import { handleRecord } from '../../lambda/stream-processor/handle-record';
import { EventPublisher, PUBLISH_RETRY } from '../../lambda/stream-processor/publisher';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';

/**
 * The default delivered state item (records.ts): first seen 2026-11-25T08:00Z,
 * delivered 2026-11-26T09:15Z, so 25 h 15 min in transit.
 */
const DELIVERED_AT = '2026-11-26T09:15:00.000Z';
const TRANSIT_SECONDS = 25 * 3600 + 15 * 60;
const DELIVERY_METRICS = ['TransitTime', 'DeliveryAttempts', 'DeliveredOnTime', 'DeliveredLate', 'DeliveredWithoutEta'];

let addMetric: jest.SpyInstance;
const countedMetrics = () => addMetric.mock.calls.map((call) => call[0]).sort();
let emf: ReturnType<typeof captureEmf>;

const invoke = (...records: Parameters<typeof streamEvent>) => handler(streamEvent(...records), lambdaContext());
/** The EMF lines that carry delivery figures. */
const deliveryLines = () => emf.lines().filter((line) => DELIVERY_METRICS.some((name) => name in line.units));
const delivered = (overrides: Record<string, unknown> = {}) => statusModify('out_for_delivery', 'delivered', { version: 6, ...overrides });

beforeEach(() => {
  servicesAtDefaults();
  addMetric = jest.spyOn(metrics, 'addMetric');
  emf = captureEmf();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('a delivery is counted from the state item and the last ETA before it', () => {
  test('on time: one delivery record with the figures, and one EMF line of transit time, attempts and DeliveredOnTime', async () => {
    tableHolds([[{ eta: '2026-11-26T18:00:00+01:00' }]]);

    const result = await invoke(delivered());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamoDb).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(dynamoDb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TEST_ENV.TABLE_NAME,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    expect(deliveryRecordPuts()).toEqual([{
      pk: 'TRACK#PKG-1',
      sk: 'DELIVERY',
      tracking_id: 'PKG-1',
      first_seen_at: '2026-11-25T08:00:00.000Z',
      delivered_at: DELIVERED_AT,
      transit_seconds: TRANSIT_SECONDS,
      delivery_attempts: 0,
      eta: '2026-11-26T18:00:00+01:00',
      punctuality: 'on_time',
      state_version: 6,
      counted_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    }]);
    expect(deliveryLines()).toEqual([{
      namespace: 'LogisticsTracking',
      dimensions: ['service'],
      units: { TransitTime: 'Seconds', DeliveryAttempts: 'Count', DeliveredOnTime: 'Count' },
      fields: { service: 'logistics-tracking-notifications', tracking_id: 'PKG-1', TransitTime: TRANSIT_SECONDS, DeliveryAttempts: 0, DeliveredOnTime: 1 },
    }]);
    // The status change is published as ever.
    expect(sentDetails()).toEqual([expect.objectContaining({ status: 'delivered', version: 6 })]);
  });

  test('asks the history index for the newest ETA up to the delivery, newest first, consistently, projecting eta only', async () => {
    await invoke(delivered());

    expect(dynamoDb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TEST_ENV.TABLE_NAME,
      IndexName: TEST_ENV.HISTORY_INDEX_NAME,
      KeyConditionExpression: '#pk = :pk AND #order < :after',
      FilterExpression: 'attribute_exists(#eta)',
      ProjectionExpression: '#eta',
      ExpressionAttributeNames: { '#pk': 'pk', '#order': 'history_sk', '#eta': 'eta' },
      // Every event at the delivery's millisecond (any event id) sorts before this; any later event after it.
      ExpressionAttributeValues: { ':pk': 'TRACK#PKG-1', ':after': `${DELIVERED_AT}#\u007f` },
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    expect('2026-11-26T09:15:00.000Z#~~~~' < `${DELIVERED_AT}#\u007f`).toBe(true);
    expect('2026-11-26T09:15:00.001Z#!' > `${DELIVERED_AT}#\u007f`).toBe(true);
  });

  test('late: delivered after the ETA', async () => {
    tableHolds([[{ eta: '2026-11-26T09:14:59.999Z' }]]);

    await invoke(delivered());

    expect(deliveryRecordPuts()).toEqual([expect.objectContaining({ punctuality: 'late', eta: '2026-11-26T09:14:59.999Z' })]);
    expect(deliveryLines()).toEqual([expect.objectContaining({ fields: expect.objectContaining({ DeliveredLate: 1 }) })]);
    expect(deliveryLines()[0].units).not.toHaveProperty('DeliveredOnTime');
  });

  test('no ETA on any event: pages through the history, then counts DeliveredWithoutEta', async () => {
    tableHolds([[], [], []]);

    await invoke(delivered());

    const queries = dynamoDb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.map((input) => input.ExclusiveStartKey)).toEqual([
      undefined,
      { pk: 'TRACK#PKG-1', sk: 'EVENT#page-0', history_sk: 'page-0' },
      { pk: 'TRACK#PKG-1', sk: 'EVENT#page-1', history_sk: 'page-1' },
    ]);
    const [put] = deliveryRecordPuts();
    expect(put).toMatchObject({ punctuality: 'without_eta' });
    expect(put).not.toHaveProperty('eta');
    expect(deliveryLines()).toEqual([expect.objectContaining({
      units: { TransitTime: 'Seconds', DeliveryAttempts: 'Count', DeliveredWithoutEta: 'Count' },
    })]);
  });

  test('an ETA on a later page is found, and the search stops there', async () => {
    tableHolds([[], [{ eta: '2026-11-27T12:00:00Z' }], [{ eta: 'never read' }]]);

    await invoke(delivered());

    expect(dynamoDb).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(deliveryRecordPuts()).toEqual([expect.objectContaining({ punctuality: 'on_time', eta: '2026-11-27T12:00:00Z' })]);
  });

  test('delivery attempts are the size of attempt_ids, and the state item\'s expires_at goes onto the record', async () => {
    await invoke(delivered({ attempt_ids: new Set(['try-1', 'try-2']), expires_at: 1_800_000_000 }));

    expect(deliveryRecordPuts()).toEqual([expect.objectContaining({ delivery_attempts: 2, expires_at: 1_800_000_000 })]);
    expect(deliveryLines()[0].fields).toMatchObject({ DeliveryAttempts: 2 });
  });

  test("a shipment's first status being delivered (an INSERT) counts too", async () => {
    await invoke(statusInsert('delivered'));

    expect(deliveryRecordPuts()).toEqual([expect.objectContaining({ tracking_id: 'PKG-1', state_version: 1 })]);
    expect(deliveryLines()).toHaveLength(1);
  });

  test('counted while real_time_notifications is off: the flag governs publishing, not counting', async () => {
    flagsAre({ ...DEFAULT_FEATURE_FLAGS, real_time_notifications: false });

    await invoke(delivered());

    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(deliveryLines()).toHaveLength(1);
  });

  test.each([
    ['a same-status write of a delivered shipment', statusModify('delivered', 'delivered')],
    ['a change to another status', statusModify('delivered', 'returned')],
  ])('%s counts nothing', async (_, record) => {
    await invoke(record);

    expect(dynamoDb.calls()).toEqual([]);
    expect(deliveryLines()).toEqual([]);
  });
});

describe('a delivery counts once, although the stream delivers at least once', () => {
  test('the same record in two invocations: the second put fails its condition and emits no figures', async () => {
    const record = delivered();

    await invoke(record);
    const result = await invoke(record);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamoDb).toHaveReceivedCommandTimes(PutCommand, 2);
    expect(deliveryLines()).toHaveLength(1);
    expect(countedMetrics().filter((name) => name === 'DeliveryAlreadyCounted')).toHaveLength(1);
    // Publishing is at least once, as before: consumers drop the repeat by version.
    expect(sentDetails().map((detail) => detail.version)).toEqual([6, 6]);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  test('the same record twice in one batch counts once', async () => {
    const record = delivered();

    await invoke(record, { ...record, eventID: 'repeat' });

    expect(deliveryLines()).toHaveLength(1);
  });

  test('a shipment delivered a second time (delivered, exception, delivered) counts once', async () => {
    await invoke(delivered(), statusModify('delivered', 'exception', { version: 7 }), statusModify('exception', 'delivered', { version: 8 }));

    expect(deliveryRecordPuts().map((item) => item.state_version).sort()).toEqual([6, 8]);
    expect(deliveryLines()).toHaveLength(1);
  });
});

describe('a delivery that cannot be counted never costs the status change', () => {
  const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
    name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 },
  });

  test.each([
    ['the history query', QueryCommand],
    ['the delivery record put', PutCommand],
  ])('%s failing: the change is published once, the record dead-lettered as analytics-failed, no figures', async (_, command) => {
    dynamoDb.on(command as typeof QueryCommand).rejects(throttled());
    const record = delivered();

    const result = await invoke(record);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentDetails()).toEqual([expect.objectContaining({ status: 'delivered' })]);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'analytics-failed',
      attempts: 0,
      error: { name: 'ProvisionedThroughputExceededException', message: 'Rate of requests exceeds the allowed throughput' },
      record,
    })]);
    expect(deadLetters()[0]).not.toHaveProperty('event');
    expect(deliveryLines()).toEqual([]);
  });

  test('the counting and the dead-letter queue both failing: the record is handed back, its change published once', async () => {
    dynamoDb.on(QueryCommand).rejects(throttled());
    sqs.on(SendMessageCommand).rejects(new Error('queue gone'));
    const other = statusModify('in_transit', 'out_for_delivery', { tracking_id: 'PKG-2', pk: 'TRACK#PKG-2' });
    const record = delivered();

    const result = await invoke(other, record);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    expect(sentDetails().map((detail) => detail.tracking_id).sort()).toEqual(['PKG-1', 'PKG-2']);
  });

  test('a function without TABLE_NAME dead-letters the count, naming the variable', async () => {
    const record = delivered();

    await handleRecord(record, {
      flags: DEFAULT_FEATURE_FLAGS,
      publisher: new EventPublisher({ client: eventBridgeClient, retry: PUBLISH_RETRY }),
      eventBusName: TEST_ENV.EVENT_BUS_NAME,
      sqs: sqsClient,
      deadLetterQueueUrl: TEST_ENV.DEAD_LETTER_QUEUE_URL,
      analytics: { client: dynamoDbClient, tableName: undefined, historyIndexName: TEST_ENV.HISTORY_INDEX_NAME },
    });

    expect(dynamoDb.calls()).toEqual([]);
    expect(sentDetails()).toHaveLength(1);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'analytics-failed',
      error: { name: 'AnalyticsConfigError', message: 'TABLE_NAME is not set' },
    })]);
  });

  test('a delivered state item without delivered_at is malformed: dead-lettered whole, nothing published', async () => {
    await invoke(delivered({ delivered_at: undefined }));

    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(dynamoDb.calls()).toEqual([]);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'malformed',
      error: { name: 'MalformedRecord', message: 'NewImage.delivered_at is missing' },
    })]);
  });
});

describe('ShipmentExceptions', () => {
  test('counts each change to exception, whatever the flag, on the invocation\'s line; a same-status write does not', async () => {
    flagsAre({ ...DEFAULT_FEATURE_FLAGS, real_time_notifications: false });

    await invoke(
      statusModify('in_transit', 'exception'),
      statusModify('exception', 'exception', { tracking_id: 'PKG-2', pk: 'TRACK#PKG-2' }),
      statusInsert('exception', { tracking_id: 'PKG-3', pk: 'TRACK#PKG-3' }),
    );

    const [line] = linesWith(emf.lines(), 'ShipmentExceptions');
    expect(line).toMatchObject({ dimensions: ['service'], units: { ShipmentExceptions: 'Count' }, fields: { ShipmentExceptions: [1, 1] } });
  });
});

describe('delivery figures', () => {
  const shipment: DeliveredShipment = {
    trackingId: 'PKG-1', partitionKey: 'TRACK#PKG-1', firstSeenAt: '2026-11-25T08:00:00.000Z', deliveredAt: DELIVERED_AT, attempts: 1, version: 4,
  };

  test.each([
    ['delivered at the ETA\'s very instant', '2026-11-26T09:15:00Z', 'on_time'],
    ['an ETA with an offset, the same instant', '2026-11-26T10:15:00.000+01:00', 'on_time'],
    ['an ETA a millisecond earlier', '2026-11-26T09:14:59.999Z', 'late'],
    ['an ETA in nanoseconds', '2026-11-26T09:15:00.000000001Z', 'on_time'],
    ['no ETA', undefined, 'without_eta'],
    ['an ETA that is not a time', 'soon', 'without_eta'],
  ])('%s: %s', (_, eta, punctuality) => {
    expect(deliveryFigures(shipment, eta).punctuality).toBe(punctuality);
  });

  test('transit time in seconds, to the millisecond', () => {
    expect(deliveryFigures({ ...shipment, deliveredAt: '2026-11-25T08:00:01.250Z' }, undefined)).toEqual({
      transitSeconds: 1.25, attempts: 1, punctuality: 'without_eta',
    });
  });
});

describe('a removed shipment keeps no delivery record', () => {
  test('the removal of a state item deletes the shipment\'s delivery record (one counted while an erasure ran)', async () => {
    dynamoDb.on(DeleteCommand).resolves({});

    const result = await invoke(stateRemoval({ status: 'delivered' }));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamoDb).toHaveReceivedCommandTimes(DeleteCommand, 1);
    expect(dynamoDb).toHaveReceivedCommandWith(DeleteCommand, { TableName: TEST_ENV.TABLE_NAME, Key: { pk: 'TRACK#PKG-1', sk: 'DELIVERY' } });
    // The deletion is published as well.
    expect(sentDetails()).toEqual([expect.objectContaining({ tracking_id: 'PKG-1', reason: 'request' })]);
  });

  test('a delivery followed in the same batch by the shipment\'s removal is not counted: no record, no metrics', async () => {
    dynamoDb.on(DeleteCommand).resolves({});
    tableHolds([[{ eta: '2026-11-26T18:00:00+01:00' }]]);

    const result = await invoke(delivered(), stateRemoval({ status: 'delivered', version: 6 }));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(deliveryRecordPuts()).toEqual([]);
    expect(deliveryLines()).toEqual([]);
    expect(countedMetrics()).toContain('DeliveryNotCountedRemoved');
    expect(dynamoDb).toHaveReceivedCommandTimes(DeleteCommand, 1);
  });

  test('a removal earlier in the batch, or of another shipment, does not stop a delivery from being counted', async () => {
    dynamoDb.on(DeleteCommand).resolves({});
    const otherShipment = stateRemoval({ pk: 'TRACK#PKG-2', tracking_id: 'PKG-2' });

    await invoke(stateRemoval({ status: 'exception' }), otherShipment, delivered());

    expect(deliveryRecordPuts()).toHaveLength(1);
    expect(deliveryLines()).toHaveLength(1);
  });

  test('a failed clean-up dead-letters the removal record, whose replay deletes the delivery record', async () => {
    dynamoDb.on(DeleteCommand).rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));

    const result = await invoke(stateRemoval());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(deadLetters()).toEqual([expect.objectContaining({ reason: 'analytics-failed' })]);
  });
});

describe('removedLaterIn: which records a later removal in the batch covers', () => {
  test('compares sequence numbers as numbers, per shipment, for state item removals only', () => {
    const modify = streamRecord({ eventName: 'MODIFY', newItem: stateItem(), oldItem: stateItem(), sequenceNumber: '9' });
    const removal = streamRecord({ eventName: 'REMOVE', oldItem: stateItem(), sequenceNumber: '10' });
    const later = streamRecord({ eventName: 'MODIFY', newItem: stateItem(), oldItem: stateItem(), sequenceNumber: '11' });
    const eventRemoval = streamRecord({ eventName: 'REMOVE', oldItem: { pk: 'TRACK#PKG-1', sk: 'EVENT#e1' }, sequenceNumber: '12' });
    const other = streamRecord({ eventName: 'MODIFY', newItem: stateItem({ pk: 'TRACK#PKG-2' }), oldItem: stateItem({ pk: 'TRACK#PKG-2' }), sequenceNumber: '1' });

    const removedLater = removedLaterIn([modify, removal, later, eventRemoval, other]);

    // '9' < '10' as numbers, though not as strings.
    expect(removedLater(modify)).toBe(true);
    expect(removedLater(removal)).toBe(false);
    // An event item's removal is not the shipment's.
    expect(removedLater(later)).toBe(false);
    expect(removedLater(other)).toBe(false);
  });
});
