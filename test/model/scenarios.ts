import * as fc from 'fast-check';
import type { DynamoDbOperation, Fault, FaultKind } from './harness';
import { TRACKING_STATUSES } from '../../src/contract/statuses';

/**
 * Generated client behaviour for the model-based tests: a scenario is a few
 * shipments and a sequence of client operations — single and batch updates with
 * random times (ties included: the same instant in different offsets), with and
 * without event_id and event_time, resends of acknowledged updates, an event_id
 * reused with another payload, hostile JSON — each optionally preceded by a fault
 * in the handler's DynamoDB client. The test then plays the contract's client:
 * on a 503 (or a batch result "retry") it resends with the event_id it was given.
 */

/** Every status a client may send, the `failed` alias (kept for the seed's clients, docs/architecture.md#the-seed) included. */
export const CLIENT_STATUSES: readonly string[] = [...TRACKING_STATUSES, 'failed'];

/**
 * Event times from a small pool, so ties are frequent. Pairs denote one instant in
 * two spellings (`+00:00`, `+01:00`): they tie after normalization.
 */
export const EVENT_TIMES: readonly string[] = [
  '2026-11-20T08:00:00Z', '2026-11-20T08:00:00.000+00:00',
  '2026-11-20T09:30:00Z', '2026-11-20T10:30:00+01:00',
  '2026-11-20T09:30:00.001Z', '2026-11-21T00:00:00Z', '2026-11-22T12:00:00.5Z', '2026-11-23T23:59:59.999Z',
];

const LOCATIONS = [{ lat: 52.52, lng: 13.405 }, { lat: -33.8688, lng: 151.2093 }, { lat: 0, lng: 0 }, { lat: 90, lng: -180 }];

export interface ClientUpdate {
  /** Index into the scenario's shipments. */
  readonly shipment: number;
  readonly status: string;
  readonly location: { readonly lat: number; readonly lng: number };
  /** Absent: the server takes the receive time. */
  readonly eventTime?: string;
  /** Whether the client sends its own event_id (made unique per update by the test) or lets the server assign one. */
  readonly withEventId: boolean;
  readonly metadata?: Record<string, unknown>;
}

export type Operation =
  | { readonly kind: 'track'; readonly update: ClientUpdate; readonly fault?: Fault }
  | { readonly kind: 'batch'; readonly updates: readonly ClientUpdate[]; readonly fault?: Fault }
  /**
   * Resend what an earlier operation sent: with the event_ids it was acknowledged
   * under (a client unsure it got through: duplicates), or, `withoutIds`, exactly as
   * first sent — where that had no event_id, a new event with a new server id.
   */
  | { readonly kind: 'resend'; readonly of: number; readonly withoutIds: boolean; readonly fault?: Fault }
  /** Reuse an acknowledged event_id with another payload: answered as a duplicate, stores nothing. */
  | { readonly kind: 'conflict'; readonly of: number; readonly status: string }
  /** A valid update whose metadata is hostile JSON, sent as raw text. */
  | { readonly kind: 'hostile'; readonly shipment: number; readonly metadataJson: string };

export interface Scenario {
  readonly shipments: number;
  readonly operations: readonly Operation[];
}

const OPERATIONS: readonly DynamoDbOperation[] = ['PutItem', 'UpdateItem', 'GetItem'];
const KINDS: readonly FaultKind[] = ['throttle', 'refused', 'timeout-before', 'timeout-after'];

/**
 * A fault on the next DynamoDB attempts. The handler's client makes 3 attempts per
 * call: `times` 1–2 are absorbed by the SDK, 3 or more reach the handler (a 503 or
 * a batch "retry"), and the client's retry meets what is left. `timeout-after` lets
 * the write happen and loses its answer.
 */
export const faultArbitrary: fc.Arbitrary<Fault> = fc.record({
  operation: fc.constantFrom<DynamoDbOperation | '*'>(...OPERATIONS, '*'),
  kind: fc.constantFrom(...KINDS),
  times: fc.integer({ min: 1, max: 5 }),
  after: fc.integer({ min: 0, max: 2 }),
});

