import { TemplateError } from '../../../local/assembly/intrinsics';
import { compileEventFilter } from '../../../local/events/event-filter';

/**
 * Lambda's FilterCriteria, for exact values: what the construct's stream mapping
 * uses, and nothing it does not (a rule the local runtime cannot evaluate fails
 * at start-up instead of letting every record through).
 */

const WHERE = 'Resources.Mapping.Properties.FilterCriteria.Filters';

/** The construct's filter: state items, inserted or modified. */
const stateWrites = compileEventFilter(
  [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { sk: { S: ['STATE'] } } } }) }],
  WHERE,
);

const record = (eventName: string, sk: unknown) => ({ eventName, eventSource: 'aws:dynamodb', dynamodb: { Keys: { pk: { S: 'TRACK#1' }, sk } } });

describe('exact values', () => {
  test.each([
    ['an INSERT of a state item', record('INSERT', { S: 'STATE' }), true],
    ['a MODIFY of a state item', record('MODIFY', { S: 'STATE' }), true],
    ['a REMOVE of a state item', record('REMOVE', { S: 'STATE' }), false],
    ['an INSERT of an event item', record('INSERT', { S: 'EVENT#01J' }), false],
    ['a sort key of another type', record('INSERT', { N: 'STATE' }), false],
    ['a record without the field', { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'TRACK#1' } } } }, false],
    ['an object where a value is expected', { eventName: { S: 'INSERT' }, dynamodb: { Keys: { sk: { S: 'STATE' } } } }, false],
    ['not an object at all', 'INSERT', false],
  ])('%s: %s', (_name, candidate, expected) => {
    expect(stateWrites.matches(candidate)).toBe(expected);
  });

  test('numbers, booleans and null match by type and value', () => {
    const filter = compileEventFilter([{ Pattern: '{"a":[1],"b":[true],"c":[null]}' }], WHERE);
    expect(filter.matches({ a: 1, b: true, c: null })).toBe(true);
    expect(filter.matches({ a: '1', b: true, c: null })).toBe(false);
    expect(filter.matches({ a: 1, b: 'true', c: null })).toBe(false);
    expect(filter.matches({ a: 1, b: true })).toBe(false);
  });

  test('a field holding a list matches when any element does', () => {
    const filter = compileEventFilter([{ Pattern: '{"tags":["urgent"]}' }], WHERE);
    expect(filter.matches({ tags: ['normal', 'urgent'] })).toBe(true);
    expect(filter.matches({ tags: ['normal'] })).toBe(false);
  });

  test('several filters: a record passes when any one matches', () => {
    const filter = compileEventFilter([{ Pattern: '{"eventName":["INSERT"]}' }, { Pattern: '{"eventName":["REMOVE"]}' }], WHERE);
    expect(filter.matches({ eventName: 'INSERT' })).toBe(true);
    expect(filter.matches({ eventName: 'REMOVE' })).toBe(true);
    expect(filter.matches({ eventName: 'MODIFY' })).toBe(false);
  });

  test('no FilterCriteria lets every record through', () => {
    expect(compileEventFilter(undefined, WHERE).matches({ anything: 1 })).toBe(true);
    expect(compileEventFilter([], WHERE).patterns).toEqual([]);
  });
});

describe('patterns the local runtime does not evaluate fail when the template is read', () => {
  test.each([
    ['a prefix rule', '{"dynamodb":{"Keys":{"sk":{"S":[{"prefix":"STATE"}]}}}}', /\[0\]\.Pattern\.dynamodb\.Keys\.sk\.S\[0\]: the content filter \{"prefix":"STATE"\} is not supported by the local runtime/],
    ['anything-but', '{"eventName":[{"anything-but":["REMOVE"]}]}', /eventName\[0\]: the content filter \{"anything-but":\["REMOVE"\]\} is not supported/],
    ['exists', '{"dynamodb":{"NewImage":{"status":[{"exists":true}]}}}', /the content filter \{"exists":true\} is not supported/],
    ['$or', '{"$or":[{"eventName":["INSERT"]}]}', /\$or: \$or is not supported by the local runtime/],
    ['a value outside a list', '{"eventName":"INSERT"}', /eventName: a filter pattern's values must be in a list/],
    ['an empty list', '{"eventName":[]}', /eventName: an empty list of values matches nothing/],
    ['text that is not JSON', '{eventName: [INSERT]}', /\[0\]\.Pattern: not valid JSON/],
  ])('%s', (_name, pattern, message) => {
    expect(() => compileEventFilter([{ Pattern: pattern }], WHERE)).toThrow(TemplateError);
    expect(() => compileEventFilter([{ Pattern: pattern }], WHERE)).toThrow(message);
  });
});
