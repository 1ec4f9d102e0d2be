import type { Fault, HandlerResponse, ModelHarness } from './harness';
import { mustBeRefused, ReferenceModel, sameJson, type ModelEvent } from './model';
import { ClientUpdate, Operation, Scenario } from './scenarios';
import type { StatusChangedDetail } from '../../src/contract/events';
import { normalizeStatus, TRACKING_STATUSES } from '../../src/contract/statuses';

/**
 * Plays a generated scenario against the real handler (through the harness) as
 * the contract's client does, keeps the reference model of what must be stored,
 * and checks every answer on the way and the whole service at the end.
 *
 * The client: an acknowledged update (200, or a batch result accepted/duplicate)
 * is stored; a 503, or a batch result "temporarily unavailable, retry", is resent
 * with the event_id the answer carries, until acknowledged.
 */

/** Resends a client makes before the test calls it a lost update. Faults fire at most 5 times in a row, 3 attempts per call. */
const MAX_RETRIES = 6;

export class Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Violation';
  }
}

/** Fails the scenario with a Violation naming what broke, and the values that broke it. */
export function check(condition: boolean, message: string, context?: unknown): asserts condition {
  if (!condition) throw new Violation(context === undefined ? message : `${message}: ${JSON.stringify(context)}`);
}

/** Figures of a run, for the soak report. */
export interface RunFigures {
  scenarios: number;
  requests: number;
  /** Update requests answered 200 that stored a new event. */
  events: number;
  duplicates: number;
  rejected: number;
  retries: number;
  statusChanges: number;
}

export function emptyFigures(): RunFigures {
  return { scenarios: 0, requests: 0, events: 0, duplicates: 0, rejected: 0, retries: 0, statusChanges: 0 };
}

interface SentUpdate {
  readonly trackingId: string;
  readonly body: Record<string, unknown>;
  /** The event_id it was acknowledged under (the client's or the server's). */
  acknowledgedId?: string;
}

export class ScenarioDriver {
  private readonly model = new ReferenceModel();
  /** What each operation sent, by operation index, for resends and conflicts. */
  private readonly sent: SentUpdate[][] = [];
  private readonly trackingIds: string[];
  /** Every status a request of this scenario carried (stored form): the listings that could show its shipments. */
  private readonly statusesSent = new Set<string>();
  private sequence = 0;

  constructor(private readonly harness: ModelHarness, private readonly scenario: Scenario, private readonly figures: RunFigures, prefix: string) {
    this.trackingIds = Array.from({ length: scenario.shipments }, (_, i) => `${prefix}-S${i}`);
  }

  /** Plays every operation, then checks the whole service against the model. */
  public async run(): Promise<void> {
    for (const [index, operation] of this.scenario.operations.entries()) {
      this.sent[index] = await this.play(index, operation);
    }
    this.harness.faults.clear();
    await this.checkService();
    this.figures.scenarios++;
  }

  /** Sends all `updates` concurrently (several writers on one shipment), each retried on its own. */
  public async concurrently(updates: readonly ClientUpdate[], fault?: Fault): Promise<void> {
    if (fault) this.harness.faults.inject(fault);
    await Promise.all(updates.map((update) => this.deliver([this.toSent(update, this.nextId())], 'track', true)));
    this.harness.faults.clear();
    await this.checkService();
    this.figures.scenarios++;
  }

  private nextId(): string {
    return `e${++this.sequence}`;
  }

  private toSent(update: ClientUpdate, eventId: string): SentUpdate {
    const trackingId = this.trackingIds[update.shipment];
    const body: Record<string, unknown> = { tracking_id: trackingId, status: update.status, location: update.location };
    this.statusesSent.add(normalizeStatus(update.status));
    if (update.eventTime !== undefined) body.event_time = update.eventTime;
    if (update.withEventId) body.event_id = eventId;
    if (update.metadata !== undefined) body.metadata = update.metadata;
    return { trackingId, body };
  }

