import { Duration } from 'aws-cdk-lib';

/**
 * What every alarm of the construct has in common. Each alarm is evaluated over
 * one-minute periods, but the stall sweep's, whose period is the sweep interval.
 */
export interface AlarmOptions {
  /**
   * Create the alarm.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Number of periods the alarm looks at.
   * @default 5 (1 for the dead-letter queue and stall sweep alarms)
   */
  readonly evaluationPeriods?: number;

  /**
   * How many of those periods must breach before the alarm fires
   * (at most `evaluationPeriods`).
   * @default 3 (1 for the dead-letter queue and stall sweep alarms)
   */
  readonly datapointsToAlarm?: number;
}

/** The API's client-error (4XX) alarm. */
export interface ApiClientErrorAlarmOptions extends AlarmOptions {
  /**
   * Fire when a minute has at least this many 4XX answers.
   * @default 50
   */
  readonly maxErrorCount?: number;
}

/** The API's server-error (5XX) alarm. */
export interface ApiServerErrorAlarmOptions extends AlarmOptions {
  /**
   * Fire when a minute has at least this many 5XX answers.
   * @default 5
   */
  readonly maxErrorCount?: number;
}

/** The API's p99 latency alarm. */
export interface ApiLatencyAlarmOptions extends AlarmOptions {
  /**
   * Fire when the p99 latency of a minute reaches this (1 ms to 29 s: API
   * Gateway stops waiting for an integration at 29 s).
   * @default Duration.seconds(2)
   */
  readonly maxLatency?: Duration;
}

/** The tracking handler's error alarm (the `handler` function, not the stream processor). */
export interface HandlerErrorAlarmOptions extends AlarmOptions {
  /**
   * Fire when a minute has at least this many failed invocations.
   * @default 5
   */
  readonly maxErrorCount?: number;
}

/** The tracking handler's throttle alarm (the `handler` function, not the stream processor). */
export interface HandlerThrottleAlarmOptions extends AlarmOptions {
  /**
   * Fire when a minute has at least this many throttled invocations.
   * @default 1
   */
  readonly maxThrottleCount?: number;
}

/** The table's throttled-request alarm (reads and writes of the handler's operations). */
export interface TableThrottleAlarmOptions extends AlarmOptions {
  /**
   * Fire when a minute has at least this many throttled requests.
   * @default 1
   */
  readonly maxThrottledRequestCount?: number;
}

/** The dead-letter queue's depth alarm: any record there is a status change nobody was told about. */
export interface DeadLetterQueueAlarmOptions extends AlarmOptions {
  /**
   * Fire when the queue holds at least this many visible messages.
   * @default 1
   */
  readonly maxMessageCount?: number;
}

/** The stream processor's iterator-age alarm: how far behind the table's changes events are published. */
export interface StreamIteratorAgeAlarmOptions extends AlarmOptions {
  /**
   * Fire when the oldest record the processor read in a minute was this old
   * (1 second to 24 hours: a stream keeps records for 24 hours).
   * @default Duration.minutes(1)
   */
  readonly maxIteratorAge?: Duration;
}

/** The stall sweep's error alarm: a failed run reports no stalls and expires nothing. */
export interface SweepErrorAlarmOptions extends AlarmOptions {
  /**
   * Fire when at least this many sweep runs fail in one sweep interval.
   * @default 1
   */
  readonly maxErrorCount?: number;
}

/**
 * The construct's alarms, one struct per alarm; each is on by default. Every
 * alarm notifies `alarmTopic` and runs `alarmActions`.
 */
export interface TrackingAlarmOptions {
  /**
   * API 4XX answers.
   * @default - on, 50 per minute in 3 of 5 minutes
   */
  readonly apiClientErrors?: ApiClientErrorAlarmOptions;

  /**
   * API 5XX answers.
   * @default - on, 5 per minute in 3 of 5 minutes
   */
  readonly apiServerErrors?: ApiServerErrorAlarmOptions;

  /**
   * API p99 latency.
   * @default - on, 2 s in 3 of 5 minutes
   */
  readonly apiLatency?: ApiLatencyAlarmOptions;

  /**
   * Tracking handler errors (failed invocations).
   * @default - on, 5 per minute in 3 of 5 minutes
   */
  readonly handlerErrors?: HandlerErrorAlarmOptions;

  /**
   * Tracking handler throttles.
   * @default - on, 1 per minute in 3 of 5 minutes
   */
  readonly handlerThrottles?: HandlerThrottleAlarmOptions;

  /**
   * DynamoDB throttled requests.
   * @default - on, 1 per minute in 3 of 5 minutes
   */
  readonly tableThrottles?: TableThrottleAlarmOptions;

  /**
   * Messages in the stream processor's dead-letter queue.
   * @default - on, 1 message in 1 of 1 minutes
   */
  readonly deadLetterQueue?: DeadLetterQueueAlarmOptions;

  /**
   * Age of the records the stream processor reads.
   * @default - on, 1 minute in 3 of 5 minutes
   */
  readonly streamIteratorAge?: StreamIteratorAgeAlarmOptions;

  /**
   * Failed runs of the stall sweep (only when `stalledShipments` is enabled). Its
   * period is the sweep interval, so one failed run is one breaching period.
   * @default - on, 1 error in 1 of 1 sweep intervals
   */
  readonly sweepErrors?: SweepErrorAlarmOptions;
}
