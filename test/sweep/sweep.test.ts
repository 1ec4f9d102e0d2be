import './env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { expiredEventId, sweep, type SweepContext, type SweepSettings } from '../../lambda/sweep/sweep';
import type { EventRecord } from '../../lambda/tracking/items';
import type { TableAccess } from '../../lambda/tracking/table-access';
import { conditionFailed } from '../handler/fixtures';
import { idOnShard, SHARDS, shardOf, stateItem, stateTable, statusIndex } from '../handler/status-index';

/**
 * The stall sweep (lambda/sweep/sweep.ts) against the status index and the state
 * items, answered by aws-sdk-client-mock: range queries per status and shard,
 * the conditional stall mark, expiry through the repository, time and paging.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const settingsOf = (statusShards: number): TableAccess['settings'] =>
  ({ tableName: 'tracking-test', historyIndexName: 'history', statusIndexName: 'by-status', statusShards, eventTtlSeconds: 0 });

const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-12-31T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const daysAgo = (days: number) => iso(NOW - days * DAY_MS);
const IN_TRANSIT_5_DAYS: SweepSettings = { thresholds: { in_transit: 5 * 86_400 }, expireAfterSeconds: 0 };

let repository: { putEvent: jest.Mock; applyToState: jest.Mock };

function context(settings: SweepSettings, options: { shards?: number; hasTime?: () => boolean } = {}): SweepContext {
  return {
    table: { client, settings: settingsOf(options.shards ?? SHARDS) },
    repository: repository as unknown as SweepContext['repository'],
    settings,
    now: NOW,
    hasTime: options.hasTime ?? (() => true),
  };
}

/** The index and the table both hold `items`; every stall mark is accepted. */
function serve(items: Array<Record<string, unknown>>): void {
  ddb.on(QueryCommand).callsFake(statusIndex(items));
  ddb.on(BatchGetCommand).callsFake(stateTable(items));
  ddb.on(UpdateCommand).resolves({});
}

/** in_transit since `since` (and no news since then either, unless `extra` says). */
const inTransit = (trackingId: string, since: string, extra: Record<string, unknown> = {}) => stateItem(trackingId, 'in_transit', since, extra);

/** The same entries in a table of one shard per status (so the order of the work is known). */
const oneShard = (items: Array<Record<string, unknown>>): Array<Record<string, unknown>> =>
  items.map((item) => ({ ...item, status_pk: `STATUS#${item.status}#0` }));

const queryInputs = () => ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
const marks = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const markedIds = () => marks().map((input) => String(input.Key!.pk).replace('TRACK#', '')).sort();

beforeEach(() => {
  ddb.reset();
  repository = {
    putEvent: jest.fn(async (event: EventRecord) => ({ event, duplicate: false })),
    applyToState: jest.fn(async () => 'advanced'),
  };
  serve([]);
});

