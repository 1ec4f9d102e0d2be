import { isTerminal, TrackingStatus } from '../../src/contract/statuses';
import { orderKey } from '../../src/contract/table';

/**
 * What a shipment's state is, as a function of the *set* of its events — never of
 * the order they arrived in, nor of how often one was applied:
 *
 * - **current event**: the newest terminal event (delivered, returned, cancelled,
 *   expired) if the shipment has one, else its newest event. "Newest" orders by
 *   event_time, ties by event_id. So after a terminal status, later non-terminal
 *   events land in history and leave the status alone (a scan after delivery does
 *   not reopen the shipment), while a later terminal status still moves it
 *   (delivered → returned).
 * - **first_seen_at**: the earliest event_time of any event.
 * - **out_for_delivery_at**, **delivered_at**: the earliest event_time of an event
 *   with that status (absent until there is one).
 * - **attempt ids**: the event_ids of the attempt_failed events, at most
 *   {@link MAX_COUNTED_ATTEMPTS}; `attempt_count` is their number. Keeping the ids
 *   (not a counter) is what makes a re-applied or late attempt count once.
 *
 * {@link foldEvents} computes it incrementally: the state of S ∪ E from the state
 * of S and the events E. Every rule above is a max or a min or a set union, so
 * folding the same event twice, or in any order, gives the same state.
 * docs/data-model.md ("The state fold") tells it in prose.
 */

/**
 * The most failed delivery attempts a state item records. Each is an event_id of
 * up to 128 bytes kept on the state item (and projected into the status index):
 * the bound keeps the item small whatever a client sends. No carrier attempts a
 * delivery 50 times; past that, attempt_count stays at 50.
 */
export const MAX_COUNTED_ATTEMPTS = 50;

/** The fields of an event the state depends on. */
export interface StateEvent {
  readonly tracking_id: string;
  readonly event_id: string;
  readonly status: string;
  readonly location: { readonly lat: number; readonly lng: number };
  readonly event_time: string;
}

/** A shipment's state, as stored on its state item (the version counter aside). */
export interface StateFold {
  readonly tracking_id: string;
  /** The current event's status, location, time and id. */
  readonly status: string;
  readonly location: { readonly lat: number; readonly lng: number };
  readonly updated_at: string;
  readonly last_event_id: string;
  /** orderKey of the current event. */
  readonly last_event_key: string;
  readonly first_seen_at: string;
  readonly out_for_delivery_at?: string;
  readonly delivered_at?: string;
  /** Sorted event_ids of attempt_failed events, at most MAX_COUNTED_ATTEMPTS. */
  readonly attempt_ids: readonly string[];
}

interface Candidate {
  readonly status: string;
  readonly key: string;
}

/** Whether `a` should be the current event rather than `b`: terminal beats non-terminal, then newer beats older. */
function outranks(a: Candidate, b: Candidate): boolean {
  const terminalA = isTerminal(a.status);
  const terminalB = isTerminal(b.status);
  if (terminalA !== terminalB) return terminalA;
  return a.key > b.key;
}

function earliest(current: string | undefined, candidate: string | undefined): string | undefined {
  if (candidate === undefined) return current;
  return current === undefined || candidate < current ? candidate : current;
}

/** The state of a shipment once `events` (of that shipment; repeats are harmless) are added to the events `state` reflects. */
export function foldEvents(state: StateFold | undefined, events: readonly StateEvent[]): StateFold {
  if (events.length === 0) {
    if (!state) throw new Error('foldEvents needs a state or at least one event');
    return state;
  }
  let next: StateFold = state ?? fromEvent(events[0]);
  for (const event of events) {
    const key = orderKey(event.event_time, event.event_id);
    if (outranks({ status: event.status, key }, { status: next.status, key: next.last_event_key })) {
      next = { ...next, ...fromEvent(event), first_seen_at: next.first_seen_at, attempt_ids: next.attempt_ids };
    }
    const attempts = event.status === TrackingStatus.ATTEMPT_FAILED && !next.attempt_ids.includes(event.event_id)
      && next.attempt_ids.length < MAX_COUNTED_ATTEMPTS
      ? [...next.attempt_ids, event.event_id].sort()
      : next.attempt_ids;
    next = withOptional({
      ...next,
      first_seen_at: earliest(next.first_seen_at, event.event_time)!,
      attempt_ids: attempts,
    }, {
      out_for_delivery_at: earliest(next.out_for_delivery_at, event.status === TrackingStatus.OUT_FOR_DELIVERY ? event.event_time : undefined),
      delivered_at: earliest(next.delivered_at, event.status === TrackingStatus.DELIVERED ? event.event_time : undefined),
    });
  }
  return next;
}

/** The state a single event makes, milestones aside. */
function fromEvent(event: StateEvent): StateFold {
  return {
    tracking_id: event.tracking_id,
    status: event.status,
    location: event.location,
    updated_at: event.event_time,
    last_event_id: event.event_id,
    last_event_key: orderKey(event.event_time, event.event_id),
    first_seen_at: event.event_time,
    attempt_ids: [],
  };
}

/** `fold` with the optional milestones set where defined (no `undefined` values: they compare and store cleanly). */
function withOptional(fold: StateFold, milestones: { out_for_delivery_at?: string; delivered_at?: string }): StateFold {
  const { out_for_delivery_at: _o, delivered_at: _d, ...rest } = fold;
  return {
    ...rest,
    ...(milestones.out_for_delivery_at !== undefined ? { out_for_delivery_at: milestones.out_for_delivery_at } : {}),
    ...(milestones.delivered_at !== undefined ? { delivered_at: milestones.delivered_at } : {}),
  };
}

/** Whether two states are the same (nothing to write). */
export function sameState(a: StateFold, b: StateFold): boolean {
  return a.last_event_key === b.last_event_key
    && a.status === b.status
    && a.first_seen_at === b.first_seen_at
    && a.out_for_delivery_at === b.out_for_delivery_at
    && a.delivered_at === b.delivered_at
    && a.attempt_ids.length === b.attempt_ids.length
    && a.attempt_ids.every((id, i) => id === b.attempt_ids[i]);
}
