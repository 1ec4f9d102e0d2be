/**
 * The cost benchmark's traffic: a deterministic (seeded) mix of what a carrier
 * integration sends, as a list of requests in the order they are sent.
 *
 * Single updates (`POST /track`) follow each shipment's life: label created
 * (`info_received`, a new shipment), picked up (`in_transit`, a status change),
 * a few hub scans (`in_transit` again: same-status scans), sometimes a failed
 * delivery attempt, out for delivery, then delivered (a terminal status, which
 * the handler applies by reading and folding the state). About 100 shipments are
 * in flight at once, interleaved at random. After an update, a client sometimes
 * resends it at once (a retry after a lost answer, same `event_id`) and a feed
 * sometimes sends it again later (a duplicate). Most sources stamp `event_time`;
 * some leave it to the server. Some updates carry `metadata`, failures a `message`.
 *
 * Depot batches (`POST /track/batch`) carry 100 updates each: the next step of
 * 100 shipments of their own pool, with a few resent updates among them.
 * Reads are interleaved: `GET /status` of a shipment seen before, `GET /shipments`
 * for a busy status.
 */

/** What a request is, for the figures. */
export type RequestKind =
  | 'new shipment'
  | 'same-status scan'
  | 'status change'
  | 'delivery (terminal)'
  | 'client retry'
  | 'duplicate'
  | 'batch of 100'
  | 'GET /status'
  | 'GET /shipments';

/** Single-update kinds: each request is one update. */
export const SINGLE_UPDATE_KINDS: readonly RequestKind[] = [
  'new shipment', 'same-status scan', 'status change', 'delivery (terminal)', 'client retry', 'duplicate',
];

/** Every kind, in the order the figures list them. */
export const REQUEST_KINDS: readonly RequestKind[] = [...SINGLE_UPDATE_KINDS, 'batch of 100', 'GET /status', 'GET /shipments'];

export interface PlannedRequest {
  readonly kind: RequestKind;
  readonly method: 'GET' | 'POST';
  /** Below the stage, e.g. `/track`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: Readonly<Record<string, unknown>>;
  /** Updates this request carries (1 for POST /track, the batch size for a batch, 0 for reads). */
  readonly updates: number;
}

export interface TrafficOptions {
  readonly seed: number;
  /** Shipments sent one update at a time. */
  readonly shipments: number;
  readonly batches: number;
  readonly batchSize: number;
  /** One GET /status per this many single updates, one GET /shipments per `shipmentsEvery`. */
  readonly statusEvery: number;
  readonly shipmentsEvery: number;
}

export const DEFAULT_TRAFFIC: TrafficOptions = {
  seed: 20261201,
  shipments: 60,
  batches: 5,
  batchSize: 100,
  statusEvery: 12,
  shipmentsEvery: 60,
};

/**
 * mulberry32: a small, seedable PRNG (the benchmark needs repeatability, not quality;
 * Math.random cannot be seeded). 32-bit integer arithmetic is what it is made of.
 */
/* eslint-disable no-bitwise */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const FACILITIES = ['DE-FRA-3', 'DE-HAM-1', 'NL-AMS-2', 'FR-CDG-4', 'PL-WAW-1', 'DE-MUC-2', 'BE-BRU-1', 'IT-MXP-3'];
const CITIES: readonly [number, number][] = [
  [50.1109, 8.6821], [53.5511, 9.9937], [52.3676, 4.9041], [49.0097, 2.5479], [52.2297, 21.0122], [48.1351, 11.582],
];

/** The shipments' event times start here, a minute or more apart (in the past, so always accepted). */
const EVENT_TIME_BASE_MS = Date.UTC(2025, 0, 6, 6, 0, 0);

interface Shipment {
  readonly trackingId: string;
  readonly stampsEventTime: boolean;
  /** The statuses still to send, in order. */
  readonly steps: string[];
  sent: number;
  clockMs: number;
}

class Generator {
  private readonly random: () => number;
  constructor(seed: number) {
    this.random = prng(seed);
  }

  public chance(p: number): boolean {
    return this.random() < p;
  }

  public int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  public pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  /** A ULID-shaped id (26 Crockford base-32 characters), as scanners generate them. */
  public ulid(): string {
    return Array.from({ length: 26 }, () => CROCKFORD[Math.floor(this.random() * 32)]).join('');
  }

  /** A carrier tracking number: 2 letters, 16 digits. */
  public trackingId(): string {
    const letters = String.fromCharCode(65 + this.int(0, 25), 65 + this.int(0, 25));
    return letters + Array.from({ length: 16 }, () => String(this.int(0, 9))).join('');
  }

  /** A GPS fix with 5 decimals near one of the hubs. */
  public location(): { lat: number; lng: number } {
    const [lat, lng] = this.pick(CITIES);
    const round = (value: number) => Math.round(value * 1e5) / 1e5;
    return { lat: round(lat + (this.random() - 0.5) / 5), lng: round(lng + (this.random() - 0.5) / 5) };
  }

  /** The statuses of one shipment's life, after `info_received`. */
  public lifecycle(): string[] {
    const steps = ['info_received', 'in_transit'];
    for (let i = this.int(2, 6); i > 0; i--) steps.push('in_transit');
    if (this.chance(0.12)) steps.push('out_for_delivery', 'attempt_failed', 'in_transit');
    steps.push('out_for_delivery');
    steps.push(this.chance(0.95) ? 'delivered' : 'available_for_pickup');
    return steps;
  }

