/**
 * DynamoDB's on-demand request units, computed from the items themselves: the
 * emulator reports a constant ConsumedCapacity, so the benchmark applies
 * DynamoDB's documented rules to the items and index entries it saw written and
 * read. Everything here is pure; test/benchmarks/cost-units.test.ts pins each rule.
 *
 * Why not a library: the one npm package that sizes items (`dyno-item-size`,
 * unmaintained) works on unmarshalled JavaScript values, so it cannot tell a
 * string set from a map (our state item has one), sizes numbers through a
 * float (`52.520000` and `52.52` differ on the wire), and leaves out the byte
 * per list/map element the current documentation adds. The rules below read
 * the wire format (`{"S": ...}`, `{"N": ...}`) the emulator and the SDK exchange.
 *
 * Sources (DynamoDB Developer Guide):
 * - item size: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * - read/write units, failed conditional writes:
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 * - index writes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes
 *   and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.ThroughputConsiderations.Writes
 */

/** One attribute value in DynamoDB's JSON wire format. */
export interface AttributeValue {
  readonly S?: string;
  readonly N?: string;
  /** Base64, as on the wire. */
  readonly B?: string;
  readonly BOOL?: boolean;
  readonly NULL?: boolean;
  readonly M?: Readonly<Record<string, AttributeValue>>;
  readonly L?: readonly AttributeValue[];
  readonly SS?: readonly string[];
  readonly NS?: readonly string[];
  readonly BS?: readonly string[];
}

export type Item = Readonly<Record<string, AttributeValue>>;

/** 1 KB write units, 4 KB read units. */
export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * A number's size: "(1 byte per two significant digits) + (1 byte)", leading and
 * trailing zeroes trimmed, at most 38 digits. DynamoDB calls this approximate
 * (it stores base-100 digit pairs), so a number may be a byte off; the sign
 * and exponent are not counted, as the documentation does not count them.
 */
export function numberBytes(value: string): number {
  const mantissa = value.trim().replace(/^[+-]/, '').replace(/[eE][+-]?\d+$/, '');
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.min(digits.length, 38) / 2) + 1;
}

/** The size of a value, without its attribute name. */
export function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  // List and map: 3 bytes of overhead, plus each element and 1 byte per element.
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + valueBytes(element) + 1, 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + utf8Bytes(name) + valueBytes(element) + 1, 0);
  // Sets: the sum of their elements' sizes.
  if (value.SS !== undefined) return value.SS.reduce((sum, element) => sum + utf8Bytes(element), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, element) => sum + numberBytes(element), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, element) => sum + Buffer.from(element, 'base64').length, 0);
  throw new Error(`not a DynamoDB attribute value: ${JSON.stringify(value)}`);
}

/** An item's size: the UTF-8 bytes of each attribute name plus its value's size. */
export function itemBytes(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8Bytes(name) + valueBytes(value), 0);
}

/** Write request units for one write of `bytes`: 1 KB units, at least 1. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/** Read request units for `bytes` read in one request: 4 KB units, at least 1; eventually consistent costs half. */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistent ? units : units / 2;
}

/** A secondary index as the table defines it. */
export interface IndexDefinition {
  readonly name: string;
  readonly kind: 'LSI' | 'GSI';
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** `ALL`, `KEYS_ONLY`, or the non-key attributes of an `INCLUDE` projection. */
  readonly projection: 'ALL' | 'KEYS_ONLY' | { readonly include: readonly string[] };
}

export interface TableDefinition {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly IndexDefinition[];
}

/**
 * The entry an item has in an index (index keys, table keys and the projected
 * attributes), or undefined when the item lacks an index key attribute: the index
 * is sparse and does not hold it.
 */
