import { dynamoUnits } from '../../benchmarks/cost/dynamo-units';
import type { DynamoCall } from '../../benchmarks/cost/recorder';
import {
  failedConditionalWrite, IndexDefinition, indexEntry, indexWrites, Item, itemBytes, numberBytes, readCost, readUnits, successfulWrite,
  TableDefinition, valueBytes, writeUnits,
} from '../../benchmarks/cost/units';

const STATUS_INDEX: IndexDefinition = { name: 'by-status', kind: 'GSI', partitionKey: 'status_pk', sortKey: 'status_sk', projection: 'ALL' };
const HISTORY_INDEX: IndexDefinition = { name: 'history', kind: 'LSI', partitionKey: 'pk', sortKey: 'history_sk', projection: 'ALL' };
const TABLE: TableDefinition = { partitionKey: 'pk', sortKey: 'sk', indexes: [HISTORY_INDEX, STATUS_INDEX] };

/** A string attribute of exactly `bytes` bytes with its name `name`. */
function padded(name: string, bytes: number): Item {
  return { [name]: { S: 'x'.repeat(bytes - name.length) } };
}

function state(status: string, updatedAt: string, extra: Item = {}): Item {
  return {
    pk: { S: 'TRACK#A1' },
    sk: { S: 'STATE' },
    status: { S: status },
    status_pk: { S: `STATUS#${status}#3` },
    status_sk: { S: `${updatedAt}#A1` },
    ...extra,
  };
}

describe('item size (DynamoDB item sizes and formats)', () => {
  test('a string is its UTF-8 bytes, and so is the attribute name', () => {
    expect(itemBytes({ pk: { S: 'abc' } })).toBe(5);
    expect(itemBytes({ né: { S: 'é' } })).toBe(3 + 2);
  });

  test('a number is 1 byte per two significant digits plus 1, leading and trailing zeroes trimmed', () => {
    expect(numberBytes('123')).toBe(3);
    expect(numberBytes('52.52')).toBe(3);
    expect(numberBytes('-52.52')).toBe(3);
    expect(numberBytes('0.0012')).toBe(2);
    expect(numberBytes('1200')).toBe(2);
    expect(numberBytes('0')).toBe(1);
    expect(numberBytes('1.5E+10')).toBe(2);
    expect(numberBytes('1'.repeat(41))).toBe(20);
  });

  test('binary counts raw bytes, not base64; booleans and null are 1 byte', () => {
    expect(valueBytes({ B: Buffer.from([1, 2, 3]).toString('base64') })).toBe(3);
    expect(valueBytes({ BOOL: false })).toBe(1);
    expect(valueBytes({ NULL: true })).toBe(1);
  });

  test('a map or list is 3 bytes plus its elements plus 1 byte per element', () => {
    expect(valueBytes({ M: {} })).toBe(3);
    expect(valueBytes({ L: [] })).toBe(3);
    // location: 8 + 3 + (3 + 3 + 1) + (3 + 3 + 1): the name, the map, each element's name, value and byte
    expect(itemBytes({ location: { M: { lat: { N: '52.52' }, lng: { N: '13.40' } } } })).toBe(8 + 3 + 7 + 7);
    expect(valueBytes({ L: [{ S: 'a' }, { S: 'bc' }] })).toBe(3 + 2 + 3);
  });

  test('a set is the sum of its elements', () => {
    expect(valueBytes({ SS: ['a', 'bc'] })).toBe(3);
    expect(valueBytes({ NS: ['1', '22'] })).toBe(4);
  });

  test('something that is not an attribute value is refused', () => {
    expect(() => valueBytes({} as never)).toThrow(/not a DynamoDB attribute value/);
  });
});

describe('request units', () => {
  test('writes are 1 KB units, at least 1', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });

  test('reads are 4 KB units, at least 1; eventually consistent is half', () => {
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(0, false)).toBe(0.5);
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
  });

  test('a query sums the sizes of the items it returned before rounding up', () => {
    const items = [padded('a', 1500), padded('a', 1500), padded('a', 1500)];
    expect(readCost(items, true)).toBe(2);
    expect(readCost(items, false)).toBe(1);
    expect(readCost([], false)).toBe(0.5);
  });

  test('a write is sized by the larger of the item before and after', () => {
    const before = { pk: { S: 'k' }, sk: { S: 's' }, ...padded('data', 1500) };
    const after = { pk: { S: 'k' }, sk: { S: 's' }, ...padded('data', 500) };
    expect(successfulWrite(before, after, { partitionKey: 'pk', sortKey: 'sk', indexes: [] }).tableUnits).toBe(2);
    expect(successfulWrite(undefined, after, { partitionKey: 'pk', sortKey: 'sk', indexes: [] }).tableUnits).toBe(1);
  });

  test('a conditional write that fails consumes the units of the item checked, at least 1, and writes no index', () => {
    expect(failedConditionalWrite(undefined)).toEqual({ tableUnits: 1, indexWrites: [], units: 1 });
    expect(failedConditionalWrite(padded('data', 3000)).units).toBe(3);
  });
});

