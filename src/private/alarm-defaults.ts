import { Duration } from 'aws-cdk-lib';
import { TrackingAlarmOptions } from '../alarm-options';

/** The alarms, by their key in `TrackingAlarmOptions`. */
export type AlarmName = keyof TrackingAlarmOptions;

/** Every setting of one alarm's options except `enabled`, filled in. */
export type AlarmDefaults<K extends AlarmName> = Required<Omit<NonNullable<TrackingAlarmOptions[K]>, 'enabled'>>;

/**
 * The defaults of every alarm: the one place they are kept. The `@default` lines in
 * src/alarm-options.ts state the same values, and test/construct/documented-defaults.test.ts
 * fails when the two disagree.
 */
export const ALARM_DEFAULTS: { readonly [K in AlarmName]-?: AlarmDefaults<K> } = {
  apiClientErrors: { maxErrorCount: 50, evaluationPeriods: 5, datapointsToAlarm: 3 },
  apiServerErrors: { maxErrorCount: 5, evaluationPeriods: 5, datapointsToAlarm: 3 },
  apiLatency: { maxLatency: Duration.seconds(2), evaluationPeriods: 5, datapointsToAlarm: 3 },
  handlerErrors: { maxErrorCount: 5, evaluationPeriods: 5, datapointsToAlarm: 3 },
  handlerThrottles: { maxThrottleCount: 1, evaluationPeriods: 5, datapointsToAlarm: 3 },
  tableThrottles: { maxThrottledRequestCount: 1, evaluationPeriods: 5, datapointsToAlarm: 3 },
  // One record there is already a status change nobody was told about.
  deadLetterQueue: { maxMessageCount: 1, evaluationPeriods: 1, datapointsToAlarm: 1 },
  streamIteratorAge: { maxIteratorAge: Duration.minutes(1), evaluationPeriods: 5, datapointsToAlarm: 3 },
  // The sweep runs once per period: one failed run is already the signal.
  sweepErrors: { maxErrorCount: 1, evaluationPeriods: 1, datapointsToAlarm: 1 },
};
