import { check } from './driver';
import type { HandlerResponse, ModelHarness, PublishedEvents } from './harness';
import { ReferenceModel, sameJson, type ModelEvent, type ModelState } from './model';
import {
  BoundSpec, EventTimeSpec, EXPIRE_AFTER_SECONDS, HOUR_MS, LOCATIONS, NowSpec, OperationsScenario, OperationsStep, pointMs, rfc3339,
  SAME_STATUS, STALL_THRESHOLD_SECONDS,
} from './operations-scenarios';
import type { ShipmentDeletedDetail, ShipmentStalledDetail, StatusChangedDetail } from '../../src/contract/events';
import { isTerminal, normalizeStatus } from '../../src/contract/statuses';

/**
 * Plays an operations scenario (operations-scenarios.ts) against the real
 * handler, stream processor and stall sweep (through the harness), keeps the
 * reference model — events per shipment, plus which status run the sweep has
 * marked — and checks each operation's promises as it goes:
 *
 * - sweep: exactly the model's open shipments past their status's threshold get
 *   marked (`stalled_sk` = `status_sk`), once per status run; those without news
 *   for 30 days get one `expired` event instead, which the model then holds like
 *   any other; the same sweep again marks nothing and moves no version;
 * - erase: a 200 leaves no item of the shipment, GET /status 404; a 503 leaves
 *   what the retry finishes; an unknown shipment is a 404 that changes nothing;
 * - list: every page of GET /shipments with bounds, together, is the model's
 *   listing filtered by status_since.
 *
 * Published events are checked per *incarnation* of a shipment (from its first
 * event to its erasure, or the end): the stream is delivered right after every
 * DELETE, so no delivery mixes two incarnations, and within one incarnation the
 * version identifies an event, as consumers use it. Per incarnation: status
 * changes form one chain from no status to the last; one stall per marking; one
 * deletion (reason `request`) if and only if it was erased.
 */

/** Resends of a DELETE answered 503: each fault fires at most 4 times in a row, 3 attempts per call. */
const MAX_RETRIES = 5;
const EXPIRED_EVENT_ID = /^expired-[0-9a-f]{40}$/;

/** Figures of a run, for the report. */
export interface OperationsFigures {
  scenarios: number;
  events: number;
  sweeps: number;
  stallsMarked: number;
  /** Stalls marked whose status run began before the expiry cutoff, with news since: stalled, not expired. */
  stallsOfRunsOlderThanExpiry: number;
  expired: number;
  erasures: number;
  erasuresResumedAfter503: number;
  unknownErasures: number;
  listings: number;
  pages: number;
  stallsPublished: number;
  deletionsPublished: number;
}

export function emptyOperationsFigures(): OperationsFigures {
  return {
    scenarios: 0,
    events: 0,
    sweeps: 0,
    stallsMarked: 0,
    stallsOfRunsOlderThanExpiry: 0,
    expired: 0,
    erasures: 0,
    erasuresResumedAfter503: 0,
    unknownErasures: 0,
    listings: 0,
    pages: 0,
    stallsPublished: 0,
    deletionsPublished: 0,
  };
}

/** A stall the model expects published: the run the sweep marked and what the shipment looked like then. */
interface ExpectedStall {
  readonly status: string;
  readonly status_since: string;
  readonly updated_at: string;
  readonly threshold_seconds: number;
  readonly stalled_at: string;
  readonly location: { readonly lat: number; readonly lng: number };
}

/** A shipment from its first event to its erasure (or the end of the scenario), and what it published. */
interface Incarnation {
  readonly trackingId: string;
  readonly number: number;
  /** The status run the sweep marked, while that run lasts. */
  mark?: { readonly status: string; readonly since: string };
  readonly expectedStalls: ExpectedStall[];
  readonly statusChanges: StatusChangedDetail[];
  readonly stalls: ShipmentStalledDetail[];
  readonly deletions: ShipmentDeletedDetail[];
  /** Set when a DELETE erased it: its status and state version then. */
  erased?: { readonly status: string; readonly version: number };
}

