import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ALARM_DEFAULTS } from './alarm-defaults';
import { acknowledgeKmsWildcards, BundledFunction, createBundledFunction, FunctionNetwork } from './bundled-function';
import { SweepErrorAlarmOptions } from '../alarm-options';
import { DEFAULT_EXPIRE_AFTER_SECONDS, DEFAULT_STALL_THRESHOLDS, ENV, StallThresholdsDocument } from '../contract/runtime-config';
import { TABLE_LAYOUT } from '../contract/table';
import { StallThresholds, StalledShipmentsOptions } from '../stalled-shipments';

/** Each `StallThresholds` field and the status it is for. */
const THRESHOLD_STATUSES: { readonly [K in keyof Required<StallThresholds>]: string } = {
  pending: 'pending',
  infoReceived: 'info_received',
  inTransit: 'in_transit',
  outForDelivery: 'out_for_delivery',
  availableForPickup: 'available_for_pickup',
  attemptFailed: 'attempt_failed',
  exception: 'exception',
};

const MIN_THRESHOLD = Duration.minutes(1);
const MAX_THRESHOLD = Duration.days(365);
/**
 * Time for one sweep. Stalls are marked one conditional write each; a run that
 * runs out of time stops cleanly and the next run goes on where this one stopped.
 */
const SWEEP_TIMEOUT = Duration.minutes(5);
/** How often EventBridge retries a failed scheduled invocation; the next run repeats the sweep anyway. */
const SCHEDULE_RETRY_ATTEMPTS = 2;

export interface SweepSettings {
  readonly thresholds: StallThresholdsDocument;
  /** 0: never expire. */
  readonly expireAfterSeconds: number;
  readonly interval: Duration;
}

/** The sweep's settings from the props, validated: each message names the prop, the value and what is allowed. */
export function sweepSettings(options: StalledShipmentsOptions): SweepSettings {
  const thresholds: Record<string, number> = { ...DEFAULT_STALL_THRESHOLDS };
  const given = (options.thresholds ?? {}) as Record<string, Duration | undefined>;
  for (const [field, value] of Object.entries(given)) {
    const status = (THRESHOLD_STATUSES as Record<string, string>)[field];
    if (status === undefined) {
      fail(`stalledShipments.thresholds.${field} is not a status that can stall: set ${Object.keys(THRESHOLD_STATUSES).join(', ')} `
        + '(terminal statuses never stall)');
    }
    if (value === undefined) continue;
    if (value.isUnresolved()) fail(`stalledShipments.thresholds.${field} must be a concrete Duration, not a token: the sweep reads it at deployment`);
    checkRange(`stalledShipments.thresholds.${field}`, value, MIN_THRESHOLD, MAX_THRESHOLD, 'the sweep compares whole seconds, and a year is the longest a shipment is tracked');
    thresholds[status] = value.toSeconds();
  }

  const interval = options.sweepInterval ?? Duration.hours(1);
  if (interval.isUnresolved()) fail('stalledShipments.sweepInterval must be a concrete Duration, not a token');
  checkRange('stalledShipments.sweepInterval', interval, Duration.minutes(1), Duration.days(1), 'an EventBridge schedule runs at most once a minute');
  if (interval.toSeconds() % 60 !== 0) fail(`stalledShipments.sweepInterval must be whole minutes (got ${interval.toHumanString()}): EventBridge rates are in minutes`);

  let expireAfterSeconds = 0;
  if (options.expireShipments ?? true) {
    const expireAfter = options.expireAfter ?? Duration.seconds(DEFAULT_EXPIRE_AFTER_SECONDS);
    if (expireAfter.isUnresolved()) fail('stalledShipments.expireAfter must be a concrete Duration, not a token');
    checkRange('stalledShipments.expireAfter', expireAfter, MIN_THRESHOLD, MAX_THRESHOLD, 'a year is the longest a shipment is tracked');
    expireAfterSeconds = expireAfter.toSeconds();
    const longest = Object.entries(thresholds).reduce((a, b) => (b[1] > a[1] ? b : a));
    if (expireAfterSeconds < longest[1]) {
      fail(`stalledShipments.expireAfter (${expireAfter.toHumanString()}) must be at least every stall threshold (${longest[0]}: `
        + `${Duration.seconds(longest[1]).toHumanString()}): a shipment should be reported stalled before it expires`);
    }
  } else if (options.expireAfter !== undefined) {
    fail('stalledShipments.expireAfter needs expireShipments: leave it out, or set expireShipments to true');
  }
  return { thresholds, expireAfterSeconds, interval };
}

function checkRange(name: string, value: Duration, min: Duration, max: Duration, why: string): void {
  const seconds = value.toSeconds({ integral: false });
  if (seconds < min.toSeconds() || seconds > max.toSeconds()) {
    fail(`${name} must be between ${min.toHumanString()} and ${max.toHumanString()} (got ${value.toHumanString()}): ${why}`);
  }
}

function fail(message: string): never {
  throw new Error(`LogisticsTrackingApi: ${message}`);
}

export interface SweepOptions {
  readonly settings: SweepSettings;
  readonly table: dynamodb.Table;
  /** The table settings the tracking handler has (the sweep writes through the same code). */
  readonly tableEnvironment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly encryptionKey?: kms.IKey;
  readonly network?: FunctionNetwork;
  readonly alarm?: SweepErrorAlarmOptions;
  readonly actions: cloudwatch.IAlarmAction[];
}

