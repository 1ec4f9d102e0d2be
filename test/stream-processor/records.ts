import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/tracking-test/stream/2026-11-01T00:00:00.000';

/** ApproximateCreationDateTime of every record (epoch seconds), and the same as ISO. */
export const CREATED_SECONDS = 1_795_687_200;
export const CREATED_ISO = new Date(CREATED_SECONDS * 1000).toISOString();

/** A state item as the repository writes it. */
export function stateItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: 'TRACK#PKG-1',
    sk: 'STATE',
    tracking_id: 'PKG-1',
    status: 'in_transit',
    location: { lat: 52.52, lng: 13.405 },
    updated_at: '2026-11-26T09:15:00.000Z',
    last_event_id: 'scan-0002',
    last_event_key: '2026-11-26T09:15:00.000Z#scan-0002',
    first_seen_at: '2026-11-25T08:00:00.000Z',
    status_pk: 'STATUS#in_transit#3',
    status_sk: '2026-11-26T09:15:00.000Z#PKG-1',
    version: 2,
    ...overrides,
  };
}

let nextSequence = 100;

/** A stream record as Lambda delivers it (NEW_AND_OLD_IMAGES). Images given as plain objects are marshalled. */
export function streamRecord(options: {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  newItem?: Record<string, unknown>;
  oldItem?: Record<string, unknown>;
  /** Raw stream images, for garbled records. */
  rawNewImage?: unknown;
  sequenceNumber?: string;
}): DynamoDBRecord {
  const sequenceNumber = options.sequenceNumber ?? String(nextSequence++).padStart(21, '0');
  const keySource = options.newItem ?? options.oldItem ?? { pk: 'TRACK#PKG-1', sk: 'STATE' };
  const dynamodb: Record<string, unknown> = {
    ApproximateCreationDateTime: CREATED_SECONDS,
    Keys: marshall({ pk: keySource.pk, sk: keySource.sk }),
    SequenceNumber: sequenceNumber,
    SizeBytes: 512,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  };
  if (options.rawNewImage !== undefined) dynamodb.NewImage = options.rawNewImage;
  else if (options.newItem) dynamodb.NewImage = marshall(options.newItem);
  if (options.oldItem) dynamodb.OldImage = marshall(options.oldItem);
  return {
    eventID: `event-${sequenceNumber}`,
    eventName: options.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
    dynamodb: dynamodb as DynamoDBRecord['dynamodb'],
  };
}

/** A MODIFY of the state item from `from` to `to` (the version moves by one). */
export function statusModify(from: string, to: string, overrides: Record<string, unknown> = {}): DynamoDBRecord {
  const newItem = stateItem({ status: to, ...overrides });
  const oldItem = stateItem({
    status: from,
    version: Number(newItem.version) - 1,
    updated_at: '2026-11-26T08:00:00.000Z',
    last_event_id: 'scan-0001',
    location: { lat: 50.11, lng: 8.68 },
    ...(overrides.tracking_id ? { tracking_id: overrides.tracking_id, pk: overrides.pk } : {}),
  });
  return streamRecord({ eventName: 'MODIFY', newItem, oldItem });
}

/** The shipment's first state write. */
export function statusInsert(status: string, overrides: Record<string, unknown> = {}): DynamoDBRecord {
  return streamRecord({ eventName: 'INSERT', newItem: stateItem({ status, version: 1, ...overrides }) });
}

export function streamEvent(...records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

export function lambdaContext(remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'stream-processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:stream-processor',
    memoryLimitInMB: '256',
    awsRequestId: 'b6c1f3b0-0000-4000-8000-000000000002',
    logGroupName: '/aws/lambda/stream-processor',
    logStreamName: '2026/11/26/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const sequenceOf = (record: DynamoDBRecord): string => record.dynamodb!.SequenceNumber!;
