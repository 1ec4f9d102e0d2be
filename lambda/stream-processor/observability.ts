import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DeliveryFigures } from './analytics/figures';
import { PROCESSOR_METRICS, SHIPMENT_METRIC, STATUS_DIMENSION } from '../../src/contract/analytics';
import { countMetric } from '../shared/observability';

/**
 * Metric names the stream processor emits (one count per record), besides the
 * shared modules' `ConfigFallback`; logger and metrics are lambda/shared/observability.ts.
 * The shipment figures (deliveries, stalls, exceptions) are named in
 * src/contract/analytics.ts, which the dashboard reads too.
 */
export const METRIC = {
  /** A status change was published to the event bus. */
  PUBLISHED: 'StatusChangePublished',
  /** A `Tracking Shipment Stalled` event was published. */
  STALL_PUBLISHED: 'ShipmentStalledPublished',
  /** A `Tracking Shipment Deleted` event was published. */
  DELETION_PUBLISHED: 'ShipmentDeletedPublished',
  /** A state write that did not change the status; no status change published. */
  SKIPPED_NO_CHANGE: 'StatusChangeSkippedNoChange',
  /** A status change not published because `real_time_notifications` is off. */
  SKIPPED_FLAG_OFF: 'StatusChangeSkippedFlagOff',
  /** A record that is not a state item write or removal (an event item); the source filter should keep these out. */
  SKIPPED_NOT_STATE_WRITE: 'StreamRecordSkipped',
  /** A failed publish attempt (of any of the three events) that was retried. */
  PUBLISH_RETRIED: 'StatusChangePublishRetried',
  /** A delivery already counted (its delivery record exists): a repeated record, or a second change to delivered. */
  DELIVERY_ALREADY_COUNTED: 'DeliveryAlreadyCounted',
  /** A delivery not counted because a later record of the same batch removes the shipment (an erasure). */
  DELIVERY_NOT_COUNTED_REMOVED: 'DeliveryNotCountedRemoved',
  /** A record sent, with its content, to the dead-letter queue (publish or counting failed, or record malformed). */
  DEAD_LETTERED: 'StreamRecordDeadLettered',
  /** Sending a record to the dead-letter queue failed; it was handed back to the event source mapping. */
  DEAD_LETTER_FAILED: 'StreamRecordDeadLetterFailed',
  /** A status change to `exception` (a shipment figure; flushed with the rest at the end of the invocation). */
  SHIPMENT_EXCEPTIONS: SHIPMENT_METRIC.shipmentExceptions,
} as const;

export type StreamMetricName = (typeof METRIC)[keyof typeof METRIC];

/** Counts one occurrence of `name` in this invocation's metrics. */
export function count(name: StreamMetricName): void {
  countMetric(name);
}

/**
 * The figures of counted deliveries and stalls: a Metrics instance of their own,
 * flushed (one EMF line) the moment a shipment's figures are added, not at the end
 * of the invocation, for two reasons:
 * - a delivery counts once because its delivery record was just created
 *   (analytics/count-delivery.ts); flushing at once leaves the smallest window in
 *   which a crash loses the count after the record is written;
 * - a stall's `Status` dimension stays on its own line (Powertools' singleMetric
 *   does the same, one line per metric): the instance is flushed in the same
 *   synchronous step, so no other record's figures can be added in between.
 * The line carries the tracking id as metadata (a log field, not a dimension), so
 * Logs Insights can tell which shipment a figure came from.
 */
export const shipmentMetrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || PROCESSOR_METRICS.namespace,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || PROCESSOR_METRICS.serviceName,
});

const PUNCTUALITY_METRIC = {
  on_time: SHIPMENT_METRIC.deliveredOnTime,
  late: SHIPMENT_METRIC.deliveredLate,
  without_eta: SHIPMENT_METRIC.deliveredWithoutEta,
} as const;

/** Emits one delivery's figures now: transit time, attempts, and one of on time / late / without ETA. */
export function emitDeliveryFigures(trackingId: string, figures: DeliveryFigures): void {
  shipmentMetrics.addMetadata('tracking_id', trackingId);
  shipmentMetrics.addMetric(SHIPMENT_METRIC.transitTime, MetricUnit.Seconds, figures.transitSeconds);
  shipmentMetrics.addMetric(SHIPMENT_METRIC.deliveryAttempts, MetricUnit.Count, figures.attempts);
  shipmentMetrics.addMetric(PUNCTUALITY_METRIC[figures.punctuality], MetricUnit.Count, 1);
  shipmentMetrics.publishStoredMetrics();
}

/** Emits one stall now, with the status it is stuck in as the `Status` dimension. */
export function emitStall(trackingId: string, status: string): void {
  shipmentMetrics.addMetadata('tracking_id', trackingId);
  shipmentMetrics.addDimension(STATUS_DIMENSION, status);
  shipmentMetrics.addMetric(SHIPMENT_METRIC.shipmentsStalled, MetricUnit.Count, 1);
  shipmentMetrics.publishStoredMetrics();
}
