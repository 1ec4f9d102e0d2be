import './env';
import { streamRecord, stateItem, STREAM_ARN } from './records';
import { DEAD_LETTER_KIND, deadLetterMessage } from '../../lambda/stream-processor/dead-letter';

describe('dead-letter message', () => {
  test('is self-describing: kind, version, reason, position in the stream and the record itself', () => {
    const record = streamRecord({ eventName: 'INSERT', newItem: stateItem(), sequenceNumber: '000000000000000000042' });

    const message = deadLetterMessage(record, { reason: 'malformed', error: { name: 'MalformedRecord', message: 'm' }, attempts: 0 }, Date.parse('2026-11-26T10:00:00.000Z'));

    expect(message).toEqual({
      kind: DEAD_LETTER_KIND,
      version: 1,
      reason: 'malformed',
      error: { name: 'MalformedRecord', message: 'm' },
      attempts: 0,
      event_source_arn: STREAM_ARN,
      sequence_number: '000000000000000000042',
      approximate_creation_time: '2026-11-26T10:00:00.000Z',
      dead_lettered_at: '2026-11-26T10:00:00.000Z',
      record,
    });
    // The message survives JSON: it is what SQS stores.
    expect(JSON.parse(JSON.stringify(message)).record).toEqual(record);
  });

  test('drops the images of a record too large for SQS, keeping its keys and sequence number', () => {
    const record = streamRecord({ eventName: 'INSERT', newItem: stateItem({ blob: 'x'.repeat(300 * 1024) }) });

    const message = deadLetterMessage(record, { reason: 'malformed', error: { name: 'MalformedRecord', message: 'm' }, attempts: 0 });

    expect(message.record_truncated).toBe(true);
    expect(message.record.dynamodb).toEqual({
      ApproximateCreationDateTime: record.dynamodb!.ApproximateCreationDateTime,
      Keys: record.dynamodb!.Keys,
      SequenceNumber: record.dynamodb!.SequenceNumber,
      SizeBytes: record.dynamodb!.SizeBytes,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThan(256 * 1024);
  });
});