  public shipment(): Shipment {
    return {
      trackingId: this.trackingId(),
      stampsEventTime: this.chance(0.75),
      steps: this.lifecycle(),
      sent: 0,
      clockMs: EVENT_TIME_BASE_MS + this.int(0, 3_600_000),
    };
  }

  /** The next update of a shipment and what kind of request it makes. */
  public nextUpdate(shipment: Shipment): { kind: RequestKind; body: Record<string, unknown> } {
    const index = shipment.sent++;
    const status = shipment.steps[index];
    const previous = index > 0 ? shipment.steps[index - 1] : undefined;
    shipment.clockMs += this.int(60, 6 * 3600) * 1000;
    const body: Record<string, unknown> = {
      tracking_id: shipment.trackingId,
      event_id: this.ulid(),
      status,
      location: this.location(),
    };
    if (shipment.stampsEventTime) body.event_time = new Date(shipment.clockMs).toISOString();
    if (this.chance(0.4)) body.metadata = { facility: this.pick(FACILITIES), scanner_id: `SC-${String(this.int(1, 9999)).padStart(4, '0')}` };
    if (status === 'attempt_failed') body.message = 'Recipient not at home; a notice was left';
    if (status === 'out_for_delivery' && this.chance(0.5)) body.eta = new Date(shipment.clockMs + 4 * 3600_000).toISOString();
    const kind: RequestKind = previous === undefined ? 'new shipment'
      : status === 'delivered' ? 'delivery (terminal)'
        : status === previous ? 'same-status scan' : 'status change';
    return { kind, body };
  }
}

function done(shipment: Shipment): boolean {
  return shipment.sent >= shipment.steps.length;
}

/** The requests of one benchmark run, in order; the same options always give the same list. */
export function planTraffic(options: TrafficOptions = DEFAULT_TRAFFIC): PlannedRequest[] {
  const g = new Generator(options.seed);
  const requests: PlannedRequest[] = [];
  const track = (kind: RequestKind, body: Record<string, unknown>): PlannedRequest => ({ kind, method: 'POST', path: '/track', body, updates: 1 });

  // Single updates, with batches and reads spread among them.
  const waiting = Array.from({ length: options.shipments }, () => g.shipment());
  const active: Shipment[] = [];
  const seen: string[] = [];
  const resendLater: { dueAt: number; body: Record<string, unknown> }[] = [];
  const batchPool: Shipment[] = [];
  const batchSent: Record<string, unknown>[] = [];
  const singles = waiting.reduce((sum, shipment) => sum + shipment.steps.length, 0);
  const batchEvery = Math.max(1, Math.floor(singles / (options.batches + 1)));
  let batchesSent = 0;
  let singlesSent = 0;

  while (waiting.length > 0 || active.length > 0) {
    while (active.length < 100 && waiting.length > 0) active.push(waiting.shift()!);
    const shipment = g.pick(active);
    const { kind, body } = g.nextUpdate(shipment);
    requests.push(track(kind, body));
    singlesSent++;
    if (kind === 'new shipment') seen.push(shipment.trackingId);
    if (done(shipment)) active.splice(active.indexOf(shipment), 1);
    // A lost answer: the client sends the very same request again.
    if (g.chance(0.04)) requests.push(track('client retry', body));
    // A second feed, or a scanner flushing its buffer, sends it again later.
    if (g.chance(0.03)) resendLater.push({ dueAt: singlesSent + g.int(5, 60), body });
    for (const due of resendLater.filter((resend) => resend.dueAt <= singlesSent)) {
      requests.push(track('duplicate', due.body));
      resendLater.splice(resendLater.indexOf(due), 1);
    }
    if (singlesSent % options.statusEvery === 0 && seen.length > 0) {
      requests.push({ kind: 'GET /status', method: 'GET', path: '/status', query: { tracking_id: g.pick(seen) }, updates: 0 });
    }
    if (singlesSent % options.shipmentsEvery === 0) {
      requests.push({ kind: 'GET /shipments', method: 'GET', path: '/shipments', query: { status: g.pick(['in_transit', 'in_transit', 'out_for_delivery', 'delivered']) }, updates: 0 });
    }
    if (singlesSent % batchEvery === 0 && batchesSent < options.batches) {
      requests.push(batch(g, batchPool, batchSent, options.batchSize));
      batchesSent++;
    }
  }
  for (const due of resendLater) requests.push(track('duplicate', due.body));
  while (batchesSent++ < options.batches) requests.push(batch(g, batchPool, batchSent, options.batchSize));
  return requests;
}

/** One depot batch: the next update of `size` shipments of the batch pool (finished ones replaced by new ones). */
function batch(g: Generator, pool: Shipment[], sent: Record<string, unknown>[], size: number): PlannedRequest {
  for (let i = pool.length - 1; i >= 0; i--) if (done(pool[i])) pool.splice(i, 1);
  while (pool.length < size) pool.push(g.shipment());
  const updates: Record<string, unknown>[] = [];
  const earlier = sent.length;
  for (const shipment of pool) {
    // A few updates of an earlier batch come again (a depot re-sending its last file).
    if (earlier > 0 && g.chance(0.02)) {updates.push(sent[g.int(0, earlier - 1)]);} else {
      const { body } = g.nextUpdate(shipment);
      updates.push(body);
      sent.push(body);
    }
  }
  return { kind: 'batch of 100', method: 'POST', path: '/track/batch', body: { updates: updates.slice(0, size) }, updates: Math.min(size, updates.length) };
}
