import { createHash } from 'node:crypto';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TrackingStatus, isTerminal } from '../../src/contract/statuses';
import { stateKey, statusSkBefore, TABLE_LAYOUT, trackingIdOfStatusSortKey } from '../../src/contract/table';
import { isConditionalCheckFailed } from '../shared/aws-errors';
import type { EventRecord, Location } from '../tracking/items';
import { readStates, statusShardQuery } from '../tracking/pages';
import type { TrackingRepository } from '../tracking/repository';
import type { TableAccess } from '../tracking/table-access';
import { toIsoMillis } from '../tracking/time';

/**
 * The stall sweep: for every status with a threshold, range queries of the status
 * index's shards (`status_sk < now − threshold`, never a Scan) find the shipments
 * that have kept the status longer than that. Each one not reported yet gets its
 * state item marked (`stalled_sk` = its `status_sk`, conditionally, so a stall is
 * marked once and a shipment that moved in the meantime is left alone); the stream
 * processor publishes `Tracking Shipment Stalled` from the marking. With expiry on,
 * a shipment without news (its newest event) for `expireAfterSeconds` gets an
 * `expired` event instead, through the tracking handler's own write path.
 *
 * A run that is cut short (time, a throttle) loses nothing: whatever it did not
 * reach is still in the same range at the next run.
 */

export interface SweepSettings {
  /** Seconds per status (non-terminal) before a shipment with that status has stalled. */
  readonly thresholds: Readonly<Record<string, number>>;
  /** Seconds without news before a shipment expires; 0: never. */
  readonly expireAfterSeconds: number;
}

export interface SweepReport {
  /** Stalls marked by this run (each is published once). */
  readonly stalled: number;
  /** Shipments this run expired. */
  readonly expired: number;
  /** Whether the run got through every range (false: it stopped for time; the next run goes on). */
  readonly complete: boolean;
}

export interface SweepContext {
  readonly table: TableAccess;
  readonly repository: Pick<TrackingRepository, 'putEvent' | 'applyToState'>;
  readonly settings: SweepSettings;
  /** The sweep's "now", epoch ms. */
  readonly now: number;
  /** Whether there is time left to start on another item. */
  readonly hasTime: () => boolean;
}

/** An index entry of the range: the shipment, since when it has had the status, and whether that stall is reported. */
interface Entry {
  readonly trackingId: string;
  readonly statusSortKey: string;
  readonly statusSince: string;
  readonly reported: boolean;
}

/** Entries per index query page: about 100 bytes each, so a page costs a few read units. */
const PAGE_SIZE = 500;

export async function sweep(context: SweepContext): Promise<SweepReport> {
  const totals = { stalled: 0, expired: 0, complete: true };
  for (const [status, thresholdSeconds] of Object.entries(context.settings.thresholds)) {
    // The construct never sets one; a terminal status cannot stall.
    if (isTerminal(status)) continue;
    const shards = Array.from({ length: context.table.settings.statusShards }, (_, shard) => shard);
    // One shard per concurrent walk: a status's shards are separate partitions.
    const reports = await Promise.all(shards.map((shard) => sweepShard(context, status, shard, thresholdSeconds)));
    for (const report of reports) {
      totals.stalled += report.stalled;
      totals.expired += report.expired;
      totals.complete &&= report.complete;
    }
  }
  return totals;
}