export function indexEntry(item: Item | undefined, table: TableDefinition, index: IndexDefinition): Item | undefined {
  if (!item) return undefined;
  const indexKeys = [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])];
  if (indexKeys.some((name) => item[name] === undefined)) return undefined;
  if (index.projection === 'ALL') return item;
  const names = new Set([...indexKeys, table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])]);
  if (index.projection !== 'KEYS_ONLY') for (const name of index.projection.include) names.add(name);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

/** One write to an index caused by one write to the table. */
export interface IndexWrite {
  readonly index: string;
  readonly action: 'put' | 'delete' | 'update';
  readonly bytes: number;
  readonly units: number;
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Map keys and set members in a fixed order, so equal values compare equal. */
function canonical(value: AttributeValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.M) return { M: Object.fromEntries(Object.keys(value.M).sort().map((name) => [name, canonical(value.M![name])])) };
  if (value.L) return { L: value.L.map(canonical) };
  for (const set of ['SS', 'NS', 'BS'] as const) if (value[set]) return { [set]: [...value[set]!].sort() };
  return value;
}

function sameEntry(a: Item, b: Item): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((name) => sameValue(a[name], b[name]));
}

/**
 * What one table write (from `before` to `after`; either may be absent) writes
 * to one index:
 * - not in the index before or after: nothing;
 * - enters a sparse index (or a new item): 1 put; leaves it (or is deleted): 1 delete;
 * - an index key changes: 2 writes, a delete of the old entry and a put of the new;
 * - same keys, a projected attribute changes: 1 update (sized as the larger entry,
 *   like a table update);
 * - same keys, no projected attribute changes: nothing.
 */
export function indexWrites(before: Item | undefined, after: Item | undefined, table: TableDefinition, index: IndexDefinition): IndexWrite[] {
  const old = indexEntry(before, table, index);
  const now = indexEntry(after, table, index);
  const write = (action: IndexWrite['action'], bytes: number): IndexWrite => ({ index: index.name, action, bytes, units: writeUnits(bytes) });
  if (!old && !now) return [];
  if (!old) return [write('put', itemBytes(now!))];
  if (!now) return [write('delete', itemBytes(old))];
  const keys = [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])];
  if (keys.some((name) => !sameValue(old[name], now[name]))) {
    return [write('delete', itemBytes(old)), write('put', itemBytes(now))];
  }
  if (sameEntry(old, now)) return [];
  return [write('update', Math.max(itemBytes(old), itemBytes(now)))];
}

export interface WriteCost {
  /** Units of the table write itself. */
  readonly tableUnits: number;
  readonly indexWrites: readonly IndexWrite[];
  /** Table plus every index write. */
  readonly units: number;
}

/**
 * A successful PutItem, UpdateItem or DeleteItem: 1 KB units of the larger of the
 * item before and after, plus the index writes it causes.
 */
export function successfulWrite(before: Item | undefined, after: Item | undefined, table: TableDefinition): WriteCost {
  const tableUnits = writeUnits(Math.max(before ? itemBytes(before) : 0, after ? itemBytes(after) : 0));
  const writes = table.indexes.flatMap((index) => indexWrites(before, after, table, index));
  return { tableUnits, indexWrites: writes, units: tableUnits + writes.reduce((sum, w) => sum + w.units, 0) };
}

/**
 * A conditional write whose condition failed: nothing is written, yet the units of
 * the item checked (the existing one) are consumed, at least 1 when there is none.
 * No index is written.
 */
export function failedConditionalWrite(existing: Item | undefined): WriteCost {
  const tableUnits = writeUnits(existing ? itemBytes(existing) : 0);
  return { tableUnits, indexWrites: [], units: tableUnits };
}

/**
 * A GetItem or a Query: the sizes of the items read (for a query, of every item
 * returned, summed before rounding) in 4 KB units, at least 1 (an item not found
 * or an empty query still costs one); eventually consistent reads cost half.
 */
export function readCost(items: readonly Item[], consistent: boolean): number {
  return readUnits(items.reduce((sum, item) => sum + itemBytes(item), 0), consistent);
}