  private async play(index: number, operation: Operation): Promise<SentUpdate[]> {
    switch (operation.kind) {
      case 'track':
      case 'batch': {
        const updates = operation.kind === 'track' ? [operation.update] : operation.updates;
        const sent = updates.map((update) => this.toSent(update, this.nextId()));
        if (operation.fault) this.harness.faults.inject(operation.fault);
        await this.deliver(sent, operation.kind, false);
        this.harness.faults.clear();
        return sent;
      }
      case 'resend': {
        const earlier = this.earlierAcknowledged(index, operation.of);
        if (!earlier) return [];
        // With the acknowledged ids every one is stored already and must come back a
        // duplicate; as first sent, an update without event_id is a new event.
        const resent = earlier.map((update) => ({
          trackingId: update.trackingId,
          body: operation.withoutIds ? { ...update.body } : { ...update.body, event_id: update.acknowledgedId },
        }));
        if (operation.fault) this.harness.faults.inject(operation.fault);
        await this.deliver(resent, resent.length === 1 ? 'track' : 'batch', false);
        this.harness.faults.clear();
        return operation.withoutIds ? resent : [];
      }
      case 'conflict': {
        const earlier = this.earlierAcknowledged(index, operation.of);
        if (!earlier) return [];
        const original = earlier[0];
        const stored = this.model.event(original.trackingId, original.acknowledgedId!)!;
        this.statusesSent.add(normalizeStatus(operation.status));
        const response = await this.request(() => this.harness.postTrack({
          ...original.body, event_id: original.acknowledgedId, status: operation.status, event_time: '2026-11-24T00:00:00Z', location: { lat: 1, lng: 1 },
        }));
        check(response.status === 200, 'an event_id reused with another payload is answered 200', response.body);
        check(response.body.duplicate === true, 'an event_id reused with another payload is a duplicate', response.body);
        check(response.body.status === stored.status && response.body.timestamp === stored.event_time, 'a duplicate answers the stored event, not the resent payload', { stored, answer: response.body });
        this.figures.duplicates++;
        return [];
      }
      case 'hostile': {
        const trackingId = this.trackingIds[operation.shipment];
        const eventId = this.nextId();
        const text = `{"tracking_id":"${trackingId}","event_id":"${eventId}","status":"in_transit","location":{"lat":1,"lng":2},"event_time":"2026-11-20T07:00:00Z","metadata":${operation.metadataJson}}`;
        const metadata = JSON.parse(operation.metadataJson);
        this.statusesSent.add('in_transit');
        const response = await this.request(() => this.harness.postTrack(text));
        if (mustBeRefused(metadata, 2)) {
          check(response.status === 400, 'metadata the contract cannot store is refused with a 400', { metadata: operation.metadataJson, response: response.body });
          check(Array.isArray(response.body.details) && response.body.details.length > 0, 'a 400 names the offending fields', response.body);
          this.figures.rejected++;
          return [];
        }
        check(response.status === 200, 'metadata the contract can store is accepted', { metadata: operation.metadataJson, response: response.body });
        this.acknowledge({ tracking_id: trackingId, event_id: eventId, status: 'in_transit', location: { lat: 1, lng: 2 }, event_time: '2026-11-20T07:00:00.000Z', metadata }, response.body.duplicate, false);
        return [];
      }
    }
  }

  /** The updates of an earlier operation that were all acknowledged, if any (`of` picks the operation). */
  private earlierAcknowledged(index: number, of: number): SentUpdate[] | undefined {
    const acknowledged = (updates: SentUpdate[]) => updates.length > 0 && updates.every((update) => update.acknowledgedId !== undefined);
    const candidates = this.sent.slice(0, index).filter(acknowledged);
    return candidates.length === 0 ? undefined : candidates[of % candidates.length];
  }

  /**
   * One request, counted; never a 5xx other than the contract's 503, and that only
   * when a fault fired during the request — or, with `contention`, when concurrent
   * writers may have kept a shipment's state moving (a 503 the retry completes).
   */
  private async request(send: () => Promise<HandlerResponse>, contention = false): Promise<HandlerResponse> {
    const firedBefore = this.harness.faults.fired;
    const response = await send();
    this.figures.requests++;
    const fired = this.harness.faults.fired > firedBefore;
    if (response.status === 503) {
      check(fired || contention, 'a 503 only when a fault fired (or writers contended)', response.body);
      check(response.headers['Retry-After'] === '1', 'a 503 carries Retry-After', response.headers);
    } else {
      check(response.status < 500, 'no 5xx but the contract\'s 503', { status: response.status, body: response.text });
    }
    return response;
  }

