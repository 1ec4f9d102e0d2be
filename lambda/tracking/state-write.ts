import { GetCommand, PutCommand, UpdateCommand, type PutCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { callOptions } from './deadline';
import { ATTEMPT_IDS, OPEN_EVENT_KEY, oldItem, RUN_BREAK_KEY, RUN_START_KEY, STATUS_SINCE, toStateFold, type EventRecord } from './items';
import { queryAll } from './query-all';
import { foldEvents, runOf, sameState, statusSince, type StateEvent, type StateFold } from './shipment-state';
import type { TableAccess, TrackingRepositorySettings } from './table-access';
import { isTerminal, TrackingStatus } from '../../src/contract/statuses';
import { compareKeys, KEY_PREFIX, orderKey, shipmentPk, stateKey, statusPk, statusShardOf, statusSk, TABLE_LAYOUT } from '../../src/contract/table';
import { isConditionalCheckFailed, TransientError } from '../shared/aws-errors';

/** What the status run depends on in an event. */
type RunEvent = Pick<StateEvent, 'event_id' | 'status' | 'event_time'>;

/**
 * The state write path: moving a shipment's state item by a set of its events,
 * conditionally, so that concurrent writers never lose each other's events. The
 * rules of what the state is are shipment-state.ts; docs/data-model.md ("The state fold",
 * "Write paths") and docs/decisions/0010-state-as-a-fold-of-events.md say why.
 */

/**
 * How often a state update is re-tried when another writer moved the state between
 * reading it (from a failed condition) and writing it. Each failure means the state
 * moved forward, so this only runs out under a sustained stream of concurrent writers.
 */
const MAX_STATE_UPDATE_ATTEMPTS = 4;

/** How applying events changed the state item: a new current event, only milestones, or nothing. */
export type StateChange = 'advanced' | 'milestones' | 'unchanged';

/**
 * Other writers kept moving a shipment's state while this one tried to apply its
 * events; retrying the request later succeeds (a transient failure, answered like a throttle).
 */
export class StateContentionError extends TransientError {
  constructor(trackingId: string) {
    super(`state of ${trackingId} kept changing while applying events`);
    this.name = 'StateUpdateContention';
  }
}

/**
 * Adds a shipment's events (one or more, same tracking_id; repeats are harmless)
 * to its state item, so that the state is that of every event applied so far,
 * whatever order they came in and however often one is applied (the rules are in
 * shipment-state.ts). A retry repairing a half-done request changes nothing.
 *
 * Two ways to write, both conditional:
 * - **blind** (one UpdateItem, no read): when the events all have one status,
 *   which is the state's, are all newer than the state's current event, none of
 *   them is terminal or a failed attempt, and the state is not terminal — the
 *   common case of scans arriving in order. The update sets the current event to
 *   the newest and keeps the earlier milestones and the status run
 *   (`if_not_exists`), so the status index entry, keyed by the run, is not
 *   rewritten; its condition (no state, or `open_event_key` older than every event,
 *   the same status and a stored run) is exactly that case's precondition.
 * - **read, fold, write**: otherwise, or when the blind condition fails (a status
 *   change, which costs that one failed write). The state comes back with the
 *   failed condition (ALL_OLD) or from a consistent read; foldEvents computes the
 *   new state — and where it cannot know the status run (an older event of
 *   another status inside it, or a state stored before runs were), the run is
 *   read from the shipment's stored events; a PutItem conditional on the version
 *   just read writes it (or nothing, when nothing changed). When another writer
 *   got there first, the loop starts again from what that writer wrote.
 */
export async function applyToState(table: TableAccess, events: readonly EventRecord[]): Promise<StateChange> {
  const trackingId = events[0].tracking_id;
  let current: Record<string, unknown> | undefined;
  let known = false;
  if (events.every((event) => canApplyBlind(event.status) && event.status === events[0].status)) {
    try {
      await table.client.send(new UpdateCommand(blindStateUpdate(table.settings, events)), callOptions());
      return 'advanced';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      current = oldItem(error);
      known = current !== undefined;
    }
  }
  for (let attempt = 0; attempt < MAX_STATE_UPDATE_ATTEMPTS; attempt++) {
    // DynamoDB returns the item with a failed condition; some emulators do not.
    if (!known) current = await getStateItem(table, trackingId);
    const before = current ? toStateFold(current) : undefined;
    let after = foldEvents(before, events);
    // The events being applied count even if a read could miss them (they are stored first).
    if (!after.run) after = { ...after, run: runOf(after, [...await storedEvents(table, trackingId), ...events]) };
    if (before && sameState(before, after)) return 'unchanged';
    try {
      await table.client.send(new PutCommand(stateWrite(table.settings, after, current)), callOptions());
      return before?.last_event_key === after.last_event_key ? 'milestones' : 'advanced';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      current = oldItem(error);
      known = current !== undefined;
    }
  }
  throw new StateContentionError(trackingId);
}

/** A shipment's state item (consistent read), or undefined for an unknown shipment. */
export async function getStateItem(table: TableAccess, trackingId: string): Promise<Record<string, unknown> | undefined> {
  const output = await table.client.send(new GetCommand({
    TableName: table.settings.tableName,
    Key: stateKey(trackingId),
    // Read-your-write after POST /track; state items are small, so this costs little.
    ConsistentRead: true,
  }), callOptions());
  return output.Item;
}

/**
 * Every stored event of a shipment, as far as the state depends on them
 * (consistent: the events of this request were just written). Read only to
 * complete a status run the fold could not (shipment-state.ts).
 */
async function storedEvents(table: TableAccess, trackingId: string): Promise<RunEvent[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :events)',
    ProjectionExpression: 'event_id, #status, event_time',
    ExpressionAttributeNames: { '#pk': TABLE_LAYOUT.partitionKey, '#sk': TABLE_LAYOUT.sortKey, '#status': 'status' },
    ExpressionAttributeValues: { ':pk': shipmentPk(trackingId), ':events': KEY_PREFIX.event },
    ConsistentRead: true,
  });
  return items.map((item) => ({ event_id: String(item.event_id), status: String(item.status), event_time: String(item.event_time) }));
}

