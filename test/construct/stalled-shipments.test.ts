import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { byId, synth } from './harness';
import { StallThresholds, TrackingStatus } from '../../src';
import { DEFAULT_STALL_THRESHOLDS } from '../../src/contract/runtime-config';

/** The sweep function's properties. */
const sweepOf = (template: ReturnType<typeof synth>['template']) => byId(template, 'AWS::Lambda::Function', 'TrackingSweep').props;
const DAY = 24 * 60 * 60;

describe('stall sweep at defaults', () => {
  const { template, construct } = synth();

  test('runs the bundled sweep hourly, one run at a time, with the default thresholds and 30-day expiry', () => {
    const sweep = sweepOf(template);
    expect(sweep).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 300, MemorySize: 256, ReservedConcurrentExecutions: 1 });
    expect(JSON.parse(sweep.Environment.Variables.STALL_THRESHOLDS)).toEqual({
      pending: 2 * DAY,
      info_received: 2 * DAY,
      in_transit: 5 * DAY,
      out_for_delivery: 1 * DAY,
      available_for_pickup: 7 * DAY,
      attempt_failed: 2 * DAY,
      exception: 3 * DAY,
    });
    expect(sweep.Environment.Variables.EXPIRE_AFTER_SECONDS).toBe(String(30 * DAY));
    const schedule = byId(template, 'AWS::Events::Rule', 'TrackingSweepSchedule').props;
    expect(schedule.ScheduleExpression).toBe('rate(1 hour)');
    expect(schedule.EventBusName).toBeUndefined();
    expect(schedule.Targets).toEqual([expect.objectContaining({ RetryPolicy: { MaximumRetryAttempts: 2 } })]);
    expect(construct.sweepFunction).toBeDefined();
    expect(construct.sweepSchedule).toBeDefined();
  });

  test('terminal statuses have no threshold: they never stall', () => {
    expect(Object.keys(DEFAULT_STALL_THRESHOLDS)).not.toEqual(expect.arrayContaining([TrackingStatus.DELIVERED]));
    for (const status of [TrackingStatus.DELIVERED, TrackingStatus.RETURNED, TrackingStatus.CANCELLED, TrackingStatus.EXPIRED]) {
      expect(DEFAULT_STALL_THRESHOLDS[status]).toBeUndefined();
    }
  });

  test('the sweep may query the status index, mark state items and write expired events, and nothing else of the table', () => {
    const statements = byId(template, 'AWS::IAM::Policy', 'TrackingSweepRole').props.PolicyDocument.Statement
      .filter((s: any) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TrackingTable/), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^TrackingTable/), 'Arn'] }, '/index/by-status']] },
      },
    ]);
  });

  test('failed runs alarm at once, per sweep interval, and the dashboard shows the sweep', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^Stall sweep'),
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Period: 3600,
      Threshold: 1,
      EvaluationPeriods: 1,
    });
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const metric of ['StallsMarked', 'ShipmentsExpired', 'SweepIncomplete']) expect(body).toContain(metric);
  });
});

