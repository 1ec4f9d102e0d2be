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
 * - **status run** (`status_since`): since when the shipment has had its status.
 *   For a terminal status, the current event's own time. Otherwise the earliest
 *   event of the *run*: the events with the current status newer than every
 *   event of another status (`run_break_key`, the newest of those older than the
 *   current event). The status index sorts by it, so it changes only when the
 *   status does.
 *
 * {@link foldEvents} computes it incrementally: the state of S ∪ E from the state
 * of S and the events E. Every rule but the run is a max or a min or a set union,
 * so folding the same event twice, or in any order, gives the same state. The run
 * is too, with one exception: an older event of another status that lands inside
 * the run (after its first event, before the current one) splits it, and the new
 * run starts at the event after it, which the state does not know. The fold then
 * leaves the run unknown (`run` undefined) and the caller completes it from the
 * shipment's stored events ({@link runOf}). docs/data-model.md ("The state fold")
 * tells it in prose.
 */

/**
 * The most failed delivery attempts a state item records. Each is an event_id of
 * up to 128 bytes kept on the state item:
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

/** The current status run: its first event, and the newest older event of another status. */
export interface StatusRun {
  /** orderKey of the run's first event (a terminal state's: its current event). */
  readonly start_key: string;
  /** orderKey of the newest event of another status older than the run; absent when there is none, or the state is terminal. */
  readonly break_key?: string;
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
  /** The status run, or undefined when it has to be completed from the stored events ({@link runOf}). */
  readonly run: StatusRun | undefined;
}

/** `status_since`: the time of the run's first event (orderKey's time part). */
export function statusSince(run: StatusRun): string {
  return run.start_key.slice(0, run.start_key.indexOf('#'));
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
      const run = runAfterNewCurrent(next, event, key);
      next = { ...next, ...fromEvent(event), first_seen_at: next.first_seen_at, attempt_ids: next.attempt_ids, run };
    } else {
      next = { ...next, run: runWithOlderEvent(next, event.status, key) };
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
  const key = orderKey(event.event_time, event.event_id);
  return {
    tracking_id: event.tracking_id,
    status: event.status,
    location: event.location,
    updated_at: event.event_time,
    last_event_id: event.event_id,
    last_event_key: key,
    first_seen_at: event.event_time,
    attempt_ids: [],
    run: { start_key: key },
  };
}

/**
 * The run once the event at `key` becomes the current event of `state`: a terminal
 * event starts its own; a newer event of the same status continues the run; a
 * newer event of another status starts one, broken by the event it replaces
 * (every event known is older than it, and the replaced one is the newest of them).
 */
function runAfterNewCurrent(state: StateFold, event: StateEvent, key: string): StatusRun | undefined {
  if (isTerminal(event.status)) return { start_key: key };
  if (event.status === state.status) return state.run;
  return { start_key: key, break_key: state.last_event_key };
}

/** The run once an event that does not become current (older, or after a terminal one) is added. */
function runWithOlderEvent(state: StateFold, status: string, key: string): StatusRun | undefined {
  const run = state.run;
  if (!run || isTerminal(state.status) || key >= state.last_event_key) return run;
  const beforeBreak = run.break_key !== undefined && key <= run.break_key;
  if (status === state.status) {
    // Same status, after the break: the run may start earlier.
    return beforeBreak || key >= run.start_key ? run : { ...run, start_key: key };
  }
  // Another status before the run moves the break; inside the run it splits it,
  // and where the rest starts is in the stored events (runOf).
  if (key < run.start_key) return beforeBreak ? run : { ...run, break_key: key };
  return undefined;
}

/**
 * The run of `state` from every stored event of the shipment (in any order): what
 * {@link foldEvents} leaves undefined when an older event splits the run.
 */
export function runOf(state: Pick<StateFold, 'status' | 'last_event_key'>, events: readonly Pick<StateEvent, 'event_id' | 'status' | 'event_time'>[]): StatusRun {
  if (isTerminal(state.status)) return { start_key: state.last_event_key };
  const keyed = events
    .map((event) => ({ status: event.status, key: orderKey(event.event_time, event.event_id) }))
    .filter((event) => event.key <= state.last_event_key);
  const breakKey = keyed.filter((event) => event.status !== state.status).reduce<string | undefined>(
    (newest, event) => (newest === undefined || event.key > newest ? event.key : newest), undefined);
  const startKey = keyed
    .filter((event) => event.status === state.status && (breakKey === undefined || event.key > breakKey))
    .reduce((oldest, event) => (event.key < oldest ? event.key : oldest), state.last_event_key);
  return breakKey === undefined ? { start_key: startKey } : { start_key: startKey, break_key: breakKey };
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
    && a.attempt_ids.every((id, i) => id === b.attempt_ids[i])
    && a.run?.start_key === b.run?.start_key
    && a.run?.break_key === b.run?.break_key;
}
