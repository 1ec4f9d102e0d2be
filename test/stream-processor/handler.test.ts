import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { TEST_ENV } from './env';
import 'aws-sdk-client-mock-jest';
import {
  deadLetters,
  dynamoDb,
  eventBridge,
  flagsAre,
  putEventsAnswers,
  putEventsCalls,
  sentDetails,
  sqs,
  ssm,
  trackingIdOf,
  servicesAtDefaults,
} from './mocks';
import {
  CREATED_ISO,
  lambdaContext,
  sequenceOf,
  stateItem,
  statusInsert,
  statusModify,
  STREAM_ARN,
  streamEvent,
  streamRecord,
} from './records';
import { metrics } from '../../lambda/shared/observability';
import { handler } from '../../lambda/stream-processor';
import { dynamoDb as dynamoDbClient, eventBridge as eventBridgeClient, sqs as sqsClient } from '../../lambda/stream-processor/clients';
import { handleRecord } from '../../lambda/stream-processor/handle-record';
import { EventPublisher, PUBLISH_RETRY } from '../../lambda/stream-processor/publisher';
import { STATUS_CHANGED_EVENT } from '../../src/contract/events';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';

let addMetric: jest.SpyInstance;
const countedMetrics = () => addMetric.mock.calls.map((call) => call[0]).sort();

const invoke = (...records: Parameters<typeof streamEvent>) => handler(streamEvent(...records), lambdaContext());

