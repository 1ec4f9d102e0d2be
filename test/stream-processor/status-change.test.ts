import './env';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { stateItem, statusInsert, statusModify, streamRecord } from './records';
import { readStatusChange } from '../../lambda/stream-processor/status-change';

/** A MODIFY whose NewImage is the state item with `changes` applied (undefined deletes a field). */
function modifyWith(changes: Record<string, unknown>): DynamoDBRecord {
  const newItem: Record<string, unknown> = stateItem({ status: 'delivered' });
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) delete newItem[field];
    else newItem[field] = value;
  }
  return streamRecord({ eventName: 'MODIFY', newItem, oldItem: stateItem({ status: 'in_transit' }) });
}

describe('status-change reading: what counts as a change', () => {
  test('a MODIFY to another status is a change carrying the new image\'s fields', () => {
    expect(readStatusChange(statusModify('in_transit', 'delivered', { version: 7 }))).toEqual({
      kind: 'changed',
      detail: {
        tracking_id: 'PKG-1',
        previous_status: 'in_transit',
        status: 'delivered',
        event_time: '2026-11-26T09:15:00.000Z',
        location: { lat: 52.52, lng: 13.405 },
        event_id: 'scan-0002',
        version: 7,
      },
    });
  });

  test('an INSERT is a first status whatever an OldImage says', () => {
    const record = statusInsert('pending');
    record.dynamodb!.OldImage = marshall(stateItem({ status: 'pending' })) as never;

    expect(readStatusChange(record)).toMatchObject({ kind: 'changed', detail: { previous_status: null, status: 'pending' } });
  });

  test('a same-status MODIFY is unchanged, even when the rest of the image is unusable', () => {
    const record = streamRecord({
      eventName: 'MODIFY',
      newItem: { pk: 'TRACK#PKG-1', sk: 'STATE', tracking_id: 'PKG-1', status: 'in_transit' },
      oldItem: stateItem({ status: 'in_transit' }),
    });

    expect(readStatusChange(record)).toEqual({ kind: 'unchanged', trackingId: 'PKG-1', status: 'in_transit' });
  });

  test.each([
    ['an event item', streamRecord({ eventName: 'INSERT', newItem: { pk: 'TRACK#PKG-1', sk: 'EVENT#e1', status: 'delivered' } }), 'not a state item'],
    ['a REMOVE', streamRecord({ eventName: 'REMOVE', oldItem: stateItem() }), 'REMOVE'],
  ])('%s is ignored', (_, record, reason) => {
    expect(readStatusChange(record)).toEqual({ kind: 'ignored', reason });
  });
});

describe('status-change reading: malformed records name what is wrong', () => {
  test.each([
    ['status is not a string', { status: 42 }, 'NewImage.status is not a non-empty string'],
    ['tracking_id is missing', { tracking_id: undefined }, 'NewImage.tracking_id is missing'],
    ['updated_at is missing', { updated_at: undefined }, 'NewImage.updated_at is missing'],
    ['last_event_id is empty', { last_event_id: '' }, 'NewImage.last_event_id is not a non-empty string'],
    ['location has no lng', { location: { lat: 1 } }, 'NewImage.location is not {lat: number, lng: number}'],
    ['version is zero', { version: 0 }, 'NewImage.version is not a positive integer'],
    ['version is a string', { version: '3' }, 'NewImage.version is not a positive integer'],
  ])('%s', (_, changes, problem) => {
    expect(readStatusChange(modifyWith(changes))).toEqual({ kind: 'malformed', problems: [problem] });
  });

  test('an unparsable number (N: "abc") is refused, not published as null', () => {
    const record = modifyWith({});
    record.dynamodb!.NewImage!.version = { N: 'abc' };

    expect(readStatusChange(record)).toEqual({ kind: 'malformed', problems: ['NewImage.version is not a positive integer'] });
  });

  test('a MODIFY without OldImage (a stream that is not NEW_AND_OLD_IMAGES)', () => {
    const record = streamRecord({ eventName: 'MODIFY', newItem: stateItem() });

    expect(readStatusChange(record)).toEqual({ kind: 'malformed', problems: ['OldImage is missing (the stream must be NEW_AND_OLD_IMAGES)'] });
  });

  test('an OldImage without status', () => {
    const { status: _, ...oldItem } = stateItem();
    const record = streamRecord({ eventName: 'MODIFY', newItem: stateItem({ status: 'delivered' }), oldItem });

    expect(readStatusChange(record)).toEqual({ kind: 'malformed', problems: ['OldImage.status is missing'] });
  });

  test('an unknown eventName, or no dynamodb section', () => {
    expect(readStatusChange({ ...statusInsert('pending'), eventName: 'UPSERT' as never })).toEqual({
      kind: 'malformed', problems: ['eventName "UPSERT" is not INSERT, MODIFY or REMOVE'],
    });
    expect(readStatusChange({ eventName: 'INSERT' })).toEqual({ kind: 'malformed', problems: ['the record has no dynamodb section'] });
  });

  test('no sort key in Keys or NewImage', () => {
    const record = statusInsert('pending');
    record.dynamodb!.Keys = {};
    delete record.dynamodb!.NewImage!.sk;

    expect(readStatusChange(record)).toEqual({ kind: 'malformed', problems: ['the record has no string sort key "sk"'] });
  });
});