export interface Sweep extends BundledFunction {
  readonly schedule: events.Rule;
  readonly alarm?: cloudwatch.Alarm;
  /** The dashboard row of the sweep. */
  readonly widgets: cloudwatch.IWidget[];
}

/**
 * The stall sweep (lambda/sweep): a function with exactly the table access it
 * uses, run by an EventBridge schedule, with an error alarm and its dashboard row.
 */
export function createSweep(scope: Construct, options: SweepOptions): Sweep {
  const { settings } = options;
  const sweep = createBundledFunction(scope, {
    id: 'Sweep',
    bundle: 'sweep',
    description: 'LogisticsTrackingApi: reports stalled shipments and expires silent ones',
    memorySize: 256,
    timeout: SWEEP_TIMEOUT,
    logRetention: options.logRetention,
    removalPolicy: options.removalPolicy,
    environment: {
      ...options.tableEnvironment,
      [ENV.STALL_THRESHOLDS]: JSON.stringify(settings.thresholds),
      [ENV.EXPIRE_AFTER_SECONDS]: String(settings.expireAfterSeconds),
      POWERTOOLS_SERVICE_NAME: 'logistics-tracking-sweep',
      POWERTOOLS_METRICS_NAMESPACE: 'LogisticsTracking',
    },
    encryptionKey: options.encryptionKey,
    network: options.network,
    // One run at a time: a slow run and the next one would only mark the same stalls.
    reservedConcurrentExecutions: 1,
    noDeadLetterQueueReason: 'Run by a schedule and idempotent: a failed run is retried by EventBridge and repeated by the next scheduled run; a dead-letter queue would only collect schedule ticks.',
  });

  // Least privilege: the index walk (Query on the status index), the stall marks
  // (UpdateItem), and the expiry of silent shipments through the tracking write path
  // (BatchGetItem of states, PutItem of the event, GetItem/PutItem/UpdateItem/Query of
  // the state and events: lambda/sweep/sweep.ts, lambda/tracking/state-write.ts).
  sweep.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
    resources: [options.table.tableArn],
  }));
  sweep.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dynamodb:Query'],
    resources: [`${options.table.tableArn}/index/${TABLE_LAYOUT.statusIndex}`],
  }));
  if (options.table.encryptionKey) {
    options.table.encryptionKey.grantEncryptDecrypt(sweep.role);
    acknowledgeKmsWildcards(sweep.role, 'a DynamoDB table');
  }
  Validations.of(sweep.function).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'Run by a schedule and idempotent: a failed run is retried by EventBridge and repeated by the next scheduled run; a dead-letter queue would only collect schedule ticks.',
  });

  const schedule = new events.Rule(scope, 'SweepSchedule', {
    description: 'LogisticsTrackingApi: runs the stall sweep',
    schedule: events.Schedule.rate(settings.interval),
    targets: [new targets.LambdaFunction(sweep.function, { retryAttempts: SCHEDULE_RETRY_ATTEMPTS })],
  });
  Validations.of(schedule).acknowledge({
    id: 'Serverless-EventBusDLQ',
    reason: 'The target is the idempotent sweep on a schedule: a tick EventBridge could not deliver is made up by the next one, which sweeps the same ranges; a dead-letter queue would only collect schedule ticks nobody replays.',
  });

  const period = settings.interval;
  const errors = sweep.function.metricErrors({ period, statistic: cloudwatch.Stats.SUM });
  const defaults = ALARM_DEFAULTS.sweepErrors;
  let alarm: cloudwatch.Alarm | undefined;
  if (options.alarm?.enabled ?? true) {
    const evaluationPeriods = options.alarm?.evaluationPeriods ?? defaults.evaluationPeriods;
    if (!Token.isUnresolved(evaluationPeriods) && evaluationPeriods * period.toSeconds() > Duration.days(1).toSeconds()) {
      fail(`alarmOptions.sweepErrors.evaluationPeriods (${evaluationPeriods}) times the sweep interval (${period.toHumanString()}) must be at most 1 day: `
        + 'CloudWatch evaluates at most one day of data');
    }
    alarm = new cloudwatch.Alarm(scope, 'SweepErrorsAlarm', {
      alarmDescription: 'Stall sweep: failed runs (stalls are not reported, silent shipments do not expire)',
      metric: errors,
      threshold: options.alarm?.maxErrorCount ?? defaults.maxErrorCount,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: options.alarm?.datapointsToAlarm ?? defaults.datapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(...options.actions);
    alarm.addOkAction(...options.actions);
  }

  const sweepMetric = (metricName: string, label: string) => new cloudwatch.Metric({
    namespace: 'LogisticsTracking',
    metricName,
    dimensionsMap: { service: 'logistics-tracking-sweep' },
    statistic: cloudwatch.Stats.SUM,
    period,
    label,
  });
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({
      title: 'Stall sweep: stalls reported, shipments expired',
      left: [sweepMetric('StallsMarked', 'Stalls reported'), sweepMetric('ShipmentsExpired', 'Shipments expired')],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Stall sweep: errors and unfinished runs',
      left: [errors.with({ label: 'Failed runs' }), sweepMetric('SweepIncomplete', 'Runs that ran out of time')],
      width: 12,
    }),
  ];
  return { ...sweep, schedule, alarm, widgets };
}
