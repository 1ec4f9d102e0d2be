import type { Context, ScheduledEvent } from 'aws-lambda';
import { sweep, type SweepReport, type SweepSettings } from './sweep';
import { DEFAULT_STALL_THRESHOLDS, ENV } from '../../src/contract/runtime-config';
import { TRACKING_STATUSES } from '../../src/contract/statuses';
import { countMetric, logger, metrics, startInvocationLog } from '../shared/observability';
import { dynamoDb } from '../tracking/clients';
import { repository, TrackingRepository } from '../tracking/repository';

/**
 * The scheduled stall sweep (sweep.ts), run by an EventBridge schedule; the local
 * runtime runs it on demand too. It answers its report, which the schedule ignores.
 */

/** Metric names of the sweep (the construct's dashboard refers to them). */
export const SWEEP_METRIC = {
  STALLED: 'StallsMarked',
  EXPIRED: 'ShipmentsExpired',
  INCOMPLETE: 'SweepIncomplete',
} as const;

/**
 * Stops starting on new shipments this long before the function's timeout, so a
 * long sweep ends with its report and metrics rather than being cut off.
 */
const TIME_RESERVE_MS = 15_000;

const settings = readSettings(process.env);
const tableSettings = TrackingRepository.settingsFromEnvironment(process.env);

export async function handler(_event: ScheduledEvent, context: Context): Promise<SweepReport> {
  startInvocationLog(context);
  try {
    const report = await sweep({
      table: { client: dynamoDb, settings: tableSettings },
      repository,
      settings,
      now: Date.now(),
      hasTime: () => context.getRemainingTimeInMillis() > TIME_RESERVE_MS,
    });
    countMetric(SWEEP_METRIC.STALLED, report.stalled);
    countMetric(SWEEP_METRIC.EXPIRED, report.expired);
    if (!report.complete) countMetric(SWEEP_METRIC.INCOMPLETE);
    logger.info('sweep done', { ...report });
    return report;
  } finally {
    metrics.publishStoredMetrics();
  }
}

/**
 * The thresholds and expiry the construct set. Anything unreadable falls back to
 * the defaults, loudly: a sweep with wrong numbers reports the wrong stalls, but
 * one that stops sweeping reports none.
 */
export function readSettings(env: NodeJS.ProcessEnv): SweepSettings {
  let thresholds: Record<string, number> = { ...DEFAULT_STALL_THRESHOLDS };
  const text = env[ENV.STALL_THRESHOLDS];
  if (text === undefined) {
    logger.error(`${ENV.STALL_THRESHOLDS} is not set: the default thresholds apply`);
  } else {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isThresholds(parsed)) thresholds = parsed;
      else logger.error(`${ENV.STALL_THRESHOLDS} is not a map of statuses to positive seconds: the default thresholds apply`);
    } catch {
      logger.error(`${ENV.STALL_THRESHOLDS} is not JSON: the default thresholds apply`);
    }
  }
  const expireAfter = Number(env[ENV.EXPIRE_AFTER_SECONDS] ?? 0);
  return { thresholds, expireAfterSeconds: Number.isInteger(expireAfter) && expireAfter > 0 ? expireAfter : 0 };
}

function isThresholds(value: unknown): value is Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([status, seconds]) => TRACKING_STATUSES.includes(status) && Number.isInteger(seconds) && seconds > 0);
}
