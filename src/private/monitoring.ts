import { Aws, Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_DEFAULTS } from './alarm-defaults';
import { AlarmOptions, TrackingAlarmOptions } from '../alarm-options';
import { PROCESSOR_METRICS, SHIPMENT_METRIC, STATUS_DIMENSION } from '../contract/analytics';
import { TERMINAL_STATUSES, TRACKING_STATUSES } from '../contract/statuses';

const PERIOD = Duration.minutes(1);

/**
 * The shipment figures are a few per shipment, not per request: an hour is the
 * shortest period in which a percentile or a rate of them means something.
 */
const BUSINESS_PERIOD = Duration.hours(1);

/** The DynamoDB operations the handler makes; their throttles are what the table alarm counts. */
const HANDLER_OPERATIONS = [
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.QUERY,
];

/** The stage metrics the alarms and the dashboard use: a REST stage and an HTTP stage both have them. */
export type ApiStageMetrics = Pick<apigateway.Stage, 'metricCount' | 'metricClientError' | 'metricServerError' | 'metricLatency'>;

export interface MonitoringOptions {
  readonly stage: ApiStageMetrics;
  readonly handler: lambda.Function;
  readonly table: dynamodb.Table;
  readonly streamProcessor: lambda.Function;
  readonly deadLetterQueue: sqs.IQueue;
  readonly alarmOptions: TrackingAlarmOptions;
  readonly actions: cloudwatch.IAlarmAction[];
}

export interface Monitoring {
  readonly alarms: cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;
}

interface AlarmSpec {
  readonly id: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly options: AlarmOptions | undefined;
  /** What applies where `options` leaves the evaluation out. */
  readonly defaults: Required<Pick<AlarmOptions, 'evaluationPeriods' | 'datapointsToAlarm'>>;
}

/**
 * One alarm per `TrackingAlarmOptions` entry, each notifying the given actions on
 * ALARM and on OK, and a dashboard whose every metric carries its dimensions (a
 * metric without them graphs nothing).
 */
export function createMonitoring(scope: Construct, options: MonitoringOptions): Monitoring {
  const { stage, handler, table, streamProcessor, deadLetterQueue, alarmOptions: o } = options;
  const d = ALARM_DEFAULTS;

  const metrics = {
    apiRequests: stage.metricCount({ period: PERIOD }),
    api4xx: stage.metricClientError({ period: PERIOD }),
    api5xx: stage.metricServerError({ period: PERIOD }),
    apiLatencyP99: stage.metricLatency({ period: PERIOD, statistic: 'p99' }),
    fnInvocations: handler.metricInvocations({ period: PERIOD }),
    fnErrors: handler.metricErrors({ period: PERIOD }),
    fnThrottles: handler.metricThrottles({ period: PERIOD }),
    fnDurationP99: handler.metricDuration({ period: PERIOD, statistic: 'p99' }),
    tableThrottles: table.metricThrottledRequestsForOperations({ operations: HANDLER_OPERATIONS, period: PERIOD }),
    tableReads: table.metricConsumedReadCapacityUnits({ period: PERIOD }),
    tableWrites: table.metricConsumedWriteCapacityUnits({ period: PERIOD }),
    processorErrors: streamProcessor.metricErrors({ period: PERIOD }),
    processorIteratorAge: streamProcessor.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
    dlqDepth: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
  };

  const specs: AlarmSpec[] = [
    {
      id: 'ApiClientErrorsAlarm',
      description: 'Tracking API: client errors (4XX) per minute',
      metric: metrics.api4xx,
      threshold: o.apiClientErrors?.maxErrorCount ?? d.apiClientErrors.maxErrorCount,
      options: o.apiClientErrors,
      defaults: d.apiClientErrors,
    },
    {
      id: 'ApiServerErrorsAlarm',
      description: 'Tracking API: server errors (5XX) per minute',
      metric: metrics.api5xx,
      threshold: o.apiServerErrors?.maxErrorCount ?? d.apiServerErrors.maxErrorCount,
      options: o.apiServerErrors,
      defaults: d.apiServerErrors,
    },
    {
      id: 'ApiLatencyAlarm',
      description: 'Tracking API: p99 latency (ms)',
      metric: metrics.apiLatencyP99,
      threshold: (o.apiLatency?.maxLatency ?? d.apiLatency.maxLatency).toMilliseconds(),
      options: o.apiLatency,
      defaults: d.apiLatency,
    },
    {
      // The handler alarms keep their first construct ids: renaming one would replace
      // the alarm in every deployed stack.
      id: 'FunctionErrorsAlarm',
      description: 'Tracking handler: failed invocations per minute',
      metric: metrics.fnErrors,
      threshold: o.handlerErrors?.maxErrorCount ?? d.handlerErrors.maxErrorCount,
      options: o.handlerErrors,
      defaults: d.handlerErrors,
    },
    {
      id: 'FunctionThrottlesAlarm',
      description: 'Tracking handler: throttled invocations per minute',
      metric: metrics.fnThrottles,
      threshold: o.handlerThrottles?.maxThrottleCount ?? d.handlerThrottles.maxThrottleCount,
      options: o.handlerThrottles,
      defaults: d.handlerThrottles,
    },
    {
      id: 'TableThrottlesAlarm',
      description: 'Tracking table: throttled requests per minute',
      metric: metrics.tableThrottles,
      threshold: o.tableThrottles?.maxThrottledRequestCount ?? d.tableThrottles.maxThrottledRequestCount,
      options: o.tableThrottles,
      defaults: d.tableThrottles,
    },
    {
      id: 'DeadLetterQueueAlarm',
      description: 'Status-change events: records in the dead-letter queue',
      metric: metrics.dlqDepth,
      threshold: o.deadLetterQueue?.maxMessageCount ?? d.deadLetterQueue.maxMessageCount,
      options: o.deadLetterQueue,
      defaults: d.deadLetterQueue,
    },
    {
      id: 'StreamIteratorAgeAlarm',
      description: 'Status-change events: stream processor iterator age (ms)',
      metric: metrics.processorIteratorAge,
      threshold: (o.streamIteratorAge?.maxIteratorAge ?? d.streamIteratorAge.maxIteratorAge).toMilliseconds(),
      options: o.streamIteratorAge,
      defaults: d.streamIteratorAge,
    },
  ];

  // No alarm on the shipment figures: a slow or late week is the carriers' and the
  // business's to act on, not the operator's of this service, and what would need
  // the operator — stalls, deletions or delivery counts that could not be handled —
  // already lands in the dead-letter queue, which DeadLetterQueueAlarm watches.
  // The stalls themselves go to consumers as events (onStatusChanged's bus).
  const alarms = specs
    .filter((spec) => spec.options?.enabled ?? true)
    .map((spec) => {
      const alarm = new cloudwatch.Alarm(scope, spec.id, {
        alarmDescription: spec.description,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: spec.options?.evaluationPeriods ?? spec.defaults.evaluationPeriods,
        datapointsToAlarm: spec.options?.datapointsToAlarm ?? spec.defaults.datapointsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(...options.actions);
      alarm.addOkAction(...options.actions);
      return alarm;
    });

  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.hours(3),
    widgets: [
      [
        new cloudwatch.GraphWidget({ title: 'API requests and errors', left: [metrics.apiRequests, metrics.api4xx, metrics.api5xx], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'API latency p99 (ms)', left: [metrics.apiLatencyP99], width: 8 }),
        new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 8 }),
      ],
      [
        new cloudwatch.GraphWidget({ title: 'Handler invocations, errors, throttles', left: [metrics.fnInvocations, metrics.fnErrors, metrics.fnThrottles], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'Handler duration p99 (ms)', left: [metrics.fnDurationP99], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'Table capacity and throttles', left: [metrics.tableReads, metrics.tableWrites], right: [metrics.tableThrottles], width: 8 }),
      ],
      [
        new cloudwatch.GraphWidget({ title: 'Stream processor errors', left: [metrics.processorErrors], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'Stream processor iterator age (ms)', left: [metrics.processorIteratorAge], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'Dead-letter queue depth', left: [metrics.dlqDepth], width: 8 }),
      ],
      ...shipmentWidgets(),
    ],
  });

  return { alarms, dashboard };
}

