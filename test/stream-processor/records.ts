import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/tracking-test/stream/2026-11-01T00:00:00.000';

/** ApproximateCreationDateTime of every record (epoch seconds), and the same as ISO. */
export const CREATED_SECONDS = 1_795_687_200;
export const CREATED_ISO = new Date(CREATED_SECONDS * 1000).toISOString();

/**
 * A state item as the repository writes it. A delivered one has `delivered_at`
 * (its updated_at, unless the overrides say otherwise), as the handler's fold sets it.
 */
export function stateItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const item: Record<string, unknown> = {
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
    status_since: '2026-11-26T09:15:00.000Z',
    version: 2,
    ...overrides,
  };
  if (item.status === 'delivered' && !('delivered_at' in overrides)) item.delivered_at = item.updated_at;
  return item;
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
  // An attribute overridden with undefined is left out, as DynamoDB has no undefined.
  else if (options.newItem) dynamodb.NewImage = marshall(options.newItem, { removeUndefinedValues: true });
  if (options.oldItem) dynamodb.OldImage = marshall(options.oldItem, { removeUndefinedValues: true });
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

/** When the sweep found the default state item stalled, and the threshold it applied (2 days). */
export const STALLED_AT = '2026-11-28T09:15:00.000Z';
export const STALL_THRESHOLD_SECONDS = 172_800;

/**
 * The sweep's marking of a stall: a same-status MODIFY of the state item (with
 * `overrides`) that adds `stalled_sk` = its `status_sk`, `stalled_at` and the
 * threshold, and bumps the version.
 */
export function stallMarking(overrides: Record<string, unknown> = {}): DynamoDBRecord {
  const oldItem = stateItem({ version: 4, ...overrides });
  const newItem = {
    ...oldItem,
    stalled_sk: oldItem.status_sk,
    stalled_at: STALLED_AT,
    stall_threshold_seconds: STALL_THRESHOLD_SECONDS,
    version: Number(oldItem.version) + 1,
  };
  return streamRecord({ eventName: 'MODIFY', newItem, oldItem });
}

/** The identity DynamoDB gives the record of an item its TTL removed. */
export const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** The REMOVE of the state item (with `overrides`): by a request, or by TTL when `identity` is TTL_IDENTITY. */
export function stateRemoval(overrides: Record<string, unknown> = {}, identity?: { type: string; principalId: string }): DynamoDBRecord {
  const record = streamRecord({ eventName: 'REMOVE', oldItem: stateItem(overrides) });
  return identity ? { ...record, userIdentity: identity } : record;
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
