import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';

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

/** True until the first invocation of this execution environment has started its log. */
let coldStart = true;

/**
 * Starts an invocation's log keys: its request id and whether it is a cold start,
 * nothing else of the Lambda context. Powertools' `addContext` would add the
 * function's ARN, name and memory size to every line too, which the log group
 * (one per function) already says: about 230 bytes of each `tracking update
 * recorded` line, a quarter of the handler's log bytes per update, which
 * CloudWatch Logs bills at ingestion (measured with `npx projen bench:cost`;
 * docs/decisions/0016-cost-per-update.md).
 */
export function startInvocationLog(context: Context, correlationId?: string): void {
  logger.resetKeys();
  logger.appendKeys({ function_request_id: context.awsRequestId, cold_start: coldStart });
  coldStart = false;
  if (correlationId !== undefined) logger.setCorrelationId(correlationId);
}

/** Metrics the shared modules emit, whichever function runs them. */
export const SHARED_METRIC = {
  /** SSM could not supply a valid config or flags document; a fallback was used (config.ts). */
  CONFIG_FALLBACK: 'ConfigFallback',
} as const;

/** Counts `occurrences` (default one) of the metric `name` in this invocation's metrics. */
export function countMetric(name: string, occurrences = 1): void {
  metrics.addMetric(name, MetricUnit.Count, occurrences);
}
