import * as fc from 'fast-check';
import type { DynamoDbOperation, Fault, FaultKind } from './harness';
import { CLIENT_STATUSES } from './scenarios';
import { TERMINAL_STATUSES, TRACKING_STATUSES } from '../../src/contract/statuses';

/**
 * Generated scenarios for the operations beside tracking: the stall sweep, the
 * erasure route and the time-bounded status listing. A scenario is a few
 * shipments and a sequence of tracking updates (whole hours over ~40 days),
 * sweeps at generated "now"s, DELETEs (some faulted, some of unknown shipments)
 * and GET /shipments with `updated_before` / `updated_after` bounds.
 *
 * Many times are anchored at run time on what the model holds (a status_since, a
 * newest event) plus a threshold, give or take an hour or a millisecond, so that
 * every threshold and bound is met exactly, crossed and missed.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Day 0 of every scenario: event times lie between it and {@link SPAN_DAYS} days later, all in the real past. */
export const ORIGIN_MS = Date.parse('2026-09-01T00:00:00Z');
export const SPAN_DAYS = 40;

/** A whole hour of the scenario's span. */
export interface TimePoint {
  readonly day: number;
  readonly hour: number;
}

export function pointMs(point: TimePoint): number {
  return ORIGIN_MS + point.day * DAY_MS + point.hour * HOUR_MS;
}

/**
 * An event's time: a whole hour, or the time of an earlier event of the
 * scenario (`anchor` picks which): ties within a shipment and across shipments.
 */
export type EventTimeSpec =
  | { readonly kind: 'at'; readonly point: TimePoint }
  | { readonly kind: 'same-as'; readonly anchor: number };

/**
 * A sweep's "now": a fixed hour (up to a week after the last event day), or, for
 * one of the shipments the model knows when the sweep runs (`anchor` picks it),
 * `deltaHours` after its status_since plus its status's threshold (`stall`), its
 * newest event plus the expiry (`expiry`), its status_since plus the expiry
 * (`run-expiry`: a long run with recent news stalls, it does not expire), or its
 * status_since plus `waitSeconds`.
 */
export type NowSpec =
  | { readonly kind: 'at'; readonly point: TimePoint }
  | {
    readonly kind: 'anchored';
    readonly anchor: number;
    readonly on: 'stall' | 'expiry' | 'run-expiry' | 'wait';
    readonly waitSeconds: number;
    readonly deltaHours: number;
  };

/** The status the update carries: one of the client's, or `same` — the shipment's current status (a longer run). */
export const SAME_STATUS = 'same';

/**
 * A bound of GET /shipments: a fixed hour, or a shipment's status_since (as the
 * model holds it when the listing runs) moved by `deltaMs`; written in the
 * `offset` time zone, with or without a fraction of a second.
 */
export interface BoundSpec {
  readonly at: { readonly kind: 'at'; readonly point: TimePoint } | { readonly kind: 'anchored'; readonly anchor: number; readonly deltaMs: number };
  readonly offsetMinutes: number;
  readonly fraction: boolean;
}

export type OperationsStep =
  /** One POST /track, always with an event_time; with the client's event_id or the server's. */
  | { readonly kind: 'track'; readonly shipment: number; readonly status: string; readonly at: EventTimeSpec; readonly location: number; readonly withEventId: boolean }
  /** The sweep at `now`, then again at the same `now`. */
  | { readonly kind: 'sweep'; readonly now: NowSpec }
  /**
   * DELETE /shipments/{tracking_id}, retried while answered 503, of one of the
   * shipments the model knows (`pick` chooses; an unknown one when it knows none)
   * or of one it does not: not tracked yet, erased already, or never tracked (the
   * scenario has one tracking id no update names). `drainFirst` lets the stream
   * processor catch up before it (else its records of the shipment are still
   * pending when the shipment is erased).
   */
  | { readonly kind: 'erase'; readonly target: 'known' | 'unknown'; readonly pick: number; readonly drainFirst: boolean; readonly fault?: Fault }
  /** Every page of GET /shipments?status=S with optional bounds, `limit` per page. */
  | { readonly kind: 'list'; readonly status: string; readonly before?: BoundSpec; readonly after?: BoundSpec; readonly limit: number };

export interface OperationsScenario {
  readonly shipments: number;
  readonly steps: readonly OperationsStep[];
}

/**
 * The stall thresholds and expiry the construct deploys by default, restated
 * from its documentation (not imported), in seconds.
 */
export const STALL_THRESHOLD_SECONDS: Readonly<Record<string, number>> = {
  pending: 2 * 86_400,
  info_received: 2 * 86_400,
  in_transit: 5 * 86_400,
  out_for_delivery: 86_400,
  available_for_pickup: 7 * 86_400,
  attempt_failed: 2 * 86_400,
  exception: 3 * 86_400,
};
export const EXPIRE_AFTER_SECONDS = 30 * 86_400;

const WAITS = [...new Set([...Object.values(STALL_THRESHOLD_SECONDS), EXPIRE_AFTER_SECONDS])];

