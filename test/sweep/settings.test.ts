import './env';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { logger, metrics } from '../../lambda/shared/observability';
import { handler, readSettings, SWEEP_METRIC } from '../../lambda/sweep';
import { DEFAULT_STALL_THRESHOLDS } from '../../src/contract/runtime-config';

/**
 * The sweep's entry (lambda/sweep/index.ts): the settings the construct hands it,
 * read forgivingly (a sweep with the default numbers beats no sweep), and the
 * report and metrics of a run.
 */

const ddb = mockClient(DynamoDBDocumentClient);

afterEach(() => {
  jest.restoreAllMocks();
});

describe('readSettings reads the stall thresholds, falling back to the defaults loudly', () => {
  test('takes a map of statuses to positive whole seconds as it is', () => {
    const thresholds = { in_transit: 3600, exception: 60, delivered: 10 };

    expect(readSettings({ STALL_THRESHOLDS: JSON.stringify(thresholds) }).thresholds).toEqual(thresholds);
  });

  test('uses the defaults when STALL_THRESHOLDS is not set, and says it is not set', () => {
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect(readSettings({}).thresholds).toEqual(DEFAULT_STALL_THRESHOLDS);
    expect(error).toHaveBeenCalledWith('STALL_THRESHOLDS is not set: the default thresholds apply');
    error.mockRestore();
  });

  test.each([
    ['not JSON', '{in_transit: 5}', 'is not JSON'],
    ['an unknown status', JSON.stringify({ in_transit: 60, lost: 60 }), 'is not a map of statuses to positive seconds'],
    ['0 seconds', JSON.stringify({ in_transit: 0 }), 'is not a map of statuses to positive seconds'],
    ['negative seconds', JSON.stringify({ in_transit: -60 }), 'is not a map of statuses to positive seconds'],
    ['fractional seconds', JSON.stringify({ in_transit: 1.5 }), 'is not a map of statuses to positive seconds'],
    ['seconds as a string', JSON.stringify({ in_transit: '60' }), 'is not a map of statuses to positive seconds'],
    ['an array', JSON.stringify([60]), 'is not a map of statuses to positive seconds'],
    ['null', 'null', 'is not a map of statuses to positive seconds'],
    ['a number', '60', 'is not a map of statuses to positive seconds'],
  ])('uses the defaults for %s, and logs an error saying so', (_case, value, complaint) => {
    const error = jest.spyOn(logger, 'error');
    const settings = readSettings({ STALL_THRESHOLDS: value });

    expect(settings.thresholds).toEqual(DEFAULT_STALL_THRESHOLDS);
    expect(error).toHaveBeenCalledWith(`STALL_THRESHOLDS ${complaint}: the default thresholds apply`);
  });

  test('does not hand out the defaults object itself (a caller cannot change the defaults)', () => {
    expect(readSettings({}).thresholds).not.toBe(DEFAULT_STALL_THRESHOLDS);
  });
});

describe('readSettings reads EXPIRE_AFTER_SECONDS, 0 (never) for anything but a positive whole number', () => {
  test.each<[string | undefined, number]>([
    ['2592000', 2_592_000],
    ['1', 1],
    [undefined, 0],
    ['0', 0],
    ['-60', 0],
    ['1.5', 0],
    ['thirty days', 0],
    ['', 0],
  ])('%p → %p', (value, expected) => {
    const env = value === undefined ? {} : { EXPIRE_AFTER_SECONDS: value };

    expect(readSettings(env).expireAfterSeconds).toBe(expected);
  });
});

describe('the scheduled handler', () => {
  const event = { 'detail-type': 'Scheduled Event', 'source': 'aws.events' } as unknown as ScheduledEvent;
  const contextWith = (remainingMs: number) => ({ awsRequestId: 'req-1', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
  });

  test('sweeps with the settings of its environment and answers the report, counting each figure', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const report = await handler(event, contextWith(600_000));

    expect(report).toEqual({ stalled: 0, expired: 0, complete: true });
    // STALL_THRESHOLDS of test/sweep/env.ts: in_transit only, on each of 8 shards.
    expect(ddb.commandCalls(QueryCommand).map((call) => call.args[0].input.ExpressionAttributeValues![':pk'])).toEqual(
      Array.from({ length: 8 }, (_, shard) => `STATUS#in_transit#${shard}`),
    );
    expect(addMetric).toHaveBeenCalledWith(SWEEP_METRIC.STALLED, 'Count', 0);
    expect(addMetric).toHaveBeenCalledWith(SWEEP_METRIC.EXPIRED, 'Count', 0);
    expect(addMetric).not.toHaveBeenCalledWith(SWEEP_METRIC.INCOMPLETE, expect.anything(), expect.anything());
  });

  test('with 15 s or less left, starts nothing, reports incomplete and counts SweepIncomplete', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const report = await handler(event, contextWith(15_000));

    expect(report.complete).toBe(false);
    expect(ddb.calls()).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith(SWEEP_METRIC.INCOMPLETE, 'Count', 1);
  });

  test('publishes its metrics even when the sweep fails', async () => {
    ddb.on(QueryCommand).rejects(new Error('boom'));
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');

    await expect(handler(event, contextWith(600_000))).rejects.toThrow('boom');
    expect(publish).toHaveBeenCalledTimes(1);
  });
});