function updateArbitrary(shipments: number, requireEventTime: boolean): fc.Arbitrary<ClientUpdate> {
  return fc.record({
    shipment: fc.integer({ min: 0, max: shipments - 1 }),
    status: fc.constantFrom(...CLIENT_STATUSES),
    location: fc.constantFrom(...LOCATIONS),
    eventTime: requireEventTime ? fc.constantFrom(...EVENT_TIMES) : fc.option(fc.constantFrom(...EVENT_TIMES), { nil: undefined, freq: 4 }),
    withEventId: fc.boolean(),
    metadata: fc.option(fc.dictionary(fc.string({ maxLength: 6 }).filter((key) => key !== '' && key !== '__proto__'), safeJsonValue(), { maxKeys: 3 }), { nil: undefined }),
  }, { requiredKeys: requireEventTime ? ['shipment', 'status', 'location', 'withEventId', 'eventTime'] : ['shipment', 'status', 'location', 'withEventId'] });
}

/** JSON values every rule lets through: safe numbers, well-formed strings, shallow. */
function safeJsonValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((n) => n === 0 || Math.abs(n) >= 1e-130),
    fc.string({ maxLength: 8, unit: 'grapheme' }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
  );
}

/**
 * Metadata as raw JSON text at every edge: numbers around 2^53, 1e-130, 1e126 and
 * beyond, -0, lone and paired surrogates in strings and keys, empty, `__proto__`
 * and `constructor` keys, nesting around the depth limit, plus arbitrary JSON.
 */
export const hostileMetadataArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '9007199254740991', '9007199254740992', '-9007199254740993', '1732615200123456789', '1e300', '-1e300', '1e126', '9.99e125',
    '1e-130', '1e-131', '-1e-200', '5e-324', '-0', '0.1', '4503599627370495.5', '1.7976931348623157e308',
  ).map((number) => `{"n":${number}}`),
  fc.constantFrom('"\\ud800"', '"a\\udfffb"', '"\\ud83d\\udce6"', '"\\u0000"', '"\\u2028"', '""').map((text) => `{"s":${text}}`),
  fc.constantFrom('""', '"__proto__"', '"constructor"', '"\\ud800"', '"~/"', '"toString"').map((name) => `{${name}:1}`),
  fc.constantFrom('""', '"__proto__"').map((name) => `{"deep":{"list":[{${name}:{"x":1}}]}}`),
  fc.integer({ min: 26, max: 32 }).map((depth) => `${'{"d":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.json({ maxDepth: 3 }).map((json) => `{"any":${json}}`),
);

export function scenarioArbitrary(options: { maxShipments: number; maxOperations: number; faults: boolean }): fc.Arbitrary<Scenario> {
  return fc.integer({ min: 1, max: options.maxShipments }).chain((shipments) => {
    const fault = options.faults ? fc.option(faultArbitrary, { nil: undefined, freq: 2 }) : fc.constant(undefined);
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('track' as const), update: updateArbitrary(shipments, false), fault }, { requiredKeys: ['kind', 'update'] }) },
      // Batch updates carry an event_time: a batch result says no timestamp, so the model could not learn a server-chosen one.
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('batch' as const), updates: fc.array(updateArbitrary(shipments, true), { minLength: 1, maxLength: 6 }), fault }, { requiredKeys: ['kind', 'updates'] }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('resend' as const), of: fc.nat(), withoutIds: fc.boolean(), fault }, { requiredKeys: ['kind', 'of', 'withoutIds'] }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('conflict' as const), of: fc.nat(), status: fc.constantFrom(...CLIENT_STATUSES) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('hostile' as const), shipment: fc.integer({ min: 0, max: shipments - 1 }), metadataJson: hostileMetadataArbitrary }) },
    );
    return fc.record({ shipments: fc.constant(shipments), operations: fc.array(operation, { minLength: 1, maxLength: options.maxOperations }) });
  });
}