  /**
   * Sends updates as one POST /track (one update) or POST /track/batch, then
   * resends whatever was answered "retry", with the event_ids the answer gave,
   * until every update is acknowledged.
   */
  private async deliver(updates: SentUpdate[], route: 'track' | 'batch', contention: boolean): Promise<void> {
    let pending = updates.map((update) => ({ update, body: update.body, storedBefore: this.storedBefore(update.body) }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      check(attempt <= MAX_RETRIES, 'updates still unacknowledged after the retries', pending.map((p) => p.body));
      if (attempt > 0) this.figures.retries++;
      const retry: typeof pending = [];
      if (route === 'track' && pending.length === 1) {
        const [entry] = pending;
        const response = await this.request(() => this.harness.postTrack(entry.body), contention);
        if (response.status === 503) {
          check(response.body.tracking_id === entry.body.tracking_id && typeof response.body.event_id === 'string', 'a 503 of POST /track carries the ids to resend', response.body);
          check(entry.body.event_id === undefined || entry.body.event_id === response.body.event_id, 'a 503 carries the event_id that was sent', response.body);
          retry.push({ ...entry, body: { ...entry.body, event_id: response.body.event_id } });
        } else {
          check(response.status === 200, 'a valid update is acknowledged', { body: entry.body, response: response.body });
          this.acknowledgeResponse(entry, response.body.event_id, response.body.duplicate, response.body);
        }
      } else {
        const response = await this.request(() => this.harness.postBatch({ updates: pending.map((entry) => entry.body) }), contention);
        check(response.status === 200 || response.status === 503, 'a batch of valid updates is answered 200 or 503', response.body);
        const results: any[] = response.body.results;
        check(Array.isArray(results) && results.length === pending.length, 'a batch answer (503 included) has one result per update, in request order', response.body);
        results.forEach((result, index) => {
          const entry = pending[index];
          check(result.index === index && result.tracking_id === entry.body.tracking_id, 'batch results are in request order', result);
          check(entry.body.event_id === undefined || result.event_id === entry.body.event_id, 'a batch result names the event_id sent', result);
          if (result.result === 'rejected') {
            check(result.error === 'temporarily unavailable, retry', 'a valid batch update is only ever rejected as "retry"', result);
            retry.push({ ...entry, body: { ...entry.body, event_id: result.event_id } });
          } else {
            check(result.result === 'accepted' || result.result === 'duplicate', 'a batch result is accepted, duplicate or rejected', result);
            this.acknowledgeResponse(entry, result.event_id, result.result === 'duplicate');
          }
        });
      }
      pending = retry;
    }
  }

  /** Whether the update's (tracking_id, event_id) was stored before it was first sent (then it must come back a duplicate). */
  private storedBefore(body: Record<string, unknown>): boolean {
    return typeof body.event_id === 'string' && this.model.has(String(body.tracking_id), body.event_id);
  }

  private acknowledgeResponse(
    entry: { update: SentUpdate; body: Record<string, unknown>; storedBefore: boolean },
    eventId: string,
    duplicate: boolean,
    single?: { timestamp: string; status: string },
  ): void {
    const body = entry.body;
    // The event_time: the one sent, normalized; or, without one, the time the single update's answer names.
    const eventTime = body.event_time !== undefined ? new Date(String(body.event_time)).toISOString() : single?.timestamp;
    check(eventTime !== undefined, 'an acknowledged update has a known event_time', body);
    entry.update.acknowledgedId = eventId;
    this.acknowledge({
      tracking_id: String(body.tracking_id),
      event_id: eventId,
      status: normalizeStatus(String(body.status)),
      location: body.location as ModelEvent['location'],
      event_time: eventTime,
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
    }, duplicate, entry.storedBefore, single);
  }

  /** Records an acknowledged event in the model and checks the answer's duplicate flag and stored fields. */
  private acknowledge(event: ModelEvent, duplicate: boolean, storedBefore: boolean, single?: { timestamp: string; status: string }): void {
    const known = this.model.event(event.tracking_id, event.event_id);
    if (storedBefore) check(duplicate, 'an update whose event_id was stored before is answered as a duplicate', event);
    if (known && single) {
      check(single.timestamp === known.event_time && single.status === known.status, 'a duplicate answers the stored event', { known, answer: single });
    }
    if (!duplicate) check(!known, 'an update answered "new" was not stored before', event);
    this.model.store(event);
    if (duplicate) this.figures.duplicates++;
    else this.figures.events++;
  }

  /** The whole service against the model: every shipment's status and history, every status listing, the table, the published events. */
  private async checkService(): Promise<void> {
    for (const trackingId of this.trackingIds) {
      const response = await this.harness.getStatus(trackingId, { limit: '100' });
      const expected = this.model.state(trackingId);
      if (!expected) {
        check(response.status === 404, 'a shipment with no acknowledged update is unknown', { trackingId, response: response.body });
        continue;
      }
      check(response.status === 200, 'GET /status answers a known shipment', response.body);
      const { current, updates, count } = response.body;
      const actual = {
        status: current.status,
        event_id: current.event_id,
        timestamp: current.timestamp,
        location: current.location,
        first_seen_at: current.first_seen_at,
        attempt_count: current.attempt_count,
        ...(current.out_for_delivery_at !== undefined ? { out_for_delivery_at: current.out_for_delivery_at } : {}),
        ...(current.delivered_at !== undefined ? { delivered_at: current.delivered_at } : {}),
        status_since: current.status_since,
      };
      check(sameJson(actual, expected), `GET /status current of ${trackingId} equals the model`, { actual, expected });
      check(current.updated_at === expected.timestamp, 'updated_at is the current event\'s time', current);
      const history = this.model.history(trackingId);
      const actualHistory = (updates as any[]).map((u) => ({
        event_id: u.event_id, status: u.status, timestamp: u.timestamp, location: u.location, metadata: u.metadata,
      }));
      const expectedHistory = history.map((e) => ({
        event_id: e.event_id, status: e.status, timestamp: e.event_time, location: e.location, metadata: e.metadata,
      }));
      check(count === history.length && sameJson(actualHistory, expectedHistory), `GET /status history of ${trackingId} equals the model`, { actualHistory, expectedHistory });
    }

    // Every listing a shipment of this scenario could be in or have left (all of them if it sent no status).
    const listings = this.statusesSent.size > 0 ? [...this.statusesSent] : TRACKING_STATUSES;
    for (const status of listings) {
      const response = await this.harness.getShipments(status, { limit: '100' });
      check(response.status === 200, 'GET /shipments answers', response.body);
      const listed = (response.body.shipments as any[]).map((shipment) => shipment.tracking_id).filter((id: string) => this.trackingIds.includes(id));
      const expected = this.model.shipmentsWithStatus(status);
      check(sameJson(listed, expected), `GET /shipments?status=${status} equals the model`, { listed, expected });
    }

    const items = (await this.harness.scanItems()).filter((item) => this.trackingIds.some((id) => item.pk === `TRACK#${id}`));
    const eventItems = items.filter((item) => String(item.sk).startsWith('EVENT#')).length;
    check(eventItems === this.model.eventCount(), 'the table holds each acknowledged event exactly once, and nothing refused', { eventItems, model: this.model.eventCount() });
    check(items.length - eventItems === this.model.trackingIds().length, 'one state item per known shipment', { items: items.length - eventItems });

    this.checkStatusChanges(await this.harness.publishedStatusChanges());
  }

  /**
   * The status-change events: after dropping repeats by (tracking_id, version) —
   * as the README tells consumers to — each shipment's events form one chain from
   * "no status" to its current status, every link a real change.
   */
  private checkStatusChanges(published: readonly StatusChangedDetail[]): void {
    const byShipment = new Map<string, Map<number, StatusChangedDetail>>();
    for (const detail of published) {
      check(this.trackingIds.includes(detail.tracking_id), 'only this scenario\'s shipments publish', detail);
      const versions = byShipment.get(detail.tracking_id) ?? new Map<number, StatusChangedDetail>();
      byShipment.set(detail.tracking_id, versions);
      const repeat = versions.get(detail.version);
      check(!repeat || sameJson(repeat, detail), 'a repeated version is the same event', { repeat, detail });
      versions.set(detail.version, detail);
    }
    for (const trackingId of this.trackingIds) {
      const chain = [...(byShipment.get(trackingId)?.values() ?? [])].sort((a, b) => a.version - b.version);
      const expected = this.model.state(trackingId);
      if (!expected) {
        check(chain.length === 0, 'an unknown shipment publishes nothing', chain);
        continue;
      }
      check(chain.length > 0, 'a known shipment published its first status', trackingId);
      let previous: string | null = null;
      for (const link of chain) {
        check(link.previous_status === previous, 'each status change follows the previous one', chain);
        check(link.status !== link.previous_status, 'every published change changes the status', link);
        previous = link.status;
      }
      check(previous === expected.status, 'the last published status is the current status', { chain, expected: expected.status });
      this.figures.statusChanges += chain.length;
    }
  }
}