beforeEach(() => {
  servicesAtDefaults();
  addMetric = jest.spyOn(metrics, 'addMetric');
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('publishes one event per status change', () => {
  test('a MODIFY that changes the status publishes exactly one event with the exact detail', async () => {
    const result = await invoke(statusModify('in_transit', 'out_for_delivery', { version: 5 }));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(putEventsCalls()).toHaveLength(1);
    const [[entry]] = putEventsCalls();
    expect(entry).toEqual({
      EventBusName: TEST_ENV.EVENT_BUS_NAME,
      Source: STATUS_CHANGED_EVENT.source,
      DetailType: STATUS_CHANGED_EVENT.detailType,
      Time: new Date(CREATED_ISO),
      Detail: expect.any(String),
    });
    expect(JSON.parse(entry.Detail!)).toEqual({
      tracking_id: 'PKG-1',
      previous_status: 'in_transit',
      status: 'out_for_delivery',
      event_time: '2026-11-26T09:15:00.000Z',
      location: { lat: 52.52, lng: 13.405 },
      event_id: 'scan-0002',
      version: 5,
    });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(countedMetrics()).toEqual(['StatusChangePublished']);
  });

  test('an INSERT is the first status: previous_status is null', async () => {
    await invoke(statusInsert('info_received'));

    expect(sentDetails()).toEqual([expect.objectContaining({ previous_status: null, status: 'info_received', version: 1 })]);
  });

  test('23 status changes go out in three PutEvents calls of at most 10 entries, each once, in record order', async () => {
    const records = Array.from({ length: 23 }, (_, i) =>
      statusModify('in_transit', 'delivered', { tracking_id: `PKG-${i}`, pk: `TRACK#PKG-${i}` }));

    const result = await invoke(...records);

    expect(result.batchItemFailures).toEqual([]);
    expect(putEventsCalls().map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(sentDetails().map((detail) => detail.tracking_id)).toEqual(records.map((_, i) => `PKG-${i}`));
  });

  test('a repeated first INSERT (moto, UpdateItem on a missing item) publishes twice with the same version for consumers to drop', async () => {
    const first = statusInsert('in_transit');
    const repeat = streamRecord({ eventName: 'INSERT', newItem: stateItem({ status: 'in_transit', version: 1 }) });

    await invoke(first, repeat);

    const details = sentDetails();
    expect(details).toHaveLength(2);
    expect(details[0]).toEqual(details[1]);
    expect(details[0].version).toBe(1);
  });
});

describe('publishes nothing for records that are not status changes', () => {
  test('a MODIFY that keeps the status (a new location) publishes nothing and succeeds', async () => {
    const result = await invoke(statusModify('in_transit', 'in_transit'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(countedMetrics()).toEqual(['StatusChangeSkippedNoChange']);
  });

  test('event items, delivery records and their REMOVEs are skipped without publishing or dead-lettering', async () => {
    const eventItem = streamRecord({
      eventName: 'INSERT',
      newItem: { pk: 'TRACK#PKG-1', sk: 'EVENT#scan-0003', tracking_id: 'PKG-1', event_id: 'scan-0003', status: 'delivered' },
    });
    const deliveryRecord = streamRecord({ eventName: 'INSERT', newItem: { pk: 'TRACK#PKG-1', sk: 'DELIVERY', tracking_id: 'PKG-1' } });
    const removedEvent = streamRecord({ eventName: 'REMOVE', oldItem: { pk: 'TRACK#PKG-1', sk: 'EVENT#scan-0003', status: 'delivered' } });

    const result = await invoke(eventItem, deliveryRecord, removedEvent);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(dynamoDb.calls()).toEqual([]);
    expect(countedMetrics()).toEqual(['StreamRecordSkipped', 'StreamRecordSkipped', 'StreamRecordSkipped']);
  });
});

describe('the real_time_notifications flag, read at run time', () => {
  test('off in SSM: nothing is published and the record succeeds', async () => {
    flagsAre({ ...DEFAULT_FEATURE_FLAGS, real_time_notifications: false });

    const result = await invoke(statusModify('in_transit', 'delivered'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ssm).toHaveReceivedCommandWith(GetParametersCommand, { Names: [TEST_ENV.FLAGS_PARAMETER_NAME] });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(countedMetrics()).toEqual(['StatusChangeSkippedFlagOff']);
  });

  test('switched on in SSM: the next batch publishes, with no redeployment', async () => {
    flagsAre({ ...DEFAULT_FEATURE_FLAGS, real_time_notifications: false });
    await invoke(statusModify('in_transit', 'delivered'));
    flagsAre({ ...DEFAULT_FEATURE_FLAGS, real_time_notifications: true });
    await invoke(statusModify('in_transit', 'delivered'));

    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  test('SSM unreachable: the deploy-time default (on) applies and the change is published', async () => {
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

    const result = await invoke(statusModify('in_transit', 'delivered'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });
});

describe('PutEvents failures: retried in process, then dead-lettered with the record', () => {
  test('an entry that keeps failing with ThrottlingException is sent 4 times, then its record goes to the DLQ; its neighbour is published once', async () => {
    putEventsAnswers((entry) => (trackingIdOf(entry) === 'PKG-BAD' ? 'ThrottlingException' : undefined));
    const good = statusModify('in_transit', 'delivered');
    const bad = statusModify('in_transit', 'exception', { tracking_id: 'PKG-BAD', pk: 'TRACK#PKG-BAD' });

    const result = await invoke(good, bad);

    expect(result).toEqual({ batchItemFailures: [] });
    // One call with both entries, then three retries of the failed entry alone.
    expect(putEventsCalls().map((entries) => entries.map(trackingIdOf))).toEqual([['PKG-1', 'PKG-BAD'], ['PKG-BAD'], ['PKG-BAD'], ['PKG-BAD']]);
    expect(deadLetters()).toEqual([{
      kind: 'logistics-tracking.stream-record',
      version: 1,
      reason: 'publish-failed',
      error: { name: 'PublishError', message: 'PutEvents entry failed: ThrottlingException: ThrottlingException (mocked)', code: 'ThrottlingException' },
      attempts: 4,
      event_source_arn: STREAM_ARN,
      sequence_number: sequenceOf(bad),
      approximate_creation_time: CREATED_ISO,
      dead_lettered_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      event: {
        event_bus_name: TEST_ENV.EVENT_BUS_NAME,
        source: STATUS_CHANGED_EVENT.source,
        detail_type: STATUS_CHANGED_EVENT.detailType,
        time: CREATED_ISO,
        detail: expect.objectContaining({ tracking_id: 'PKG-BAD', previous_status: 'in_transit', status: 'exception' }),
      },
      record: bad,
    }]);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: TEST_ENV.DEAD_LETTER_QUEUE_URL,
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'logistics-tracking.stream-record' },
        reason: { DataType: 'String', StringValue: 'publish-failed' },
      },
    });
    expect(countedMetrics()).toEqual([
      // PKG-BAD's change to exception is a shipment figure, counted whether or not it is published.
      'ShipmentExceptions',
      'StatusChangePublishRetried', 'StatusChangePublishRetried', 'StatusChangePublishRetried',
      'StatusChangePublished', 'StreamRecordDeadLettered',
    ]);
  });

  test('an entry EventBridge refuses (MalformedDetail) is dead-lettered after one attempt, without retries', async () => {
    putEventsAnswers(() => 'MalformedDetail');

    const result = await invoke(statusModify('in_transit', 'delivered'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(deadLetters()).toEqual([expect.objectContaining({ reason: 'publish-failed', attempts: 1, error: expect.objectContaining({ code: 'MalformedDetail' }) })]);
  });

  test('a refused call (AccessDeniedException) is dead-lettered after one attempt', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('not authorized to perform events:PutEvents'), {
      name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 },
    }));

    const result = await invoke(statusModify('in_transit', 'delivered'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'publish-failed',
      attempts: 1,
      error: { name: 'PublishError', message: 'PutEvents failed: AccessDeniedException: not authorized to perform events:PutEvents' },
    })]);
  });

  test('no retry starts when the invocation is close to its timeout: the record is dead-lettered at once', async () => {
    putEventsAnswers(() => 'ThrottlingException');

    const result = await handler(streamEvent(statusModify('in_transit', 'delivered')), lambdaContext(5_000));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(deadLetters()).toEqual([expect.objectContaining({ reason: 'publish-failed', attempts: 1 })]);
  });
});

describe('transient failures that recover are published once and not dead-lettered', () => {
  test.each([
    ['EventBridge throttles the call', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })],
    ['EventBridge answers 500', Object.assign(new Error('internal'), { name: 'InternalException', $metadata: { httpStatusCode: 500 } })],
    ['the connection resets', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s once', async (_, error) => {
    eventBridge.on(PutEventsCommand).rejectsOnce(error).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-1' }] });

    const result = await invoke(statusModify('in_transit', 'delivered'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(countedMetrics()).toEqual(['StatusChangePublishRetried', 'StatusChangePublished']);
  });

  test('an entry failing with InternalFailure on its first attempt is published on the second', async () => {
    putEventsAnswers((_, attempt) => (attempt === 1 ? 'InternalFailure' : undefined));

    await invoke(statusModify('in_transit', 'delivered'));

    expect(sentDetails()).toHaveLength(2);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(countedMetrics()).toEqual(['StatusChangePublishRetried', 'StatusChangePublished']);
  });
});

describe('poisoned records are dead-lettered without retries; the rest of the batch is published', () => {
  test('a NewImage without status goes to the DLQ with its content; the other records are published', async () => {
    const before = statusModify('pending', 'in_transit', { tracking_id: 'PKG-A', pk: 'TRACK#PKG-A' });
    const { status: _, ...noStatus } = stateItem();
    const poisoned = streamRecord({ eventName: 'MODIFY', newItem: noStatus, oldItem: stateItem({ status: 'pending' }) });
    const after = statusInsert('info_received', { tracking_id: 'PKG-B', pk: 'TRACK#PKG-B' });

    const result = await invoke(before, poisoned, after);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentDetails().map((detail) => detail.tracking_id)).toEqual(['PKG-A', 'PKG-B']);
    expect(deadLetters()).toEqual([expect.objectContaining({
      kind: 'logistics-tracking.stream-record',
      reason: 'malformed',
      attempts: 0,
      error: { name: 'MalformedRecord', message: 'NewImage.status is missing' },
      sequence_number: sequenceOf(poisoned),
      event_source_arn: STREAM_ARN,
      approximate_creation_time: CREATED_ISO,
      record: poisoned,
    })]);
    expect(deadLetters()[0]).not.toHaveProperty('event');
  });

  test('a garbled NewImage (an unknown attribute type) is dead-lettered, never sent to EventBridge', async () => {
    const garbled = streamRecord({
      eventName: 'INSERT',
      rawNewImage: { pk: { S: 'TRACK#PKG-1' }, sk: { S: 'STATE' }, status: { X: 'in_transit' } },
    });

    const result = await invoke(garbled);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'malformed',
      error: { name: 'MalformedRecord', message: expect.stringMatching(/^NewImage is not a DynamoDB item image/) },
      record: garbled,
    })]);
  });
});