describe('stalledShipments props', () => {
  test('thresholds, interval and expiry reach the sweep in seconds and minutes', () => {
    const { template } = synth({
      stalledShipments: {
        thresholds: { inTransit: Duration.days(3), outForDelivery: Duration.hours(12) },
        sweepInterval: Duration.minutes(15),
        expireAfter: Duration.days(60),
      },
    });
    const env = sweepOf(template).Environment.Variables;
    expect(JSON.parse(env.STALL_THRESHOLDS)).toEqual({ ...DEFAULT_STALL_THRESHOLDS, in_transit: 3 * DAY, out_for_delivery: 12 * 60 * 60 });
    expect(env.EXPIRE_AFTER_SECONDS).toBe(String(60 * DAY));
    expect(byId(template, 'AWS::Events::Rule', 'TrackingSweepSchedule').props.ScheduleExpression).toBe('rate(15 minutes)');
  });

  test('expireShipments false: stalls are reported, nothing expires', () => {
    const { template } = synth({ stalledShipments: { expireShipments: false } });
    expect(sweepOf(template).Environment.Variables.EXPIRE_AFTER_SECONDS).toBe('0');
  });

  test('enabled false: no sweep function, schedule or alarm; the listing route stays', () => {
    const { template, construct } = synth({ stalledShipments: { enabled: false } });
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('TrackingSweep'))).toEqual([]);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(construct.sweepFunction).toBeUndefined();
    expect(construct.alarms.map((alarm) => alarm.node.id)).not.toContain('SweepErrorsAlarm');
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /shipments' });
  });

  test.each<[string, object, RegExp]>([
    ['an unknown status threshold', { thresholds: { delivered: Duration.days(1) } },
      /stalledShipments\.thresholds\.delivered is not a status that can stall: set pending, infoReceived, .*\(terminal statuses never stall\)/],
    ['a threshold under a minute', { thresholds: { pending: Duration.seconds(30) } },
      /stalledShipments\.thresholds\.pending must be between 1 minute and 365 days \(got 30 seconds\)/],
    ['a threshold over a year', { thresholds: { exception: Duration.days(400) } },
      /stalledShipments\.thresholds\.exception must be between 1 minute and 365 days \(got 400 days\)/],
    ['a sweep interval over a day', { sweepInterval: Duration.days(2) },
      /stalledShipments\.sweepInterval must be between 1 minute and 1 day \(got 2 days\): an EventBridge schedule/],
    ['a sweep interval of fractional minutes', { sweepInterval: Duration.seconds(90) },
      /stalledShipments\.sweepInterval must be whole minutes \(got 1 minute 30 seconds\)/],
    ['expiry before the longest threshold', { expireAfter: Duration.days(5) },
      /stalledShipments\.expireAfter \(5 days\) must be at least every stall threshold \(available_for_pickup: 7 days\)/],
    ['expireAfter without expiry', { expireShipments: false, expireAfter: Duration.days(40) },
      /stalledShipments\.expireAfter needs expireShipments/],
    ['settings on a disabled sweep', { enabled: false, sweepInterval: Duration.hours(2) },
      /stalledShipments has settings but enabled is false/],
  ])('refuses %s, naming the prop, the value and what is allowed', (_case, stalledShipments, message) => {
    expect(() => synth({ stalledShipments })).toThrow(message);
  });

  test('an alarm that would evaluate more than a day of sweep intervals is refused', () => {
    expect(() => synth({ stalledShipments: { sweepInterval: Duration.hours(12) }, alarmOptions: { sweepErrors: { evaluationPeriods: 3 } } }))
      .toThrow(/alarmOptions\.sweepErrors\.evaluationPeriods \(3\) times the sweep interval \(12 hours\) must be at most 1 day/);
  });

  test('every StallThresholds field is a status that can stall, and every such status has a field', () => {
    const fields: Required<StallThresholds> = {
      pending: Duration.days(1),
      infoReceived: Duration.days(1),
      inTransit: Duration.days(1),
      outForDelivery: Duration.days(1),
      availableForPickup: Duration.days(1),
      attemptFailed: Duration.days(1),
      exception: Duration.days(1),
    };
    const env = sweepOf(synth({ stalledShipments: { thresholds: fields } }).template).Environment.Variables;
    expect(Object.keys(JSON.parse(env.STALL_THRESHOLDS)).sort()).toEqual(Object.keys(DEFAULT_STALL_THRESHOLDS).sort());
    expect(Object.values(JSON.parse(env.STALL_THRESHOLDS))).toEqual(Array(7).fill(DAY));
  });
});

describe('stall and erasure events', () => {
  test('onShipmentStalled routes stalls (optionally of some statuses) from the bus; onShipmentDeleted routes erasures', () => {
    const { template } = synth({}, (construct, stack) => {
      construct.onShipmentStalled('Ops', new targets.SqsQueue(new sqs.Queue(stack, 'Stalls')), { statuses: [TrackingStatus.OUT_FOR_DELIVERY] });
      construct.onShipmentDeleted('Privacy', new targets.SqsQueue(new sqs.Queue(stack, 'Deletions')));
    });
    const bus = { Ref: expect.stringMatching(/^TrackingEventBus/) };
    expect(byId(template, 'AWS::Events::Rule', 'TrackingShipmentStalledOps').props).toMatchObject({
      EventBusName: bus,
      Description: 'Tracking shipment stalled in out_for_delivery',
      EventPattern: { 'source': ['logistics.tracking'], 'detail-type': ['Tracking Shipment Stalled'], 'detail': { status: ['out_for_delivery'] } },
    });
    expect(byId(template, 'AWS::Events::Rule', 'TrackingShipmentDeletedPrivacy').props).toMatchObject({
      EventBusName: bus,
      EventPattern: { 'source': ['logistics.tracking'], 'detail-type': ['Tracking Shipment Deleted'] },
    });
  });

  test('eventRetention gives the sweep the same TTL as the handler, so expired events expire too', () => {
    const { template } = synth({ eventRetention: Duration.days(90) });
    expect(sweepOf(template).Environment.Variables.EVENT_TTL_SECONDS).toBe(String(90 * DAY));
  });
});
