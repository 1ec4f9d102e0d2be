import type { _Record, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';

/**
 * DynamoDB stream records as Lambda delivers them, made from what moto's
 * GetRecords returns, and with moto's stream artifacts taken out (records AWS
 * would never write; see shared/notes/moto.md):
 *
 * - UpdateItem on a missing item: moto first puts the bare key item, then applies
 *   the update, and records both as INSERTs. AWS writes one INSERT with the
 *   updated item. Two INSERTs of one key in a row cannot happen on AWS (an item
 *   is inserted once until it is removed), so the first of such a pair is dropped.
 * - A write that changes nothing: moto records a MODIFY with equal images; AWS
 *   writes no record.
 */

/** One attribute value as Lambda's event carries it: binary values base64-encoded, like the DynamoDB JSON on the wire. */
function toLambdaValue(value: AttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item).toString('base64')) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  const { $unknown: _unknown, ...scalar } = value as AttributeValue & { $unknown?: unknown };
  return scalar as LambdaAttributeValue;
}

function toLambdaImage(image: Record<string, AttributeValue>): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

export interface RecordContext {
  readonly region: string;
  /** The stream's ARN (Lambda's `eventSourceARN`). */
  readonly streamArn: string;
}

/** A GetRecords record as the record of a Lambda `DynamoDBStreamEvent`. */
export function toLambdaRecord(record: _Record, context: RecordContext): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: context.region,
    dynamodb: {
      // Lambda's event has whole epoch seconds here (the Streams API a timestamp).
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: change.Keys ? toLambdaImage(change.Keys) : undefined,
      ...(change.NewImage ? { NewImage: toLambdaImage(change.NewImage) } : {}),
      ...(change.OldImage ? { OldImage: toLambdaImage(change.OldImage) } : {}),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
    eventSourceARN: context.streamArn,
  };
}

/** JSON with object keys sorted, so equal items compare equal whatever their attribute order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const keyOf = (record: DynamoDBRecord) => canonical(record.dynamodb?.Keys ?? {});

function isNoOpModify(record: DynamoDBRecord): boolean {
  const { OldImage: oldImage, NewImage: newImage } = record.dynamodb ?? {};
  return record.eventName === 'MODIFY' && oldImage !== undefined && newImage !== undefined && canonical(oldImage) === canonical(newImage);
}

/** An INSERT whose item is its key alone: possibly the first half of moto's UpdateItem pair. */
function isBareKeyInsert(record: DynamoDBRecord): boolean {
  const { Keys: keys, NewImage: newImage } = record.dynamodb ?? {};
  return record.eventName === 'INSERT' && keys !== undefined && newImage !== undefined
    && Object.keys(newImage).length === Object.keys(keys).length;
}

/**
 * Takes the records of each GetRecords answer in order and returns those AWS
 * would have written. A bare-key INSERT whose partner is not in the answer yet is
 * held back for up to `holdMs`, with every record after it (moto may append the
 * second half of its pair after other writers' records, and holding the rest keeps
 * the stream's order): the partner usually comes in the next answer.
 */
export class MotoStreamArtifacts {
  private held: readonly DynamoDBRecord[] = [];
  /** When each bare INSERT was first seen, for its wait. */
  private readonly firstSeen = new WeakMap<DynamoDBRecord, number>();
  private dropped = 0;

  constructor(private readonly holdMs: number) {}

  /** How many records were taken out so far. */
  public get droppedCount(): number {
    return this.dropped;
  }

  /** Call with every answer, also an empty one (held records are released when their time is up). */
  public accept(records: readonly DynamoDBRecord[], now: number): DynamoDBRecord[] {
    const all = [...this.held, ...records];
    this.held = [];
    const drop = new Set<number>();
    const lastIndexByKey = new Map<string, number>();
    all.forEach((record, index) => {
      const key = keyOf(record);
      const previous = lastIndexByKey.get(key);
      if (previous !== undefined && record.eventName === 'INSERT' && all[previous].eventName === 'INSERT') drop.add(previous);
      lastIndexByKey.set(key, index);
      if (isNoOpModify(record)) drop.add(index);
    });
    this.dropped += drop.size;
    const kept = all.filter((_, index) => !drop.has(index));
    // A bare INSERT still here has no later INSERT of its key in this answer: its
    // partner may be yet to come, unless it has waited long enough.
    const waiting = kept.findIndex((record) => {
      if (!isBareKeyInsert(record)) return false;
      if (!this.firstSeen.has(record)) this.firstSeen.set(record, now);
      return now - this.firstSeen.get(record)! < this.holdMs;
    });
    if (waiting < 0) return kept;
    this.held = kept.slice(waiting);
    return kept.slice(0, waiting);
  }
}