export const LOCATIONS = [{ lat: 52.52, lng: 13.405 }, { lat: -33.8688, lng: 151.2093 }, { lat: 0, lng: 0 }];

/** Time zones bounds are written in. */
const OFFSETS = [0, 0, 120, -330, 840, -720];

const ERASE_OPERATIONS: readonly (DynamoDbOperation | '*')[] = ['Query', 'BatchWriteItem', 'DeleteItem', '*'];
const KINDS: readonly FaultKind[] = ['throttle', 'refused', 'timeout-before', 'timeout-after'];

/** Whole hours, midnight most often (ties between shipments and with the bounds). */
const timePoint: fc.Arbitrary<TimePoint> = fc.record({
  day: fc.integer({ min: 0, max: SPAN_DAYS }),
  hour: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 23 })),
});

const eventTime: fc.Arbitrary<EventTimeSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('at' as const), point: timePoint }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('same-as' as const), anchor: fc.nat() }) },
);

/** Open statuses far more often than terminal ones: a shipment that has ended can no longer stall. */
const clientStatus: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...CLIENT_STATUSES.filter((status) => !TERMINAL_STATUSES.includes(status))) },
  { weight: 2, arbitrary: fc.constant(SAME_STATUS) },
  { weight: 1, arbitrary: fc.constantFrom(...TERMINAL_STATUSES) },
);

const nowSpec: fc.Arbitrary<NowSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('at' as const), point: fc.record({ day: fc.integer({ min: 0, max: SPAN_DAYS + 7 }), hour: fc.integer({ min: 0, max: 23 }) }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('anchored' as const),
      anchor: fc.nat(),
      on: fc.constantFrom<'stall' | 'expiry' | 'run-expiry' | 'wait'>('stall', 'stall', 'expiry', 'run-expiry', 'run-expiry', 'wait'),
      waitSeconds: fc.constantFrom(...WAITS),
      deltaHours: fc.constantFrom(-1, 0, 1, 1, 24),
    }),
  },
);

const boundSpec: fc.Arbitrary<BoundSpec> = fc.record({
  at: fc.oneof(
    fc.record({ kind: fc.constant('at' as const), point: timePoint }),
    fc.record({ kind: fc.constant('anchored' as const), anchor: fc.nat(), deltaMs: fc.constantFrom(-HOUR_MS, -1, 0, 0, 1, HOUR_MS) }),
  ),
  offsetMinutes: fc.constantFrom(...OFFSETS),
  fraction: fc.boolean(),
});

const eraseFault: fc.Arbitrary<Fault> = fc.record({
  operation: fc.constantFrom(...ERASE_OPERATIONS),
  kind: fc.constantFrom(...KINDS),
  times: fc.integer({ min: 1, max: 4 }),
  after: fc.integer({ min: 0, max: 2 }),
});

export function operationsScenarioArbitrary(options: { maxShipments: number; minSteps: number; maxSteps: number }): fc.Arbitrary<OperationsScenario> {
  return fc.integer({ min: 1, max: options.maxShipments }).chain((shipments) => {
    const step: fc.Arbitrary<OperationsStep> = fc.oneof(
      {
        weight: 10,
        arbitrary: fc.record({
          kind: fc.constant('track' as const),
          shipment: fc.integer({ min: 0, max: shipments - 1 }),
          status: clientStatus,
          at: eventTime,
          location: fc.integer({ min: 0, max: LOCATIONS.length - 1 }),
          withEventId: fc.boolean(),
        }),
      },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('sweep' as const), now: nowSpec }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('erase' as const),
          target: fc.constantFrom<'known' | 'unknown'>('known', 'known', 'known', 'unknown'),
          pick: fc.nat(),
          drainFirst: fc.boolean(),
          fault: fc.option(eraseFault, { nil: undefined }),
        }, { requiredKeys: ['kind', 'target', 'pick', 'drainFirst'] }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('list' as const),
          status: fc.constantFrom(...TRACKING_STATUSES, 'failed'),
          before: boundSpec,
          after: boundSpec,
          limit: fc.integer({ min: 1, max: 4 }),
        }, { requiredKeys: ['kind', 'status', 'limit'] }),
      },
    );
    return fc.record({ shipments: fc.constant(shipments), steps: fc.array(step, { minLength: options.minSteps, maxLength: options.maxSteps, size: 'max' }) });
  });
}

/** RFC 3339 for `ms` in the time zone `offsetMinutes` east of UTC; milliseconds only when asked or needed. */
export function rfc3339(ms: number, offsetMinutes: number, fraction: boolean): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const text = fraction || ms % 1000 !== 0 ? local : local.slice(0, 19);
  if (offsetMinutes === 0) return `${text}Z`;
  const magnitude = Math.abs(offsetMinutes);
  const zone = `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(magnitude / 60)).padStart(2, '0')}:${String(magnitude % 60).padStart(2, '0')}`;
  return `${text}${zone}`;
}
