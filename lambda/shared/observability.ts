import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The logger and metrics of both functions, one instance each per execution
 * environment: what the shared modules log and count (config fallbacks) is
 * flushed with the function's own metrics, once per invocation. The service
 * name and namespace come from POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_METRICS_NAMESPACE, which the construct sets per function; each
 * function names its own metrics (its observability.ts).
 */

const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'logistics-tracking';

/** Structured JSON logs. */
export const logger = new Logger({ serviceName });

/** CloudWatch embedded-metric-format metrics, published at the end of every invocation. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'LogisticsTracking',
  serviceName,
});

/** Metrics the shared modules emit, whichever function runs them. */
export const SHARED_METRIC = {
  /** SSM could not supply a valid config or flags document; a fallback was used (config.ts). */
  CONFIG_FALLBACK: 'ConfigFallback',
} as const;

/** Counts `occurrences` (default one) of the metric `name` in this invocation's metrics. */
export function countMetric(name: string, occurrences = 1): void {
  metrics.addMetric(name, MetricUnit.Count, occurrences);
}