type Item = Record<string, unknown>;

/** The table as one consistent scan shows it. */
class TableView {
  constructor(readonly items: readonly Item[]) {}

  public ofShipment(trackingId: string): Item[] {
    return this.items.filter((item) => item.pk === `TRACK#${trackingId}`);
  }

  public state(trackingId: string): Item | undefined {
    return this.ofShipment(trackingId).find((item) => item.sk === 'STATE');
  }

  public events(trackingId: string): Item[] {
    return this.ofShipment(trackingId).filter((item) => String(item.sk).startsWith('EVENT#'));
  }

  /** Whether the shipment's state carries the sweep's mark of its current status run. */
  public marked(trackingId: string): boolean {
    const state = this.state(trackingId);
    return state !== undefined && typeof state.stalled_sk === 'string' && state.stalled_sk === state.status_sk;
  }

  /** Every state item's version, by partition key. */
  public versions(): Record<string, unknown> {
    return Object.fromEntries(this.items.filter((item) => item.sk === 'STATE').map((item) => [String(item.pk), item.version]));
  }

  /** The items in a canonical order and form, for comparing two scans. */
  public canonical(): string {
    const keyOf = (item: Item) => `${String(item.pk)}\u0000${String(item.sk)}`;
    const sorted = [...this.items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    return JSON.stringify(sorted, (_key, value) => (value instanceof Set ? [...value].sort() : value));
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export class OperationsDriver {
  private readonly model = new ReferenceModel();
  private readonly trackingIds: string[];
  private readonly incarnations = new Map<string, Incarnation>();
  private readonly closed: Incarnation[] = [];
  /** Every status a shipment of this scenario had (stored form): the listings that could show one. */
  private readonly statusesSeen = new Set<string>();
  /** The event times sent so far, in order (ties are made from them). */
  private readonly eventTimes: number[] = [];
  private sequence = 0;

  constructor(
    private readonly harness: ModelHarness,
    private readonly scenario: OperationsScenario,
    private readonly figures: OperationsFigures,
    prefix: string,
  ) {
    // One more than the scenario's shipments: a tracking id never tracked.
    this.trackingIds = Array.from({ length: scenario.shipments + 1 }, (_, i) => `${prefix}-S${i}`);
    for (const trackingId of this.trackingIds) this.incarnations.set(trackingId, this.newIncarnation(trackingId, 1));
  }

  public async run(): Promise<void> {
    for (const step of this.scenario.steps) await this.play(step);
    this.harness.faults.clear();
    await this.checkService();
    this.attribute(await this.harness.publishedEvents());
    await this.checkNothingLeftOfUnknown(await this.scan());
    for (const incarnation of [...this.closed, ...this.incarnations.values()]) this.checkPublished(incarnation);
    this.figures.scenarios++;
  }

  private newIncarnation(trackingId: string, number: number): Incarnation {
    return { trackingId, number, expectedStalls: [], statusChanges: [], stalls: [], deletions: [] };
  }

  private async play(step: OperationsStep): Promise<void> {
    switch (step.kind) {
      case 'track': return this.track(step);
      case 'sweep': return this.sweep(step.now);
      case 'erase': return this.erase(step);
      case 'list': return this.list(step);
    }
  }

  // ---------------------------------------------------------------- tracking

  private async track(step: Extract<OperationsStep, { kind: 'track' }>): Promise<void> {
    const trackingId = this.trackingIds[step.shipment];
    const eventTime = iso(this.eventTimeOf(step.at));
    const location = LOCATIONS[step.location];
    const status = step.status === SAME_STATUS ? this.model.state(trackingId)?.status ?? 'in_transit' : step.status;
    const body: Record<string, unknown> = { tracking_id: trackingId, status, location, event_time: eventTime };
    if (step.withEventId) body.event_id = `e${++this.sequence}`;
    const response = await this.harness.postTrack(body);
    check(response.status === 200, 'a valid update is acknowledged', { body, response: response.text });
    check(response.body.duplicate === false, 'a new event_id is stored as new', response.body);
    this.store({ tracking_id: trackingId, event_id: response.body.event_id, status: normalizeStatus(status), location, event_time: eventTime });
  }

  private eventTimeOf(spec: EventTimeSpec): number {
    let ms: number;
    if (spec.kind === 'at') ms = pointMs(spec.point);
    else ms = this.eventTimes.length > 0 ? this.eventTimes[spec.anchor % this.eventTimes.length] : pointMs({ day: 0, hour: 0 });
    this.eventTimes.push(ms);
    return ms;
  }

  /** Stores an event in the model; a marked status run that ends with it is no longer marked. */
  private store(event: ModelEvent): void {
    this.model.store(event);
    this.statusesSeen.add(event.status);
    this.figures.events++;
    const incarnation = this.incarnations.get(event.tracking_id)!;
    const state = this.model.state(event.tracking_id)!;
    if (incarnation.mark && (incarnation.mark.status !== state.status || incarnation.mark.since !== state.status_since)) incarnation.mark = undefined;
  }

  // ------------------------------------------------------------------- sweep

  private nowOf(spec: NowSpec): number {
    if (spec.kind === 'at') return pointMs(spec.point);
    const known = this.model.trackingIds();
    if (known.length === 0) return pointMs({ day: 0, hour: 0 }) + spec.waitSeconds * 1000 + spec.deltaHours * HOUR_MS;
    const state = this.model.state(known[spec.anchor % known.length])!;
    const since = Date.parse(state.status_since);
    const delta = spec.deltaHours * HOUR_MS;
    if (spec.on === 'expiry') return Date.parse(state.timestamp) + EXPIRE_AFTER_SECONDS * 1000 + delta;
    if (spec.on === 'run-expiry') return since + EXPIRE_AFTER_SECONDS * 1000 + delta;
    if (spec.on === 'stall' && !isTerminal(state.status)) return since + STALL_THRESHOLD_SECONDS[state.status] * 1000 + delta;
    return since + spec.waitSeconds * 1000 + delta;
  }

  private async sweep(spec: NowSpec): Promise<void> {
    const now = this.nowOf(spec);
    const before = await this.scan();
    this.checkMarks(before, 'before a sweep');

    // What the sweep must do, from the model alone.
    const expire: string[] = [];
    const mark: string[] = [];
    for (const trackingId of this.model.trackingIds()) {
      const state = this.model.state(trackingId)!;
      if (isTerminal(state.status)) continue;
      const marked = this.incarnations.get(trackingId)!.mark !== undefined;
      if (Date.parse(state.timestamp) < now - EXPIRE_AFTER_SECONDS * 1000) expire.push(trackingId);
      else if (Date.parse(state.status_since) < now - STALL_THRESHOLD_SECONDS[state.status] * 1000 && !marked) mark.push(trackingId);
    }

    const report = await this.harness.runSweep(now);
    this.figures.sweeps++;
    check(report.complete, 'a sweep with time left completes', report);
    const after = await this.scan();
    check(report.expired === expire.length && report.stalled === mark.length, `the sweep at ${iso(now)} expires and marks what the model says`, {
      report, expire, mark, states: this.model.trackingIds().map((id) => ({ id, ...this.model.state(id), mark: this.incarnations.get(id)!.mark })),
    });

    for (const trackingId of expire) {
      const state = this.model.state(trackingId)!;
      const known = new Set(this.model.history(trackingId).map((event) => event.event_id));
      const added = after.events(trackingId).filter((item) => !known.has(String(item.event_id)));
      check(added.length === 1, 'an expiry adds exactly one event', { trackingId, added });
      const [item] = added;
      check(EXPIRED_EVENT_ID.test(String(item.event_id)), 'the expired event\'s id is expired-<40 hex>', item.event_id);
      check(item.status === 'expired' && item.event_time === iso(now), 'the expired event has status expired at the sweep\'s now', item);
      check(sameJson(item.location, state.location), 'the expired event is at the last known location', { item: item.location, state: state.location });
      check((item.metadata as any)?.source === 'stall-sweep', 'the expired event says the sweep wrote it', item.metadata);
      this.store({
        tracking_id: trackingId, event_id: String(item.event_id), status: 'expired', location: state.location, event_time: iso(now), metadata: item.metadata,
      });
      this.figures.expired++;
    }
    for (const trackingId of mark) {
      const state = this.model.state(trackingId)!;
      const incarnation = this.incarnations.get(trackingId)!;
      incarnation.mark = { status: state.status, since: state.status_since };
      incarnation.expectedStalls.push({
        status: state.status,
        status_since: state.status_since,
        updated_at: state.timestamp,
        threshold_seconds: STALL_THRESHOLD_SECONDS[state.status],
        stalled_at: iso(now),
        location: state.location,
      });
      this.figures.stallsMarked++;
      if (Date.parse(state.status_since) < now - EXPIRE_AFTER_SECONDS * 1000) this.figures.stallsOfRunsOlderThanExpiry++;
    }
    for (const trackingId of this.trackingIds) {
      check(after.events(trackingId).length === this.model.history(trackingId).length, 'a sweep adds no event but the expiries', { trackingId });
    }
    this.checkMarks(after, `after the sweep at ${iso(now)}`);

    const again = await this.harness.runSweep(now);
    check(again.stalled === 0 && again.expired === 0 && again.complete, 'the same sweep again marks and expires nothing', again);
    const afterAgain = await this.scan();
    check(sameJson(afterAgain.versions(), after.versions()), 'the same sweep again moves no state version', { before: after.versions(), after: afterAgain.versions() });

    this.attribute(await this.harness.publishedEvents());
  }

  /** The table's marks are the model's: a state is marked iff its current status run is the one the sweep marked. */
  private checkMarks(view: TableView, when: string): void {
    for (const trackingId of this.trackingIds) {
      const mark = this.incarnations.get(trackingId)!.mark;
      const state = this.model.state(trackingId);
      const expected = mark !== undefined && state !== undefined && mark.status === state.status && mark.since === state.status_since;
      check(view.marked(trackingId) === expected, `${trackingId} is marked stalled ${when} iff the model marked its current status run`, {
        table: view.state(trackingId), model: state, mark,
      });
    }
  }

  // ----------------------------------------------------------------- erasure

  private async erase(step: Extract<OperationsStep, { kind: 'erase' }>): Promise<void> {
    const known = this.model.trackingIds();
    // The last tracking id is never tracked: there is always an unknown one.
    const unknown = this.trackingIds.filter((trackingId) => !known.includes(trackingId));
    const candidates = step.target === 'known' && known.length > 0 ? known : unknown;
    const trackingId = candidates[step.pick % candidates.length];
    if (step.drainFirst) this.attribute(await this.harness.publishedEvents());
    const before = await this.scan();
    const state = this.model.state(trackingId);
    check((before.state(trackingId) !== undefined) === (state !== undefined), 'a shipment has a state item iff the model knows it', { trackingId });

    const firedAtStart = this.harness.faults.fired;
    if (step.fault) this.harness.faults.inject(step.fault);
    let response: HandlerResponse;
    let unavailable = 0;
    for (let attempt = 0; ; attempt++) {
      const firedBefore = this.harness.faults.fired;
      response = await this.harness.deleteShipment(trackingId);
      if (response.status !== 503) break;
      check(this.harness.faults.fired > firedBefore, 'a DELETE is answered 503 only when a fault fired', response.body);
      check(response.headers['Retry-After'] === '1', 'a 503 carries Retry-After', response.headers);
      check(attempt < MAX_RETRIES, 'a DELETE still answered 503 after the retries', response.body);
      unavailable++;
    }
    this.harness.faults.clear();

    const after = await this.scan();
    if (state === undefined) {
      check(response.status === 404, 'a DELETE of an unknown shipment answers 404', { status: response.status, body: response.text });
      check(after.canonical() === before.canonical(), 'a DELETE of an unknown shipment changes nothing in the table');
      this.figures.unknownErasures++;
      return;
    }
    if (unavailable === 0) {
      const items = before.ofShipment(trackingId).length;
      check(response.status === 200, 'a DELETE of a known shipment answers 200', { status: response.status, body: response.text });
      check(response.body.tracking_id === trackingId, 'a DELETE answers the tracking id', response.body);
      // Exact without faults. A fault the SDK absorbed may cost the state item in the count (not in the table):
      // a state delete applied, its answer lost, and the SDK's retry failing its condition reads as "deleted
      // by someone else" (erasure.ts).
      const absorbed = this.harness.faults.fired > firedAtStart;
      check(response.body.deleted_items === items || (absorbed && response.body.deleted_items === items - 1),
        'a DELETE answers how many items it deleted', { response: response.body, items, faultAbsorbed: absorbed });
    } else {
      // The attempt answered 503 may have finished the job after all (its last delete's answer lost).
      check(response.status === 200 || response.status === 404, 'a DELETE retried after a 503 answers 200 or 404', { status: response.status, body: response.text });
      this.figures.erasuresResumedAfter503++;
    }
    check(after.ofShipment(trackingId).length === 0, 'after an erasure no item of the shipment is left', after.ofShipment(trackingId));
    const status = await this.harness.getStatus(trackingId);
    check(status.status === 404, 'GET /status of an erased shipment answers 404', { status: status.status, body: status.text });

    // The stream catches up now: the deletion, and anything still pending of this incarnation.
    const incarnation = this.incarnations.get(trackingId)!;
    incarnation.erased = { status: state.status, version: Number(before.state(trackingId)!.version) };
    this.attribute(await this.harness.publishedEvents());
    const afterStream = await this.scan();
    check(afterStream.ofShipment(trackingId).length === 0, 'once the stream has caught up, still no item of an erased shipment is left', afterStream.ofShipment(trackingId));

    this.model.erase(trackingId);
    this.closed.push(incarnation);
    this.incarnations.set(trackingId, this.newIncarnation(trackingId, incarnation.number + 1));
    this.figures.erasures++;
    await this.checkListings();
  }

  // ----------------------------------------------------------------- listing

  private boundOf(spec: BoundSpec | undefined): { ms: number; text: string } | undefined {
    if (!spec) return undefined;
    let ms: number;
    if (spec.at.kind === 'at') {
      ms = pointMs(spec.at.point);
    } else {
      const sinces = this.model.trackingIds().map((trackingId) => Date.parse(this.model.state(trackingId)!.status_since));
      ms = (sinces.length > 0 ? sinces[spec.at.anchor % sinces.length] : pointMs({ day: 20, hour: 0 })) + spec.at.deltaMs;
    }
    return { ms, text: rfc3339(ms, spec.offsetMinutes, spec.fraction) };
  }

  private async list(step: Extract<OperationsStep, { kind: 'list' }>): Promise<void> {
    const before = this.boundOf(step.before);
    const after = this.boundOf(step.after);
    const query: Record<string, string> = { limit: String(step.limit) };
    if (before) query.updated_before = before.text;
    if (after) query.updated_after = after.text;
    this.figures.listings++;

    if (before && after && after.ms >= before.ms) {
      const response = await this.harness.getShipments(step.status, query);
      check(response.status === 400, 'an empty range (updated_after not before updated_before) is refused', { query, response: response.text });
      check((response.body.details as any[]).some((detail) => detail.path === '/updated_after'), 'the 400 names updated_after', response.body);
      return;
    }

    const expected = this.model.shipmentsWithStatus(step.status).filter((trackingId) => {
      const since = Date.parse(this.model.state(trackingId)!.status_since);
      return (!before || since < before.ms) && (!after || since > after.ms);
    });
    const listed: any[] = [];
    let cursor: string | undefined;
    for (let page = 0; ; page++) {
      check(page <= expected.length + 1, 'the pages of a listing end', { query, listed: listed.map((entry) => entry.tracking_id) });
      const response = await this.harness.getShipments(step.status, cursor === undefined ? query : { ...query, cursor });
      this.figures.pages++;
      check(response.status === 200, 'GET /shipments with valid bounds answers 200', { query, response: response.text });
      check(response.body.status === normalizeStatus(step.status), 'a listing names the stored status', response.body);
      check(response.body.shipments.length <= step.limit, 'a page holds at most limit shipments', { limit: step.limit, page: response.body.shipments });
      listed.push(...response.body.shipments);
      if (response.body.next_cursor === null) break;
      cursor = response.body.next_cursor;
    }
    const ids = listed.map((entry) => entry.tracking_id).filter((id: string) => this.trackingIds.includes(id));
    check(sameJson(ids, expected), `GET /shipments?status=${step.status} with bounds, page by page, equals the model's filter`, { query, listed: ids, expected });
    for (const entry of listed) {
      const state = this.model.state(entry.tracking_id)!;
      check(entry.status === state.status && entry.status_since === state.status_since, 'a listed shipment shows its current status and status_since', { entry, state });
    }
  }

  // ------------------------------------------------------------------ checks

  private async scan(): Promise<TableView> {
    const items = await this.harness.scanItems();
    return new TableView(items.filter((item) => this.trackingIds.some((trackingId) => item.pk === `TRACK#${trackingId}`)));
  }

  /** GET /status of every shipment equals the model (current and whole history). */
  private async checkStatuses(): Promise<void> {
    for (const trackingId of this.trackingIds) {
      const response = await this.harness.getStatus(trackingId, { limit: '100' });
      const expected = this.model.state(trackingId);
      if (!expected) {
        check(response.status === 404, 'a shipment the model does not know is unknown', { trackingId, response: response.text });
        continue;
      }
      check(response.status === 200, 'GET /status answers a known shipment', response.text);
      const { current, updates } = response.body;
      check(sameJson(currentView(current), expected), `GET /status current of ${trackingId} equals the model`, { actual: current, expected });
      const actualHistory = (updates as any[]).map((u) => ({
        event_id: u.event_id, status: u.status, timestamp: u.timestamp, location: u.location, metadata: u.metadata,
      }));
      const expectedHistory = this.model.history(trackingId).map((e) => ({
        event_id: e.event_id, status: e.status, timestamp: e.event_time, location: e.location, metadata: e.metadata,
      }));
      check(sameJson(actualHistory, expectedHistory), `GET /status history of ${trackingId} equals the model`, { actualHistory, expectedHistory });
    }
  }

  /**
   * Every status listing a shipment of the scenario could be in or have left
   * (the statuses its shipments had) against the model's.
   */
  private async checkListings(): Promise<void> {
    for (const status of this.statusesSeen) {
      const response = await this.harness.getShipments(status, { limit: '100' });
      check(response.status === 200, 'GET /shipments answers', response.text);
      const listed = (response.body.shipments as any[]).map((shipment) => shipment.tracking_id).filter((id: string) => this.trackingIds.includes(id));
      check(sameJson(listed, this.model.shipmentsWithStatus(status)), `GET /shipments?status=${status} equals the model`, { listed, expected: this.model.shipmentsWithStatus(status) });
    }
  }

  /** Every shipment's status and history, the listings, and the table's items, against the model. */
  private async checkService(): Promise<void> {
    await this.checkStatuses();
    await this.checkListings();
    const view = await this.scan();
    for (const trackingId of this.trackingIds) {
      check(view.events(trackingId).length === this.model.history(trackingId).length, 'the table holds each event of the model once', { trackingId });
      check((view.state(trackingId) !== undefined) === (this.model.state(trackingId) !== undefined), 'one state item per known shipment', { trackingId });
    }
    this.checkMarks(view, 'at a check');
    await this.checkNothingLeftOfUnknown(view);
  }

  /** No item at all (a delivery record included) of a shipment the model does not know. */
  private async checkNothingLeftOfUnknown(view: TableView): Promise<void> {
    for (const trackingId of this.trackingIds) {
      if (this.model.state(trackingId)) continue;
      check(view.ofShipment(trackingId).length === 0, `no item is left of ${trackingId}, unknown or erased`, view.ofShipment(trackingId));
    }
  }

  /** Hands what one stream delivery published to the shipments' current incarnations. */
  private attribute(published: PublishedEvents): void {
    const run = this.harness.lastStreamRun!;
    check(run.deadLetters.length === 0 && run.recordsDiscarded === 0, 'the stream processor publishes every record (no dead letter, nothing discarded)', {
      deadLetters: run.deadLetters, discarded: run.recordsDiscarded,
    });
    const incarnationOf = (trackingId: string) => {
      const incarnation = this.incarnations.get(trackingId);
      check(incarnation !== undefined, 'only this scenario\'s shipments publish', trackingId);
      return incarnation;
    };
    for (const detail of published.statusChanges) incarnationOf(detail.tracking_id).statusChanges.push(detail);
    for (const detail of published.stalls) incarnationOf(detail.tracking_id).stalls.push(detail);
    for (const detail of published.deletions) incarnationOf(detail.tracking_id).deletions.push(detail);
    this.figures.stallsPublished += published.stalls.length;
    this.figures.deletionsPublished += published.deletions.length;
  }

  /** One incarnation's events, repeats dropped by version: a status chain, one stall per marking, one deletion iff erased. */
  private checkPublished(incarnation: Incarnation): void {
    const name = `${incarnation.trackingId} (incarnation ${incarnation.number})`;
    const changes = byVersion(incarnation.statusChanges, `status changes of ${name}`);
    const lastStatus = incarnation.erased?.status ?? this.model.state(incarnation.trackingId)?.status;
    if (lastStatus === undefined) {
      check(changes.length === 0 && incarnation.stalls.length === 0 && incarnation.deletions.length === 0, `${name}, never tracked, publishes nothing`, incarnation);
      return;
    }
    let previous: string | null = null;
    for (const link of changes) {
      check(link.previous_status === previous && link.status !== previous, `the status changes of ${name} form one chain`, changes);
      previous = link.status;
    }
    check(previous === lastStatus, `the last status change of ${name} is its last status`, { changes, lastStatus });

    const stalls = byVersion(incarnation.stalls, `stalls of ${name}`).map(({ version: _version, tracking_id: _id, ...stall }) => stall);
    const order = (a: { status_since: string; stalled_at: string }, b: { status_since: string; stalled_at: string }) =>
      `${a.stalled_at}${a.status_since}`.localeCompare(`${b.stalled_at}${b.status_since}`);
    check(sameJson([...stalls].sort(order), [...incarnation.expectedStalls].sort(order)), `${name} publishes one stall per marking`, {
      published: stalls, expected: incarnation.expectedStalls,
    });

    const deletions = byVersion(incarnation.deletions, `deletions of ${name}`);
    if (incarnation.erased) {
      check(deletions.length === 1, `an erased ${name} publishes one deletion`, incarnation.deletions);
      const expected = { tracking_id: incarnation.trackingId, status: incarnation.erased.status, reason: 'request', version: incarnation.erased.version };
      check(sameJson(deletions[0], expected), `the deletion of ${name} names its last status and version`, { published: deletions[0], expected });
    } else {
      check(deletions.length === 0, `${name}, not erased, publishes no deletion`, incarnation.deletions);
    }
  }
}

/** Events with repeats (same version) dropped, in version order; a repeat must be the same event. */
function byVersion<T extends { readonly version: number }>(events: readonly T[], what: string): T[] {
  const versions = new Map<number, T>();
  for (const event of events) {
    const repeat = versions.get(event.version);
    check(!repeat || sameJson(repeat, event), `a repeated version among the ${what} is the same event`, { repeat, event });
    versions.set(event.version, event);
  }
  return [...versions.values()].sort((a, b) => a.version - b.version);
}

/** GET /status `current` in the model's shape. */
function currentView(current: any): ModelState {
  return {
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
}