describe('a record the dead-letter queue does not take is handed back to the event source mapping', () => {
  test('only that record is in batchItemFailures, with its sequence number', async () => {
    const good = statusModify('in_transit', 'delivered');
    const poisoned = streamRecord({ eventName: 'MODIFY', newItem: stateItem({ status: 'delivered' }) });
    const alsoGood = statusInsert('pending', { tracking_id: 'PKG-2', pk: 'TRACK#PKG-2' });
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));

    const result = await invoke(good, poisoned, alsoGood);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(poisoned) }] });
    expect(sentDetails().map((detail) => detail.tracking_id)).toEqual(['PKG-1', 'PKG-2']);
    // One send (the SDK client retries on its own; the processor does not try again).
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(countedMetrics()).toEqual(['StatusChangePublished', 'StatusChangePublished', 'StreamRecordDeadLetterFailed']);
  });

  test('when no record of the batch could be handled, the invocation fails so the mapping retries the batch', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('queue gone'));
    putEventsAnswers(() => 'AccessDeniedException');

    await expect(invoke(statusModify('in_transit', 'delivered'), statusInsert('pending'))).rejects.toThrow(/All records failed processing/);
  });
});

describe('a misconfigured function loses nothing', () => {
  test('without EVENT_BUS_NAME a status change is dead-lettered, never sent to the default bus', async () => {
    const record = statusModify('in_transit', 'delivered');

    await handleRecord(record, {
      flags: DEFAULT_FEATURE_FLAGS,
      publisher: new EventPublisher({ client: eventBridgeClient, retry: PUBLISH_RETRY }),
      eventBusName: undefined,
      sqs: sqsClient,
      deadLetterQueueUrl: TEST_ENV.DEAD_LETTER_QUEUE_URL,
      analytics: { client: dynamoDbClient, tableName: TEST_ENV.TABLE_NAME, historyIndexName: TEST_ENV.HISTORY_INDEX_NAME },
    });

    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(deadLetters()).toEqual([expect.objectContaining({
      reason: 'publish-failed',
      attempts: 0,
      error: { name: 'PublishError', message: 'EVENT_BUS_NAME is not set' },
      record,
    })]);
  });
});