/** A metric of the stream processor's shipment figures (src/contract/analytics.ts), by the dimensions Powertools gives it. */
function shipmentMetric(metricName: string, statistic: string, label: string, dimensions: Record<string, string> = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: PROCESSOR_METRICS.namespace,
    metricName,
    dimensionsMap: { [PROCESSOR_METRICS.serviceDimension]: PROCESSOR_METRICS.serviceName, ...dimensions },
    statistic,
    period: BUSINESS_PERIOD,
    label,
  });
}

/**
 * The shipments at a glance: how long deliveries take and whether they keep their
 * ETA, and which shipments are stuck or in trouble. Deliveries count once per
 * shipment (at most once: see the stream processor's analytics/count-delivery.ts).
 */
function shipmentWidgets(): cloudwatch.IWidget[][] {
  const onTime = shipmentMetric(SHIPMENT_METRIC.deliveredOnTime, 'Sum', 'On time');
  const late = shipmentMetric(SHIPMENT_METRIC.deliveredLate, 'Sum', 'Late');
  const withoutEta = shipmentMetric(SHIPMENT_METRIC.deliveredWithoutEta, 'Sum', 'Without ETA');
  // FILL: an hour with only late deliveries has no on-time datapoint, and is 0 % on time, not a gap.
  const onTimeRate = new cloudwatch.MathExpression({
    expression: '100 * FILL(onTime, 0) / (FILL(onTime, 0) + FILL(late, 0))',
    usingMetrics: { onTime, late },
    label: 'On time (% of deliveries with an ETA)',
    period: BUSINESS_PERIOD,
  });
  // A stall is reported in the status it is stuck in, and terminal statuses never stall.
  const stalled = TRACKING_STATUSES.filter((status) => !TERMINAL_STATUSES.includes(status))
    .map((status) => shipmentMetric(SHIPMENT_METRIC.shipmentsStalled, 'Sum', status, { [STATUS_DIMENSION]: status }));
  return [
    [
      new cloudwatch.GraphWidget({
        title: 'Transit time, first event to delivery (s)',
        left: [
          shipmentMetric(SHIPMENT_METRIC.transitTime, 'p50', 'p50'),
          shipmentMetric(SHIPMENT_METRIC.transitTime, 'p90', 'p90'),
        ],
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deliveries on time (%)',
        left: [onTimeRate],
        leftYAxis: { min: 0, max: 100, showUnits: false },
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deliveries per hour',
        left: [onTime, late, withoutEta],
        stacked: true,
        width: 8,
      }),
    ],
    [
      new cloudwatch.GraphWidget({ title: 'Stalled shipments by status, per hour', left: stalled, stacked: true, width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Shipment exceptions per hour',
        left: [shipmentMetric(SHIPMENT_METRIC.shipmentExceptions, 'Sum', 'Changes to exception')],
        width: 12,
      }),
    ],
  ];
}

/** Console address of a dashboard, in the stack's region. */
export function dashboardUrl(dashboard: cloudwatch.Dashboard): string {
  return `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${dashboard.dashboardName}`;
}
