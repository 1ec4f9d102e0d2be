import * as fc from 'fast-check';
import { foldEvents, runOf, StateEvent, StateFold, statusSince } from '../../lambda/tracking/shipment-state';
import { TRACKING_STATUSES } from '../../src/contract/statuses';

/**
 * The state fold, and above all its status run (`status_since`): a function of the
 * *set* of events whatever order they arrive in, completed from the stored events
 * in the one case the fold cannot know it (an older event of another status
 * splitting the run).
 */

const LOCATION = { lat: 1, lng: 2 };
const event = (id: string, status: string, minute: number): StateEvent => ({
  tracking_id: 'PKG-1',
  event_id: id,
  status,
  location: LOCATION,
  event_time: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
});

/** Folds events one request at a time, completing an unknown run from the events stored so far, as the write path does. */
function foldArriving(events: readonly StateEvent[]): StateFold {
  let state: StateFold | undefined;
  const stored: StateEvent[] = [];
  for (const arriving of events) {
    stored.push(arriving);
    state = foldEvents(state, [arriving]);
    if (!state.run) state = { ...state, run: runOf(state, stored) };
  }
  return state!;
}

/** The fold of the whole set, oldest first: never leaves the run unknown. */
function foldInOrder(events: readonly StateEvent[]): StateFold {
  const ordered = [...events].sort((a, b) => (`${a.event_time}#${a.event_id}` < `${b.event_time}#${b.event_id}` ? -1 : 1));
  return foldEvents(undefined, ordered);
}

describe('status run', () => {
  test('a run starts at the first event of the current status after another status, and ignores same-status scans', () => {
    const state = foldArriving([event('a', 'in_transit', 1), event('b', 'in_transit', 2), event('c', 'out_for_delivery', 3), event('d', 'out_for_delivery', 4)]);
    expect(state.run).toEqual({ start_key: `${event('c', '', 3).event_time}#c`, break_key: `${event('b', '', 2).event_time}#b` });
    expect(statusSince(state.run!)).toBe('2026-01-01T00:03:00.000Z');
  });

  test('going back to a status starts a new run (attempt_failed, then out for delivery again)', () => {
    const state = foldArriving([
      event('a', 'out_for_delivery', 1), event('b', 'attempt_failed', 2), event('c', 'out_for_delivery', 30),
    ]);
    expect(statusSince(state.run!)).toBe('2026-01-01T00:30:00.000Z');
  });

  test('a late scan of the current status before the run extends it back; one before the break does not', () => {
    const base = [event('a', 'in_transit', 1), event('b', 'info_received', 5), event('c', 'in_transit', 10)];
    expect(statusSince(foldArriving([...base, event('late', 'in_transit', 7)]).run!)).toBe('2026-01-01T00:07:00.000Z');
    expect(statusSince(foldArriving([...base, event('early', 'in_transit', 3)]).run!)).toBe('2026-01-01T00:10:00.000Z');
  });

  test('a late event of another status inside the run splits it: the fold leaves it to the stored events', () => {
    const before = foldArriving([event('a', 'in_transit', 1), event('b', 'in_transit', 5), event('c', 'in_transit', 9)]);
    expect(statusSince(before.run!)).toBe('2026-01-01T00:01:00.000Z');
    const split = foldEvents(before, [event('x', 'exception', 3)]);
    expect(split.run).toBeUndefined();
    expect(split.status).toBe('in_transit');
    const stored = [event('a', 'in_transit', 1), event('b', 'in_transit', 5), event('c', 'in_transit', 9), event('x', 'exception', 3)];
    expect(runOf(split, stored)).toEqual({ start_key: `${event('b', '', 5).event_time}#b`, break_key: `${event('x', '', 3).event_time}#x` });
  });

  test('a terminal status runs from its own event; later scans do not move it, a newer terminal event does', () => {
    const delivered = foldArriving([event('a', 'in_transit', 1), event('d', 'delivered', 5), event('late', 'in_transit', 9)]);
    expect(delivered.status).toBe('delivered');
    expect(delivered.run).toEqual({ start_key: `${event('d', '', 5).event_time}#d` });
    const returned = foldEvents(delivered, [event('r', 'returned', 20)]);
    expect(statusSince(returned.run!)).toBe('2026-01-01T00:20:00.000Z');
  });

  test('a state stored before runs existed (no run) gets one from the stored events on its next write', () => {
    const events = [event('a', 'in_transit', 1), event('b', 'in_transit', 2)];
    const legacy: StateFold = { ...foldInOrder(events), run: undefined };
    const next = foldEvents(legacy, [event('c', 'in_transit', 3)]);
    expect(next.run).toBeUndefined();
    expect(runOf(next, [...events, event('c', 'in_transit', 3)])).toEqual({ start_key: `${event('a', '', 1).event_time}#a` });
    // A status change needs no history: the new run starts at the new event.
    expect(foldEvents(legacy, [event('d', 'delivered', 4)]).run).toEqual({ start_key: `${event('d', '', 4).event_time}#d` });
  });
});

describe('the fold is a function of the set of events (generated)', () => {
  const anEvent = fc.record({
    id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
    status: fc.constantFrom(...TRACKING_STATUSES),
    minute: fc.integer({ min: 0, max: 12 }),
  });
  /** Up to 8 events with distinct ids (an event_id is stored once), in arrival order. */
  const arrivals = fc.uniqueArray(anEvent, { selector: (e) => e.id, minLength: 1, maxLength: 8 })
    .map((list) => list.map((e) => event(e.id, e.status, e.minute)));

  test('every arrival order, each event applied once or twice, gives the in-order fold, run included', () => {
    fc.assert(fc.property(arrivals, fc.array(fc.nat(), { maxLength: 4 }), (events, repeats) => {
      const withRepeats = [...events, ...repeats.map((i) => events[i % events.length])];
      expect(foldArriving(withRepeats)).toEqual(foldInOrder(events));
    }), { numRuns: 2000 });
  });

  test('the in-order fold knows every run, and it is the one runOf finds in the set', () => {
    fc.assert(fc.property(arrivals, (events) => {
      const state = foldInOrder(events);
      expect(state.run).toBeDefined();
      expect(runOf(state, events)).toEqual(state.run);
    }), { numRuns: 2000 });
  });

  test('batches: folding several events at once gives the same state as one at a time', () => {
    fc.assert(fc.property(arrivals, fc.nat(), (events, cut) => {
      const at = cut % events.length;
      let state = foldEvents(undefined, events.slice(0, at + 1));
      if (!state.run) state = { ...state, run: runOf(state, events.slice(0, at + 1)) };
      state = foldEvents(state, events.slice(at + 1).length > 0 ? events.slice(at + 1) : [events[0]]);
      if (!state.run) state = { ...state, run: runOf(state, events) };
      expect(state).toEqual(foldInOrder(events));
    }), { numRuns: 2000 });
  });
});
