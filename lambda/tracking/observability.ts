import { countMetric } from '../shared/observability';

/**
 * Metric names the tracking handler emits (the construct's dashboard and alarms
 * refer to them), besides the shared modules' `ConfigFallback`. Logger and metrics
 * are the shared ones (lambda/shared/observability.ts); the handler sets the API
 * Gateway request id as the correlation id.
 */
export const METRIC = {
  /** A new tracking update was stored (POST /track, or per update of POST /track/batch). */
  ACCEPTED: 'TrackingUpdateAccepted',
  /** A tracking update re-sent an `event_id` already stored; nothing new was stored. */
  DUPLICATE: 'TrackingUpdateDuplicate',
  /** A tracking update was refused as invalid input (400, 413, 415). */
  REJECTED: 'TrackingUpdateRejected',
  /** DynamoDB throttled or could not be reached; the client got a 503 (or, in a batch, updates answered "retry"). */
  DEPENDENCY_UNAVAILABLE: 'DependencyUnavailable',
  /**
   * An update of POST /track/batch failed with an unexpected error (a bug, logged with
   * its cause) and was answered "rejected" alone; a single request's would be a 500.
   */
  FAILED: 'TrackingUpdateFailed',
  /** DELETE /shipments/{tracking_id} erased a shipment. */
  SHIPMENT_ERASED: 'ShipmentErased',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Counts `occurrences` (default one) of `name` in this invocation's metrics. */
export function count(name: MetricName, occurrences = 1): void {
  countMetric(name, occurrences);
}