describe('index writes', () => {
  test('an index key change is a delete plus a put: 2 writes', () => {
    const writes = indexWrites(state('in_transit', '2026-01-01T00:00:00.000Z'), state('in_transit', '2026-01-01T01:00:00.000Z'), TABLE, STATUS_INDEX);
    expect(writes.map((write) => write.action)).toEqual(['delete', 'put']);
    expect(writes.reduce((sum, write) => sum + write.units, 0)).toBe(2);
  });

  test('a change of a projected attribute under the same keys is 1 write', () => {
    const before = state('in_transit', 't1', { version: { N: '1' } });
    const after = state('in_transit', 't1', { version: { N: '2' } });
    expect(indexWrites(before, after, TABLE, STATUS_INDEX)).toEqual([expect.objectContaining({ action: 'update', units: 1 })]);
  });

  test('a change of an attribute the index does not project is no write', () => {
    const keysOnly: IndexDefinition = { ...STATUS_INDEX, projection: 'KEYS_ONLY' };
    const include: IndexDefinition = { ...STATUS_INDEX, projection: { include: ['status'] } };
    const before = state('in_transit', 't1', { version: { N: '1' } });
    const after = state('in_transit', 't1', { version: { N: '2' } });
    expect(indexWrites(before, after, TABLE, keysOnly)).toEqual([]);
    expect(indexWrites(before, after, TABLE, include)).toEqual([]);
    expect(indexWrites(before, { ...after, status: { S: 'delayed' } }, TABLE, include)).toHaveLength(1);
    expect(indexWrites(before, before, TABLE, STATUS_INDEX)).toEqual([]);
  });

  test('an item entering or leaving a sparse index is 1 write; one never in it is none', () => {
    const event: Item = { pk: { S: 'TRACK#A1' }, sk: { S: 'EVENT#e1' }, history_sk: { S: 't1#e1' }, status: { S: 'in_transit' } };
    expect(indexWrites(undefined, event, TABLE, STATUS_INDEX)).toEqual([]);
    expect(indexWrites(undefined, event, TABLE, HISTORY_INDEX)).toEqual([expect.objectContaining({ action: 'put', units: 1 })]);
    const { status_pk: _pk, status_sk: _sk, ...unlisted } = state('delivered', 't2');
    expect(indexWrites(unlisted, state('delivered', 't2'), TABLE, STATUS_INDEX)).toEqual([expect.objectContaining({ action: 'put' })]);
    expect(indexWrites(state('delivered', 't2'), unlisted, TABLE, STATUS_INDEX)).toEqual([expect.objectContaining({ action: 'delete' })]);
  });

  test('an index entry is sized by what the index projects', () => {
    const item = state('in_transit', 't1', padded('payload', 2900));
    expect(indexEntry(item, TABLE, { ...STATUS_INDEX, projection: 'KEYS_ONLY' })).toEqual({
      pk: item.pk, sk: item.sk, status_pk: item.status_pk, status_sk: item.status_sk,
    });
    expect(indexWrites(undefined, item, TABLE, STATUS_INDEX)[0].units).toBe(3);
    expect(indexWrites(undefined, item, TABLE, { ...STATUS_INDEX, projection: 'KEYS_ONLY' })[0].units).toBe(1);
  });

  test('a write adds its index writes to the table write', () => {
    const event: Item = { pk: { S: 'TRACK#A1' }, sk: { S: 'EVENT#e1' }, history_sk: { S: 't1#e1' } };
    expect(successfulWrite(undefined, event, TABLE).units).toBe(2);
    expect(successfulWrite(state('in_transit', 't1'), state('in_transit', 't2'), TABLE).units).toBe(3);
  });
});

describe('units of recorded calls', () => {
  const calls: DynamoCall[] = [
    { operation: 'PutItem', ok: true, after: { pk: { S: 'TRACK#A1' }, sk: { S: 'EVENT#e1' }, history_sk: { S: 't1#e1' } } },
    { operation: 'UpdateItem', ok: true, after: state('info_received', 't1') },
    { operation: 'UpdateItem', ok: true, before: state('info_received', 't1'), after: state('in_transit', 't2') },
    { operation: 'UpdateItem', ok: true, before: state('in_transit', 't2'), after: state('in_transit', 't3') },
    { operation: 'PutItem', ok: false, errorType: 'ConditionalCheckFailedException', checked: { pk: { S: 'TRACK#A1' }, sk: { S: 'EVENT#e1' } } },
    { operation: 'PutItem', ok: false, errorType: 'ProvisionedThroughputExceededException' },
    { operation: 'GetItem', ok: true, read: [state('in_transit', 't3')], consistent: true },
    { operation: 'Query', indexName: 'by-status', ok: true, read: [state('in_transit', 't3')], consistent: false },
  ];
  const isState = (item: Item) => item.sk?.S === 'STATE';

  test('sums table and index units, counts state writes and status changes', () => {
    const units = dynamoUnits(calls, TABLE, { isState });
    // event put 1 + history 1; insert 1 + by-status 1; two key changes 1 + 2 each; a failed condition 1
    expect(units.writeUnits).toBe(2 + 2 + 3 + 3 + 1);
    expect(units.indexWriteUnits).toEqual({ 'history': 1, 'by-status': 5 });
    expect(units.tableWriteUnits).toBe(5);
    expect(units.failedConditions).toBe(1);
    expect(units.readUnits).toBe(1.5);
    expect(units.stateWrites).toBe(3);
    expect(units.statusChanges).toBe(2);
  });

  test('a transform resizes the items before they are priced', () => {
    const big = (item: Item): Item => ({ ...item, ...padded('payload', 2000) });
    // the event item and its history entry, 2 KB each
    expect(dynamoUnits(calls.slice(0, 1), TABLE, { transform: big }).writeUnits).toBe(2 + 2);
  });

  test('an index the table does not have is an error', () => {
    expect(() => dynamoUnits([{ operation: 'Query', indexName: 'nope', ok: true, read: [], consistent: false }], TABLE)).toThrow(/no index nope/);
  });
});