/**
 * The blind update for events that all have one status, non-terminal and not a
 * failed attempt: SET the current event to the newest, the earliest
 * out_for_delivery time if none is set; a new state's status run starts at the
 * oldest event, an existing one's is kept. Valid only when every event is newer
 * than the state's current event, the state is not terminal and has the events'
 * status and a stored run — which is its condition: `open_event_key` (the current
 * event's key, present only while the state is not terminal) is older than the
 * oldest event, the status is the same and the run is stored, or there is no
 * state yet.
 */
function blindStateUpdate(settings: TrackingRepositorySettings, events: readonly EventRecord[]): UpdateCommandInput {
  const ordered = [...events].sort((a, b) => compareKeys(orderKey(a.event_time, a.event_id), orderKey(b.event_time, b.event_id)));
  const oldest = ordered[0];
  const newest = ordered[ordered.length - 1];
  const key = orderKey(newest.event_time, newest.event_id);
  const names: Record<string, string> = {
    '#pk': TABLE_LAYOUT.partitionKey,
    '#tracking_id': 'tracking_id',
    '#status': 'status',
    '#location': 'location',
    '#updated_at': 'updated_at',
    '#last_event_id': 'last_event_id',
    '#last_event_key': 'last_event_key',
    '#open_event_key': OPEN_EVENT_KEY,
    '#status_pk': TABLE_LAYOUT.statusPartitionKey,
    '#status_sk': TABLE_LAYOUT.statusSortKey,
    '#first_seen_at': 'first_seen_at',
    '#run_start_key': RUN_START_KEY,
    '#status_since': STATUS_SINCE,
    '#version': 'version',
  };
  const values: Record<string, unknown> = {
    ':tracking_id': newest.tracking_id,
    ':status': newest.status,
    ':location': newest.location,
    ':event_time': newest.event_time,
    ':event_id': newest.event_id,
    ':key': key,
    ':oldest_key': orderKey(oldest.event_time, oldest.event_id),
    ':status_pk': statusPk(newest.status, statusShardOf(newest.tracking_id, settings.statusShards)),
    ':status_sk': statusSk(oldest.event_time, newest.tracking_id),
    ':first_seen_at': oldest.event_time,
    ':one': 1,
  };
  const sets = [
    '#tracking_id = :tracking_id', '#status = :status', '#location = :location', '#updated_at = :event_time',
    '#last_event_id = :event_id', '#last_event_key = :key', '#open_event_key = :key', '#status_pk = :status_pk',
    // Every event is newer than the state's: an existing time is the earlier one,
    // and an existing run (of the same status) goes on.
    '#first_seen_at = if_not_exists(#first_seen_at, :first_seen_at)',
    '#run_start_key = if_not_exists(#run_start_key, :oldest_key)',
    '#status_since = if_not_exists(#status_since, :first_seen_at)',
    '#status_sk = if_not_exists(#status_sk, :status_sk)',
  ];
  if (settings.eventTtlSeconds > 0) {
    names['#expires_at'] = TABLE_LAYOUT.ttlAttribute;
    values[':expires_at'] = stateExpiry(settings);
    sets.push('#expires_at = :expires_at');
  }
  const outForDelivery = ordered.find((event) => event.status === TrackingStatus.OUT_FOR_DELIVERY);
  if (outForDelivery) {
    names['#out_for_delivery_at'] = 'out_for_delivery_at';
    values[':out_for_delivery_at'] = outForDelivery.event_time;
    sets.push('#out_for_delivery_at = if_not_exists(#out_for_delivery_at, :out_for_delivery_at)');
  }
  return {
    TableName: settings.tableName,
    Key: stateKey(newest.tracking_id),
    UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
    ConditionExpression: 'attribute_not_exists(#pk) OR (#open_event_key < :oldest_key AND #status = :status AND attribute_exists(#run_start_key))',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** The whole state item for `state`, conditional on the state item being the one read (`current`), or absent. */
function stateWrite(settings: TrackingRepositorySettings, state: StateFold, current: Record<string, unknown> | undefined): PutCommandInput {
  const run = state.run;
  if (!run) throw new Error(`the status run of ${state.tracking_id} is not known`);
  const item: Record<string, unknown> = {
    ...stateKey(state.tracking_id),
    tracking_id: state.tracking_id,
    status: state.status,
    location: state.location,
    updated_at: state.updated_at,
    last_event_id: state.last_event_id,
    last_event_key: state.last_event_key,
    [TABLE_LAYOUT.statusPartitionKey]: statusPk(state.status, statusShardOf(state.tracking_id, settings.statusShards)),
    [TABLE_LAYOUT.statusSortKey]: statusSk(statusSince(run), state.tracking_id),
    [RUN_START_KEY]: run.start_key,
    ...(run.break_key !== undefined ? { [RUN_BREAK_KEY]: run.break_key } : {}),
    [STATUS_SINCE]: statusSince(run),
    first_seen_at: state.first_seen_at,
    version: current ? Number(current.version) + 1 : 1,
  };
  if (!isTerminal(state.status)) item[OPEN_EVENT_KEY] = state.last_event_key;
  if (settings.eventTtlSeconds > 0) item[TABLE_LAYOUT.ttlAttribute] = stateExpiry(settings);
  // A reported stall belongs to its status run: kept while the run goes on, so the sweep does not report it again.
  // The run is the status *and* its start: status_sk holds only the start, which a new status can share (an
  // event of another status at the very instant the run began), and that status's stall is still to report.
  const { stalledSortKey, stalledAt, stallThresholdSeconds } = TABLE_LAYOUT;
  if (current && current.status === item.status && current[stalledSortKey] === item[TABLE_LAYOUT.statusSortKey]) {
    for (const name of [stalledSortKey, stalledAt, stallThresholdSeconds]) {
      if (current[name] !== undefined) item[name] = current[name];
    }
  }
  if (state.out_for_delivery_at !== undefined) item.out_for_delivery_at = state.out_for_delivery_at;
  if (state.delivered_at !== undefined) item.delivered_at = state.delivered_at;
  // A string set; DynamoDB stores no empty sets.
  if (state.attempt_ids.length > 0) item[ATTEMPT_IDS] = new Set(state.attempt_ids);
  return {
    TableName: settings.tableName,
    Item: item,
    ...(current
      ? { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': current.version } }
      : { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE_LAYOUT.partitionKey } }),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * When a state item written now expires (the TTL attribute, epoch seconds): as long
 * after this write as the events written with it, so a shipment's retention
 * covers its state as well as its events.
 */
function stateExpiry(settings: TrackingRepositorySettings): number {
  return Math.floor(Date.now() / 1000) + settings.eventTtlSeconds;
}

/** The blind update takes events that can neither end a shipment nor count as an attempt (see applyToState). */
function canApplyBlind(status: string): boolean {
  return !isTerminal(status) && status !== TrackingStatus.ATTEMPT_FAILED;
}