describe('the sweep finds stalls with range queries of the status index, never a scan', () => {
  test('queries each shard of each status with a threshold, below now minus the threshold, oldest first', async () => {
    await sweep(context({ thresholds: { in_transit: 5 * 86_400, out_for_delivery: 86_400 }, expireAfterSeconds: 0 }));

    const inputs = queryInputs();
    expect(inputs).toHaveLength(2 * SHARDS);
    expect(inputs.map((input) => input.ExpressionAttributeValues![':pk']).sort()).toEqual([
      ...Array.from({ length: SHARDS }, (_, shard) => `STATUS#in_transit#${shard}`),
      ...Array.from({ length: SHARDS }, (_, shard) => `STATUS#out_for_delivery#${shard}`),
    ].sort());
    for (const input of inputs) {
      const below = String(input.ExpressionAttributeValues![':pk']).startsWith('STATUS#in_transit#') ? daysAgo(5) : daysAgo(1);
      expect(input).toEqual({
        TableName: 'tracking-test',
        IndexName: 'by-status',
        KeyConditionExpression: '#pk = :pk AND #sk < :below',
        ExpressionAttributeNames: { '#pk': 'status_pk', '#sk': 'status_sk', '#stalled': 'stalled_sk' },
        ExpressionAttributeValues: { ':pk': input.ExpressionAttributeValues![':pk'], ':below': below },
        ProjectionExpression: '#sk, #stalled',
        ScanIndexForward: true,
        Limit: 500,
      });
    }
    expect(ddb.calls().every((call) => call.args[0] instanceof QueryCommand)).toBe(true);
  });

  test('ignores a terminal status in the thresholds: it cannot stall', async () => {
    serve([stateItem('PKG-D', 'delivered', daysAgo(40))]);
    const report = await sweep(context({ thresholds: { delivered: 60, in_transit: 5 * 86_400 }, expireAfterSeconds: 0 }));

    expect(queryInputs().map((input) => input.ExpressionAttributeValues![':pk'])).not.toContainEqual(expect.stringMatching(/^STATUS#delivered#/));
    expect(report).toEqual({ stalled: 0, expired: 0, complete: true });
  });

  test('does nothing without thresholds', async () => {
    const report = await sweep(context({ thresholds: {}, expireAfterSeconds: 0 }));

    expect(ddb.calls()).toHaveLength(0);
    expect(report).toEqual({ stalled: 0, expired: 0, complete: true });
  });
});

describe('the sweep marks each stall once, conditionally', () => {
  test('marks a shipment that has had its status longer than the threshold, and not one that took it at or after the cutoff', async () => {
    serve([
      inTransit('PKG-OLD', iso(NOW - 5 * DAY_MS - 1)),
      inTransit('PKG-EDGE', daysAgo(5)),
      inTransit('PKG-NEW', daysAgo(1)),
    ]);
    const report = await sweep(context(IN_TRANSIT_5_DAYS));

    expect(markedIds()).toEqual(['PKG-OLD']);
    expect(report).toEqual({ stalled: 1, expired: 0, complete: true });
  });

  test('sets the mark on the state item, conditional on the status and status_sk it listed and on no mark of that run, and adds 1 to the version', async () => {
    const since = daysAgo(6);
    serve([inTransit('PKG-1', since)]);
    await sweep(context(IN_TRANSIT_5_DAYS));

    expect(marks()).toEqual([{
      TableName: 'tracking-test',
      Key: { pk: 'TRACK#PKG-1', sk: 'STATE' },
      UpdateExpression: 'SET #stalled = :sk, #stalled_at = :now, #threshold = :threshold ADD #version :one',
      // The status as well: a run of another status can begin at the same instant (the same status_sk).
      ConditionExpression: '#status = :status AND #status_sk = :sk AND (attribute_not_exists(#stalled) OR #stalled <> :sk)',
      ExpressionAttributeNames: {
        '#stalled': 'stalled_sk',
        '#stalled_at': 'stalled_at',
        '#threshold': 'stall_threshold_seconds',
        '#status': 'status',
        '#status_sk': 'status_sk',
        '#version': 'version',
      },
      ExpressionAttributeValues: { ':status': 'in_transit', ':sk': `${since}#PKG-1`, ':now': iso(NOW), ':threshold': 5 * 86_400, ':one': 1 },
    } satisfies UpdateCommandInput]);
  });

  test('skips an entry whose stalled_sk is its status_sk (reported), and marks one whose mark is of an earlier run', async () => {
    const since = daysAgo(6);
    serve([
      inTransit('PKG-REPORTED', since, { stalled_sk: `${since}#PKG-REPORTED` }),
      inTransit('PKG-EARLIER-RUN', since, { stalled_sk: `${daysAgo(20)}#PKG-EARLIER-RUN` }),
    ]);
    const report = await sweep(context(IN_TRANSIT_5_DAYS));

    expect(markedIds()).toEqual(['PKG-EARLIER-RUN']);
    expect(report.stalled).toBe(1);
  });

  test('does not count a mark whose condition failed (the shipment moved, or another sweep marked it), and goes on', async () => {
    serve([inTransit('PKG-MOVED', daysAgo(7)), inTransit('PKG-STILL', daysAgo(6))]);
    ddb.on(UpdateCommand, { Key: { pk: 'TRACK#PKG-MOVED', sk: 'STATE' } }).rejects(conditionFailed());
    const report = await sweep(context(IN_TRANSIT_5_DAYS));

    expect(markedIds()).toEqual(['PKG-MOVED', 'PKG-STILL']);
    expect(report).toEqual({ stalled: 1, expired: 0, complete: true });
  });

  test('fails on any other error of the mark (a throttle): the next run finds the same range', async () => {
    serve([inTransit('PKG-1', daysAgo(7))]);
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

    await expect(sweep(context(IN_TRANSIT_5_DAYS))).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  test('leaves an index entry alone whose sort key is not one the handler writes', async () => {
    serve([{ ...inTransit('PKG-1', daysAgo(7)), status_sk: '2026-01-01#PKG-1' }]);
    const report = await sweep(context(IN_TRANSIT_5_DAYS));

    expect(marks()).toEqual([]);
    expect(report.stalled).toBe(0);
  });
});

describe('the sweep expires shipments without news for expireAfterSeconds', () => {
  const EXPIRY: SweepSettings = { thresholds: { in_transit: 5 * 86_400 }, expireAfterSeconds: 30 * 86_400 };

  test('writes an expired event through the repository (putEvent, then applyToState with the stored event) instead of marking', async () => {
    const silent = inTransit('PKG-SILENT', daysAgo(31), { location: { lat: 52.52, lng: 13.405 } });
    serve([silent]);
    const stored = { tracking_id: 'PKG-SILENT', event_id: 'stored-before' } as EventRecord;
    repository.putEvent.mockResolvedValueOnce({ event: stored, duplicate: true });
    const report = await sweep(context(EXPIRY));

    expect(repository.putEvent.mock.calls).toEqual([[{
      tracking_id: 'PKG-SILENT',
      event_id: expiredEventId(String(silent.last_event_key)),
      status: 'expired',
      location: { lat: 52.52, lng: 13.405 },
      event_time: iso(NOW),
      received_at: iso(NOW),
      metadata: { source: 'stall-sweep', no_news_since: silent.updated_at },
    }]]);
    // The stored one: after a half-done expiry, the event already written is the one folded in.
    expect(repository.applyToState.mock.calls).toEqual([[[stored]]]);
    expect(marks()).toEqual([]);
    expect(report).toEqual({ stalled: 0, expired: 1, complete: true });
  });

  test('reads the states of the entries older than the expiry cutoff only, in one consistent BatchGetItem (expiry is terminal)', async () => {
    serve(oneShard([inTransit('PKG-31', daysAgo(31)), inTransit('PKG-40', daysAgo(40)), inTransit('PKG-6', daysAgo(6))]));
    await sweep(context(EXPIRY, { shards: 1 }));

    expect(ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input)).toEqual([{
      RequestItems: { 'tracking-test': { Keys: [{ pk: 'TRACK#PKG-40', sk: 'STATE' }, { pk: 'TRACK#PKG-31', sk: 'STATE' }], ConsistentRead: true } },
    }]);
    expect(markedIds()).toEqual(['PKG-6']);
  });

  test('marks a shipment stalled instead when its state had news since (status_since is when the run began)', async () => {
    // In transit for 40 days, scanned again 3 days ago without a change of status.
    const item = inTransit('PKG-NEWS', daysAgo(40), { updated_at: daysAgo(3) });
    serve([item]);
    const report = await sweep(context(EXPIRY));

    expect(repository.putEvent).not.toHaveBeenCalled();
    expect(markedIds()).toEqual(['PKG-NEWS']);
    expect(report).toEqual({ stalled: 1, expired: 0, complete: true });
  });

  test('does not expire a shipment whose state has left the status since the index entry was read', async () => {
    const entry = inTransit('PKG-LEFT', daysAgo(40));
    ddb.on(QueryCommand).callsFake(statusIndex([entry]));
    ddb.on(BatchGetCommand).callsFake(stateTable([{ ...entry, status: 'delivered' }]));
    const report = await sweep(context(EXPIRY));

    expect(repository.putEvent).not.toHaveBeenCalled();
    expect(report.expired).toBe(0);
  });

  test('expires a shipment whose stall was reported already', async () => {
    const since = daysAgo(40);
    serve([inTransit('PKG-REPORTED', since, { stalled_sk: `${since}#PKG-REPORTED` })]);
    const report = await sweep(context(EXPIRY));

    expect(repository.putEvent).toHaveBeenCalledTimes(1);
    expect(report.expired).toBe(1);
  });

  test('reads no state when expiry is off', async () => {
    serve([inTransit('PKG-1', daysAgo(400))]);
    const report = await sweep(context(IN_TRANSIT_5_DAYS));

    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
    expect(repository.putEvent).not.toHaveBeenCalled();
    expect(report).toEqual({ stalled: 1, expired: 0, complete: true });
  });
});

describe('the sweep stops starting new work when time runs out', () => {
  test('with no time at all, reports incomplete and calls nothing', async () => {
    serve([inTransit('PKG-1', daysAgo(7))]);
    const report = await sweep(context(IN_TRANSIT_5_DAYS, { hasTime: () => false }));

    expect(ddb.calls()).toHaveLength(0);
    expect(report).toEqual({ stalled: 0, expired: 0, complete: false });
  });

  test('stops between shipments, counting what it did, and reports incomplete', async () => {
    serve(oneShard(Array.from({ length: 5 }, (_, i) => inTransit(`PKG-${i}`, daysAgo(10 - i)))));
    // The query, then two shipments.
    let checks = 0;
    const report = await sweep(context(IN_TRANSIT_5_DAYS, { shards: 1, hasTime: () => ++checks <= 3 }));

    expect(marks()).toHaveLength(2);
    expect(report).toEqual({ stalled: 2, expired: 0, complete: false });
  });
});

describe('the sweep pages through a shard', () => {
  test('follows LastEvaluatedKey past the 500 entries of a page, oldest first, and marks every entry', async () => {
    const items = oneShard(Array.from({ length: 501 }, (_, i) => inTransit(`PKG-${i}`, iso(NOW - 10 * DAY_MS + i * 1000))));
    serve(items);
    const report = await sweep(context(IN_TRANSIT_5_DAYS, { shards: 1 }));

    const starts = queryInputs().map((input) => input.ExclusiveStartKey);
    expect(starts).toEqual([undefined, expect.objectContaining({ status_sk: items[499].status_sk })]);
    expect(marks()).toHaveLength(501);
    expect(marks()[0].Key).toEqual({ pk: 'TRACK#PKG-0', sk: 'STATE' });
    expect(report).toEqual({ stalled: 501, expired: 0, complete: true });
  });

  test('sums the shards of a status', async () => {
    const ids = [idOnShard(0, 0), idOnShard(3, 0), idOnShard(5, 1)];
    serve(ids.map((id) => inTransit(id, daysAgo(7))));
    const report = await sweep(context(IN_TRANSIT_5_DAYS));

    expect(new Set(ids.map(shardOf)).size).toBe(3);
    expect(report.stalled).toBe(3);
  });
});

describe('expiredEventId', () => {
  test('is expired- and 40 hex digits, the same for the same key', () => {
    const key = '2026-11-26T09:15:00.000Z#scan-0001';

    expect(expiredEventId(key)).toMatch(/^expired-[0-9a-f]{40}$/);
    expect(expiredEventId(key)).toBe(expiredEventId(key));
  });

  test('differs for another newest event (a shipment that had news, then went quiet again)', () => {
    const ids = new Set(Array.from({ length: 200 }, (_, i) => expiredEventId(`2026-11-26T09:15:00.000Z#scan-${i}`)));

    expect(ids.size).toBe(200);
  });

  test('stays within the 128 characters of an event_id, whatever the length of the key', () => {
    const id = expiredEventId(`2026-11-26T09:15:00.000Z#${'x'.repeat(128)}`);

    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).toHaveLength(48);
  });
});
