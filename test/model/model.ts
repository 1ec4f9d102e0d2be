import { isDeepStrictEqual } from 'util';
import { MAX_JSON_DEPTH } from '../../src/contract/request-schema';
import { normalizeStatus, TERMINAL_STATUSES } from '../../src/contract/statuses';

/**
 * The reference model of the tracking service: what the API promises, written as
 * plainly as possible, with no DynamoDB, no retries and no arrival order in it.
 *
 * A shipment is the *set* of its stored events, each identified by
 * (tracking_id, event_id) and stored once: the first payload stored under an id
 * is the one kept. Everything the API answers is a function of that set:
 *
 * - history: every event, newest first by event_time, ties by event_id;
 * - current: the newest terminal event if the shipment has one, else the newest;
 * - first_seen_at: the earliest event_time; out_for_delivery_at / delivered_at:
 *   the earliest event_time with that status; attempt_count: how many distinct
 *   attempt_failed events (at most MAX_COUNTED_ATTEMPTS);
 * - status_since: when the shipment took its current status — a terminal
 *   event's own time; otherwise the oldest event of the unbroken streak of the
 *   current status that ends at the newest event;
 * - GET /shipments?status=S: the shipments whose current status is S, latest
 *   status_since first, ties by tracking_id (descending).
 *
 * The handler computes the same things incrementally, under retries, faults and
 * concurrency; the model-based tests require the two to agree.
 */

/** The handler's bound on counted attempts (lambda/tracking/shipment-state.ts); restated here, not imported. */
export const MAX_COUNTED_ATTEMPTS = 50;

export interface ModelEvent {
  readonly tracking_id: string;
  readonly event_id: string;
  /** Stored form (aliases resolved). */
  readonly status: string;
  readonly location: { readonly lat: number; readonly lng: number };
  /** UTC ISO-8601 with ms, as the API answers it. */
  readonly event_time: string;
  readonly metadata?: unknown;
}

/** GET /status `current`, as the model says it must be. */
export interface ModelState {
  readonly status: string;
  readonly event_id: string;
  readonly timestamp: string;
  readonly location: { readonly lat: number; readonly lng: number };
  readonly first_seen_at: string;
  readonly attempt_count: number;
  readonly out_for_delivery_at?: string;
  readonly delivered_at?: string;
  readonly status_since: string;
}

const key = (event: ModelEvent) => `${event.event_time}#${event.event_id}`;
const newestFirst = (a: ModelEvent, b: ModelEvent) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0);

export class ReferenceModel {
  private readonly shipments = new Map<string, Map<string, ModelEvent>>();

  /** Whether (tracking_id, event_id) is stored. */
  public has(trackingId: string, eventId: string): boolean {
    return this.shipments.get(trackingId)?.has(eventId) ?? false;
  }

  public event(trackingId: string, eventId: string): ModelEvent | undefined {
    return this.shipments.get(trackingId)?.get(eventId);
  }

  /** Stores an event unless its (tracking_id, event_id) is stored; returns the stored one. */
  public store(event: ModelEvent): ModelEvent {
    const events = this.shipments.get(event.tracking_id) ?? new Map<string, ModelEvent>();
    this.shipments.set(event.tracking_id, events);
    const stored = events.get(event.event_id);
    if (stored) return stored;
    events.set(event.event_id, event);
    return event;
  }

  /**
   * Forgets every event of a shipment (an erasure): it is unknown again, and an
   * event tracked later starts a fresh shipment. Returns whether it was known.
   */
  public erase(trackingId: string): boolean {
    return this.shipments.delete(trackingId);
  }

  public trackingIds(): string[] {
    return [...this.shipments.keys()].sort();
  }

  public eventCount(): number {
    let count = 0;
    for (const events of this.shipments.values()) count += events.size;
    return count;
  }

  /** Newest first. */
  public history(trackingId: string): ModelEvent[] {
    return [...(this.shipments.get(trackingId)?.values() ?? [])].sort(newestFirst);
  }

  public state(trackingId: string): ModelState | undefined {
    const history = this.history(trackingId);
    if (history.length === 0) return undefined;
    const terminal = history.filter((event) => TERMINAL_STATUSES.includes(event.status));
    const current = (terminal.length > 0 ? terminal : history)[0];
    const earliestOf = (status: string) => history.filter((event) => event.status === status).map((event) => event.event_time).sort()[0];
    const outForDelivery = earliestOf('out_for_delivery');
    const delivered = earliestOf('delivered');
    let streakStart = history[0];
    for (const event of history) {
      if (event.status !== current.status) break;
      streakStart = event;
    }
    return {
      status: current.status,
      event_id: current.event_id,
      timestamp: current.event_time,
      location: current.location,
      first_seen_at: history.map((event) => event.event_time).sort()[0],
      attempt_count: Math.min(history.filter((event) => event.status === 'attempt_failed').length, MAX_COUNTED_ATTEMPTS),
      ...(outForDelivery !== undefined ? { out_for_delivery_at: outForDelivery } : {}),
      ...(delivered !== undefined ? { delivered_at: delivered } : {}),
      status_since: terminal.length > 0 ? current.event_time : streakStart.event_time,
    };
  }

  /** GET /shipments?status=S over every shipment of the model, in the API's order. */
  public shipmentsWithStatus(status: string): string[] {
    const stored = normalizeStatus(status);
    return this.trackingIds()
      .map((trackingId) => ({ trackingId, state: this.state(trackingId)! }))
      .filter(({ state }) => state.status === stored)
      .sort((a, b) => {
        const ka = `${a.state.status_since}#${a.trackingId}`;
        const kb = `${b.state.status_since}#${b.trackingId}`;
        return ka < kb ? 1 : ka > kb ? -1 : 0;
      })
      .map(({ trackingId }) => trackingId);
  }
}

/**
 * Whether the contract says `value` (a metadata value, at body depth `depth`) can
 * never be stored: numbers beyond ±(2^53 − 1) or of a magnitude below 1e-130,
 * strings or keys that are not Unicode, empty, `__proto__` and `constructor` keys,
 * nesting past the limit. Restated from the README's promises, not imported from the handler.
 */
export function mustBeRefused(value: unknown, depth: number): boolean {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    return magnitude > Number.MAX_SAFE_INTEGER || (magnitude !== 0 && magnitude < 1e-130);
  }
  if (typeof value === 'string') return !isWellFormed(value);
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_JSON_DEPTH) return true;
  return Object.entries(value).some(([name, child]) =>
    (!Array.isArray(value) && (name === '' || name === '__proto__' || name === 'constructor' || !isWellFormed(name))) || mustBeRefused(child, depth + 1));
}

function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** Deep equality of two JSON values as JSON sees them: key order and object prototypes aside. */
export function sameJson(a: unknown, b: unknown): boolean {
  const asJson = (value: unknown) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
  return isDeepStrictEqual(asJson(a), asJson(b));
}
