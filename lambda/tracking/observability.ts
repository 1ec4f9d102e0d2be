import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'logistics-tracking';

/** Structured JSON logs; the correlation id is the API Gateway request id. */
export const logger = new Logger({ serviceName });

/** CloudWatch embedded-metric-format metrics, published at the end of every invocation. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'LogisticsTracking',
  serviceName,
});

/** Metric names the handler emits (the construct's dashboard and alarms refer to them). */
export const METRIC = {
  /** A new tracking update was stored (POST /track, or per update of POST /track/batch). */
  ACCEPTED: 'TrackingUpdateAccepted',
  /** A tracking update re-sent an `event_id` already stored; nothing new was stored. */
  DUPLICATE: 'TrackingUpdateDuplicate',
  /** A tracking update was refused as invalid input (400, 413, 415). */
  REJECTED: 'TrackingUpdateRejected',
  /** DynamoDB throttled or could not be reached; the client got a 503 (or, in a batch, updates answered "retry"). */
  DEPENDENCY_UNAVAILABLE: 'DependencyUnavailable',
  /** SSM could not supply a valid config or flags document; a fallback was used. */
  CONFIG_FALLBACK: 'ConfigFallback',
  /**
   * An update of POST /track/batch failed with an unexpected error (a bug, logged with
   * its cause) and was answered "rejected" alone; a single request's would be a 500.
   */
  FAILED: 'TrackingUpdateFailed',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Counts `occurrences` (default one) of `name` in this invocation's metrics. */
export function count(name: MetricName, occurrences = 1): void {
  metrics.addMetric(name, MetricUnit.Count, occurrences);
}
