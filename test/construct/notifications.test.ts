import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { byId, only, synth } from './harness';
import { TrackingStatus } from '../../src';

describe('shipment events and delivery analytics', () => {
  const { template, construct } = synth();
  const processor = () => byId(template, 'AWS::Lambda::Function', 'TrackingStreamProcessor');

  test('a stream processor runs nodejs24.x on arm64 with X-Ray, below the 15-minute limit', () => {
    expect(processor().props).toMatchObject({
      Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Timeout: 60, MemorySize: 256,
    });
  });

  test('reads the table stream filtered at the source to state items written or removed, with bounded retries and per-record failures', () => {
    const mapping = only(template, 'AWS::Lambda::EventSourceMapping').props;
    expect(mapping).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [only(template, 'AWS::DynamoDB::Table').id, 'StreamArn'] },
      FunctionName: { Ref: processor().id },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [only(template, 'AWS::SQS::Queue').id, 'Arn'] } } },
    });
    expect(JSON.parse(mapping.FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT', 'MODIFY', 'REMOVE'],
      // Event items and the delivery record (sk DELIVERY, which the processor itself writes) never invoke it.
      dynamodb: { Keys: { sk: { S: ['STATE'] } } },
    });
  });

  test('publishes to a created bus, dead-letters to the queue, reads only the flags, and counts into the table', () => {
    const env = processor().props.Environment.Variables;
    expect(env.EVENT_BUS_NAME).toEqual({ Ref: only(template, 'AWS::Events::EventBus').id });
    expect(env.DEAD_LETTER_QUEUE_URL).toEqual({ Ref: only(template, 'AWS::SQS::Queue').id });
    expect(env.FLAGS_PARAMETER_NAME).toBeDefined();
    expect(env.CONFIG_PARAMETER_NAME).toBeUndefined();
    expect(env.TABLE_NAME).toEqual({ Ref: only(template, 'AWS::DynamoDB::Table').id });
    expect(env.HISTORY_INDEX_NAME).toBe('history');
    // The dashboard reads the analytics metrics by these two (see the monitoring tests).
    expect(env).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'LogisticsTracking', POWERTOOLS_SERVICE_NAME: 'logistics-tracking-notifications' });
    const statements = byId(template, 'AWS::IAM::Policy', 'TrackingStreamProcessorRole').props.PolicyDocument.Statement;
    const actions = statements.flatMap((s: any) => [].concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['events:PutEvents', 'sqs:SendMessage', 'ssm:GetParameters',
      'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream']));
    // The writes are the delivery record's: its PutItem, and its DeleteItem when the shipment is removed.
    expect(actions.filter((a: string) => /dynamodb:(Put|Update|Delete|BatchWrite|Scan)/.test(a))).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem']);
  });

  test("the processor's policy allows exactly what it and its mapping call, on exactly their resources", () => {
    const statements = byId(template, 'AWS::IAM::Policy', 'TrackingStreamProcessorRole').props.PolicyDocument.Statement;
    const table = only(template, 'AWS::DynamoDB::Table').id;
    const flags = Object.entries(template.findResources('AWS::SSM::Parameter'))
      .find(([, p]) => p.Properties.Name === '/logistics-tracking/dev/feature-flags')![0];
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [byId(template, 'AWS::Logs::LogGroup', 'TrackingStreamProcessorLogs').id, 'Arn'] } },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [only(template, 'AWS::Events::EventBus').id, 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [only(template, 'AWS::SQS::Queue').id, 'Arn'] } },
      { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:parameter', { Ref: flags }]] } },
      // The delivery record, and the last ETA from the history index (its ARN, not table/*).
      { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], Resource: { 'Fn::GetAtt': [table, 'Arn'] } },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/history']] } },
      { Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
      { Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: { 'Fn::GetAtt': [table, 'StreamArn'] } },
    ]);
  });

  test('with an encryptionKey, the processor may only GenerateDataKey and Decrypt with it (send to the queue, read the stream)', () => {
    const result = synth((stack) => ({ encryptionKey: new kms.Key(stack, 'Key') }));
    const statements = byId(result.template, 'AWS::IAM::Policy', 'TrackingStreamProcessorRole').props.PolicyDocument.Statement;
    const kmsActions = statements.flatMap((s: any) => [].concat(s.Action)).filter((a: string) => a.startsWith('kms:'));
    expect([...new Set(kmsActions)].sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    for (const statement of statements.filter((s: any) => JSON.stringify(s.Action).includes('kms:'))) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [only(result.template, 'AWS::KMS::Key').id, 'Arn'] });
    }
  });

  test('the dead-letter queue keeps records 14 days, encrypted, refusing non-TLS clients', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    expect(construct.deadLetterQueue).toBeDefined();
    expect(construct.streamProcessor).toBeDefined();
    expect(construct.streamProcessorLogGroup).toBeDefined();
  });

  test('an eventBus prop replaces the created bus', () => {
    const result = synth((stack) => ({ eventBus: events.EventBus.fromEventBusName(stack, 'Shared', 'platform-events') }));
    result.template.resourceCountIs('AWS::Events::EventBus', 0);
    expect(byId(result.template, 'AWS::Lambda::Function', 'TrackingStreamProcessor').props.Environment.Variables.EVENT_BUS_NAME)
      .toBe('platform-events');
  });

  test('an encryptionKey encrypts the dead-letter queue', () => {
    const result = synth((stack) => ({ encryptionKey: new kms.Key(stack, 'Key') }));
    result.template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('onStatusChanged', () => {
  test('routes chosen statuses to a target through a rule on the bus', () => {
    const { template } = synth({}, (construct, stack) => {
      construct.onStatusChanged('Delivered', new targets.SqsQueue(new sqs.Queue(stack, 'Notify')), {
        statuses: [TrackingStatus.DELIVERED, TrackingStatus.EXCEPTION],
      });
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: only(template, 'AWS::Events::EventBus').id },
      EventPattern: {
        'source': ['logistics.tracking'],
        'detail-type': ['Tracking Status Changed'],
        'detail': { status: ['delivered', 'exception'] },
      },
      Description: 'Tracking status changed to delivered, exception',
    });
  });

  test('without statuses matches every status change', () => {
    const { template } = synth({}, (construct, stack) => {
      construct.onStatusChanged('All', new targets.SqsQueue(new sqs.Queue(stack, 'Notify')));
    });
    const rule = byId(template, 'AWS::Events::Rule', 'TrackingStatusChangedAll').props;
    expect(rule.EventPattern).toEqual({ 'source': ['logistics.tracking'], 'detail-type': ['Tracking Status Changed'] });
  });
});
