import { countMetric } from '../shared/observability';

/**
 * Metric names the stream processor emits (one count per record), besides the
 * shared modules' `ConfigFallback`; logger and metrics are lambda/shared/observability.ts.
 */
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
  countMetric(name);
}
