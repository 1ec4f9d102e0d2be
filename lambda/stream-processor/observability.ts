import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../tracking/observability';

/**
 * The tracking handler's logger and metrics instances, reused rather than copied:
 * the shared config loader (lambda/tracking/config.ts) reports SSM fallbacks
 * through them, so one flush per invocation publishes everything. The service
 * name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE,
 * which the construct sets per function.
 */
export { logger, metrics };

/** Metric names the stream processor emits (one count per record). */
export const METRIC = {
  /** A status change was published to the event bus. */
  PUBLISHED: 'StatusChangePublished',
  /** A state write that did not change the status; nothing published. */
  SKIPPED_NO_CHANGE: 'StatusChangeSkippedNoChange',
  /** A status change not published because `real_time_notifications` is off. */
  SKIPPED_FLAG_OFF: 'StatusChangeSkippedFlagOff',
  /** A record that is not a state item write (an event item, a REMOVE); the source filter should keep these out. */
  SKIPPED_NOT_STATE_WRITE: 'StreamRecordSkipped',
  /** A failed publish attempt that was retried. */
  PUBLISH_RETRIED: 'StatusChangePublishRetried',
  /** A record sent, with its content, to the dead-letter queue (publish failed or record malformed). */
  DEAD_LETTERED: 'StreamRecordDeadLettered',
  /** Sending a record to the dead-letter queue failed; it was handed back to the event source mapping. */
  DEAD_LETTER_FAILED: 'StreamRecordDeadLetterFailed',
} as const;

export type StreamMetricName = (typeof METRIC)[keyof typeof METRIC];

/** Counts one occurrence of `name` in this invocation's metrics. */
export function count(name: StreamMetricName): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
}
