import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { MotoStreamArtifacts, toLambdaRecord } from '../../../local/events/stream-records';

/**
 * Stream records as Lambda delivers them, and moto's records that AWS would
 * never write taken out (shared/notes/moto.md).
 */

const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-01-01T00:00:00.000';

describe('a GetRecords record as a Lambda event record', () => {
  const sdkRecord: _Record = {
    eventID: 'e1',
    eventName: 'MODIFY',
    eventVersion: '1.0',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-03-01T10:00:05.700Z'),
      Keys: { pk: { S: 'TRACK#1' } },
      NewImage: { pk: { S: 'TRACK#1' }, blob: { B: Uint8Array.from([1, 2, 3]) }, nested: { M: { list: { L: [{ BS: [Uint8Array.from([255])] }, { N: '7' }] } } } },
      OldImage: { pk: { S: 'TRACK#1' }, flag: { BOOL: true }, nothing: { NULL: true } },
      SequenceNumber: '1100000000017454423009',
      SizeBytes: 120,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };

  test("has Lambda's fields: version 1.1, the region, the stream ARN, creation time in whole epoch seconds", () => {
    const record = toLambdaRecord(sdkRecord, { region: 'us-east-1', streamArn: STREAM_ARN });
    expect(record).toMatchObject({
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: STREAM_ARN,
      dynamodb: { ApproximateCreationDateTime: Date.parse('2026-03-01T10:00:05Z') / 1000, SequenceNumber: '1100000000017454423009', SizeBytes: 120, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  test('images are DynamoDB JSON, binary values base64 at any depth, as in the event Lambda sends', () => {
    const record = toLambdaRecord(sdkRecord, { region: 'us-east-1', streamArn: STREAM_ARN });
    expect(JSON.parse(JSON.stringify(record.dynamodb!.NewImage))).toEqual({
      pk: { S: 'TRACK#1' },
      blob: { B: 'AQID' },
      nested: { M: { list: { L: [{ BS: ['/w=='] }, { N: '7' }] } } },
    });
    expect(record.dynamodb!.OldImage).toEqual({ pk: { S: 'TRACK#1' }, flag: { BOOL: true }, nothing: { NULL: true } });
  });
});

let sequence = 100;
function written(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', key: string, images: { newImage?: object; oldImage?: object } = {}): DynamoDBRecord {
  const keys = { pk: { S: key } };
  return {
    eventName,
    dynamodb: {
      Keys: keys,
      SequenceNumber: String(sequence++),
      ...(images.newImage ? { NewImage: { ...keys, ...images.newImage } } : {}),
      ...(images.oldImage ? { OldImage: { ...keys, ...images.oldImage } } : {}),
    },
  } as DynamoDBRecord;
}

describe("moto's records that AWS would not write", () => {
  test('UpdateItem on a missing item: of the two INSERTs, only the one with the updated item is passed on', () => {
    const bare = written('INSERT', 'a', { newImage: {} });
    const full = written('INSERT', 'a', { newImage: { status: { S: 'in_transit' } } });
    const other = written('INSERT', 'b', { newImage: { status: { S: 'pending' } } });
    expect(new MotoStreamArtifacts(1_000).accept([bare, other, full], 0)).toEqual([other, full]);
  });

  test('the pair split over two GetRecords answers: the bare INSERT waits for the next answer', () => {
    const artifacts = new MotoStreamArtifacts(1_000);
    const bare = written('INSERT', 'a', { newImage: {} });
    const full = written('INSERT', 'a', { newImage: { status: { S: 'in_transit' } } });
    expect(artifacts.accept([bare], 0)).toEqual([]);
    expect(artifacts.accept([full], 250)).toEqual([full]);
    expect(artifacts.droppedCount).toBe(1);
  });

  test('the pair split over two answers with other writes between (concurrent writers): the bare INSERT and what follows wait, in order', () => {
    const artifacts = new MotoStreamArtifacts(1_000);
    const bare = written('INSERT', 'a', { newImage: {} });
    const other = written('INSERT', 'b', { newImage: { status: { S: 'pending' } } });
    const full = written('INSERT', 'a', { newImage: { status: { S: 'in_transit' } } });
    const later = written('MODIFY', 'b', { oldImage: { status: { S: 'pending' } }, newImage: { status: { S: 'in_transit' } } });
    // Held from the bare INSERT on, so nothing is delivered out of the stream's order.
    expect(artifacts.accept([bare, other], 0)).toEqual([]);
    expect(artifacts.accept([full, later], 250)).toEqual([other, full, later]);
    expect(artifacts.droppedCount).toBe(1);
  });

  test('records held behind a bare INSERT that really is one are passed on with it once its wait is over', () => {
    const artifacts = new MotoStreamArtifacts(1_000);
    const bare = written('INSERT', 'a', { newImage: {} });
    const other = written('INSERT', 'b', { newImage: { status: { S: 'pending' } } });
    expect(artifacts.accept([bare, other], 0)).toEqual([]);
    expect(artifacts.accept([], 500)).toEqual([]);
    expect(artifacts.accept([], 1_000)).toEqual([bare, other]);
  });

  test('a bare INSERT that really is one is passed on once its wait is over', () => {
    const artifacts = new MotoStreamArtifacts(1_000);
    const bare = written('INSERT', 'a', { newImage: {} });
    expect(artifacts.accept([bare], 0)).toEqual([]);
    expect(artifacts.accept([], 500)).toEqual([]);
    expect(artifacts.accept([], 1_000)).toEqual([bare]);
    expect(artifacts.accept([], 1_250)).toEqual([]);
  });

  test('a write that changed nothing (equal images, in any attribute order) is not passed on', () => {
    const noOp = written('MODIFY', 'a', { oldImage: { x: { N: '1' }, y: { S: 'y' } }, newImage: { y: { S: 'y' }, x: { N: '1' } } });
    const change = written('MODIFY', 'a', { oldImage: { x: { N: '1' } }, newImage: { x: { N: '2' } } });
    expect(new MotoStreamArtifacts(1_000).accept([noOp, change], 0)).toEqual([change]);
  });

  test('an item inserted, removed and inserted again keeps every record', () => {
    const records = [
      written('INSERT', 'a', { newImage: { v: { N: '1' } } }),
      written('REMOVE', 'a', { oldImage: { v: { N: '1' } } }),
      written('INSERT', 'a', { newImage: { v: { N: '2' } } }),
    ];
    expect(new MotoStreamArtifacts(1_000).accept(records, 0)).toEqual(records);
  });
});