async function sweepShard(context: SweepContext, status: string, shard: number, thresholdSeconds: number): Promise<SweepReport> {
  const { table, settings, now } = context;
  const stallCutoff = toIsoMillis(now - thresholdSeconds * 1000);
  const expireCutoff = settings.expireAfterSeconds > 0 ? toIsoMillis(now - settings.expireAfterSeconds * 1000) : undefined;
  let stalled = 0;
  let expired = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    if (!context.hasTime()) return { stalled, expired, complete: false };
    const query = statusShardQuery(table.settings, status, shard, { below: statusSkBefore(stallCutoff) });
    const output = await table.client.send(new QueryCommand({
      ...query,
      ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#stalled': TABLE_LAYOUT.stalledSortKey },
      ProjectionExpression: '#sk, #stalled',
      ScanIndexForward: true,
      Limit: PAGE_SIZE,
      ExclusiveStartKey: startKey,
    }));
    startKey = output.LastEvaluatedKey;
    const entries = (output.Items ?? []).flatMap(toEntry);

    // Without news for longer than expiry allows? Only the state's newest event says:
    // status_since is when the run began, and the run may have had news since. Read
    // consistently: expiry is terminal, so a stale read that missed a fresh scan would
    // end a live shipment for good (what is left is the milliseconds until the write).
    const expiryCandidates = expireCutoff === undefined ? [] : entries.filter((entry) => entry.statusSince < expireCutoff);
    const states = await readStates(table, expiryCandidates.map((entry) => stateKey(entry.trackingId)[TABLE_LAYOUT.partitionKey]), true);
    for (const entry of entries) {
      if (!context.hasTime()) return { stalled, expired, complete: false };
      const state = states.get(stateKey(entry.trackingId)[TABLE_LAYOUT.partitionKey]);
      if (state && expireCutoff !== undefined && state.status === status && String(state.updated_at) < expireCutoff) {
        await expire(context, state);
        expired++;
      } else if (!entry.reported && await markStalled(context, status, entry, thresholdSeconds)) {
        stalled++;
      }
    }
  } while (startKey);
  return { stalled, expired, complete: true };
}

function toEntry(item: Record<string, unknown>): Entry[] {
  const statusSortKey = String(item[TABLE_LAYOUT.statusSortKey]);
  const trackingId = trackingIdOfStatusSortKey(statusSortKey);
  // Every entry the handler writes is well formed; anything else is not this sweep's to touch.
  if (trackingId === undefined) return [];
  return [{ trackingId, statusSortKey, statusSince: statusSortKey.slice(0, 24), reported: item[TABLE_LAYOUT.stalledSortKey] === statusSortKey }];
}

/**
 * Marks the stall on the state item, unless the shipment moved since the index
 * entry was read (the index lags the table: another status, or another run) or
 * it is marked already. The version
 * goes up, so a tracking update that read the state before this write retries
 * from the marked state rather than overwriting the mark.
 */
async function markStalled(context: SweepContext, status: string, entry: Entry, thresholdSeconds: number): Promise<boolean> {
  const { stalledSortKey, stalledAt, stallThresholdSeconds, statusSortKey } = TABLE_LAYOUT;
  try {
    await context.table.client.send(new UpdateCommand({
      TableName: context.table.settings.tableName,
      Key: stateKey(entry.trackingId),
      UpdateExpression: 'SET #stalled = :sk, #stalled_at = :now, #threshold = :threshold ADD #version :one',
      // The status too: a run of another status can start at the same time (the same status_sk).
      ConditionExpression: '#status = :status AND #status_sk = :sk AND (attribute_not_exists(#stalled) OR #stalled <> :sk)',
      ExpressionAttributeNames: {
        '#stalled': stalledSortKey,
        '#stalled_at': stalledAt,
        '#threshold': stallThresholdSeconds,
        '#status': 'status',
        '#status_sk': statusSortKey,
        '#version': 'version',
      },
      ExpressionAttributeValues: {
        ':status': status,
        ':sk': entry.statusSortKey,
        ':now': toIsoMillis(context.now),
        ':threshold': thresholdSeconds,
        ':one': 1,
      },
    }));
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Writes the shipment's `expired` event through the same path as any tracking
 * update: stored once, then folded into the state. Its event_id is derived from
 * the shipment's newest event, so a sweep that runs again after a half-done expiry
 * finds the same event stored and only completes the state; a shipment that has
 * news after all and goes quiet again expires under a new id.
 */
async function expire(context: SweepContext, state: Record<string, unknown>): Promise<void> {
  const now = toIsoMillis(context.now);
  const event: EventRecord = {
    tracking_id: String(state.tracking_id),
    event_id: expiredEventId(String(state.last_event_key)),
    status: TrackingStatus.EXPIRED,
    location: state.location as Location,
    event_time: now,
    received_at: now,
    metadata: { source: 'stall-sweep', no_news_since: String(state.updated_at) },
  };
  const { event: stored } = await context.repository.putEvent(event);
  await context.repository.applyToState([stored]);
}

/** `expired-` and 40 hex digits of SHA-256 of the newest event's key: within the event_id limit, whatever that key. */
export function expiredEventId(lastEventKey: string): string {
  return `expired-${createHash('sha256').update(lastEventKey).digest('hex').slice(0, 40)}`;
}
