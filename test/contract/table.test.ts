import * as fc from 'fast-check';
import {
  compareKeys, eventIdOfSortKey, eventKey, isHistorySortKeyOf, isStateSortKey, orderKey, stateKey, statusPk, statusShardOf, statusSk,
  statusSkAfter, statusSkBefore, TABLE_LAYOUT, trackingIdOfStatusSortKey,
} from '../../src/contract/table';

describe('the key schema', () => {
  test('builds the keys of both items and of the status index', () => {
    expect(eventKey('PKG-1', 'e1')).toEqual({ pk: 'TRACK#PKG-1', sk: 'EVENT#e1' });
    expect(stateKey('PKG-1')).toEqual({ pk: 'TRACK#PKG-1', sk: TABLE_LAYOUT.stateSortKey });
    expect(orderKey('2026-11-26T09:15:00.000Z', 'e1')).toBe('2026-11-26T09:15:00.000Z#e1');
    expect(statusPk('in_transit', 3)).toBe('STATUS#in_transit#3');
    expect(statusSk('2026-11-26T09:15:00.000Z', 'PKG-1')).toBe('2026-11-26T09:15:00.000Z#PKG-1');
  });

  test('reads back what it builds, and nothing else', () => {
    expect(isStateSortKey(stateKey('x').sk)).toBe(true);
    expect(isStateSortKey(eventKey('x', 'STATE').sk)).toBe(false);
    expect(eventIdOfSortKey(eventKey('x', 'scan:0001').sk)).toBe('scan:0001');
    expect(eventIdOfSortKey('STATE')).toBeUndefined();
    expect(trackingIdOfStatusSortKey(statusSk('2026-11-26T09:15:00.000Z', 'PKG-1'))).toBe('PKG-1');
    expect(trackingIdOfStatusSortKey('2026-11-26#PKG-1')).toBeUndefined();
    expect(isHistorySortKeyOf('EVENT#e1', orderKey('2026-11-26T09:15:00.000Z', 'e1'))).toBe(true);
    expect(isHistorySortKeyOf('EVENT#e1', orderKey('2026-11-26T09:15:00.000Z', 'e2'))).toBe(false);
    expect(isHistorySortKeyOf('EVENT#e1', orderKey('2026-11-26', 'e1'))).toBe(false);
  });

  test('keeps a shipment on one status shard, within the shard count', () => {
    const shards = Array.from({ length: 100 }, (_, i) => statusShardOf(`PKG-${i}`, TABLE_LAYOUT.statusShards));
    expect(shards.every((shard) => Number.isInteger(shard) && shard >= 0 && shard < TABLE_LAYOUT.statusShards)).toBe(true);
    expect(statusShardOf('PKG-7', 8)).toBe(statusShardOf('PKG-7', 8));
  });
});

describe('the status_sk bounds of a time range', () => {
  /** Every millisecond whose UTC ISO form has a four-digit year, as status_since is stored. */
  const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  const isoTime = fc.integer({ min: 0, max: LAST_MS });
  const trackingId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,100}$/);
  /** since = T + delta: often T itself or a millisecond off, where an off-by-one would show. */
  const delta = fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -LAST_MS, max: LAST_MS }));
  const iso = (ms: number) => new Date(ms).toISOString();

  test('an entry sorts below statusSkBefore(T) exactly when it took its status before T, and above statusSkAfter(T) exactly when after', () => {
    fc.assert(fc.property(isoTime, delta, trackingId, (t, d, id) => {
      const since = Math.min(LAST_MS, Math.max(0, t + d));
      const key = statusSk(iso(since), id);
      expect(compareKeys(key, statusSkBefore(iso(t))) < 0).toBe(since < t);
      expect(compareKeys(key, statusSkAfter(iso(t))) > 0).toBe(since > t);
    }), { numRuns: 2000 });
  });

  test('neither bound is ever a stored status_sk', () => {
    fc.assert(fc.property(isoTime, (t) => {
      expect(trackingIdOfStatusSortKey(statusSkBefore(iso(t)))).toBeUndefined();
      expect(trackingIdOfStatusSortKey(statusSkAfter(iso(t)))).toBeUndefined();
    }));
  });
});
