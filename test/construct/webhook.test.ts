import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { only, synth } from './harness';
import { LogisticsTrackingApiProps, TrackingStatus, Webhook, WebhookProps } from '../../src';

const ENDPOINT = 'https://hooks.example.com/tracking';

function withWebhook(
  props: Partial<WebhookProps> = {},
  constructProps: LogisticsTrackingApiProps | ((stack: Stack) => LogisticsTrackingApiProps) = {},
) {
  let webhook: Webhook | undefined;
  const result = synth(constructProps, (construct) => {
    webhook = construct.addWebhook('Orders', { endpoint: ENDPOINT, ...props });
  });
  return { ...result, webhook: webhook! };
}

function webhookRule(template: Template): any {
  const rules = Object.entries(template.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('TrackingWebhookOrdersRule'));
  expect(rules).toHaveLength(1);
  return rules[0][1].Properties;
}

describe('addWebhook at its defaults', () => {
  const { template, webhook, construct } = withWebhook();
  const rule = webhookRule(template);

  test('construct ids are Webhook<id>/…, the public contract of the logical ids', () => {
    expect(webhook.node.path).toBe('TestStack/Tracking/WebhookOrders');
    expect(Object.keys(template.findResources('AWS::Events::ApiDestination'))).toEqual([expect.stringMatching(/^TrackingWebhookOrdersDestination/)]);
    expect(Object.keys(template.findResources('AWS::Events::Connection'))).toEqual([expect.stringMatching(/^TrackingWebhookOrdersConnection/)]);
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret'))).toEqual([expect.stringMatching(/^TrackingWebhookOrdersSecret/)]);
  });

  test('the rule matches every status change on the construct\'s bus, not stalls', () => {
    expect(rule.EventBusName).toEqual({ Ref: expect.stringMatching(/^TrackingEventBus/) });
    expect(rule.EventPattern).toEqual({ 'source': ['logistics.tracking'], 'detail-type': ['Tracking Status Changed'] });
    expect(rule.Description).toBe(`Tracking status changes to ${ENDPOINT}`);
  });

  test('the payload is {id, type, time, data} from the event', () => {
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0].InputTransformer).toEqual({
      InputPathsMap: { 'id': '$.id', 'detail-type': '$.detail-type', 'time': '$.time', 'detail': '$.detail' },
      InputTemplate: '{"id":<id>,"type":<detail-type>,"time":<time>,"data":<detail>}',
    });
  });

  test('retries: 185 within 1 hour, then the webhook\'s dead-letter queue', () => {
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 });
    expect(rule.Targets[0].DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TrackingWebhookOrdersDeadLetterQueue/), 'Arn'] });
  });

  test('the API destination POSTs to the endpoint at most 10 times a second', () => {
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: ENDPOINT,
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 10,
    });
  });

  test('the connection sends the created secret in X-Webhook-Secret', () => {
    const secretId = only(template, 'AWS::SecretsManager::Secret').id;
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'X-Webhook-Secret',
          ApiKeyValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] },
        },
      },
    });
    expect(webhook.headerName).toBe('X-Webhook-Secret');
  });

  test('the created secret: 64 letters and digits, retained', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false }, KmsKeyId: Match.absent() },
      DeletionPolicy: 'Retain',
    });
  });

  test('the dead-letter queue: SQS-managed encryption, TLS only, 14 days, retained; only the rule may send to it', () => {
    template.hasResource('AWS::SQS::Queue', {
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 },
      DeletionPolicy: 'Retain',
    });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'))
      .filter((policy: any) => JSON.stringify(policy.Properties.Queues).includes('TrackingWebhookOrdersDeadLetterQueue'));
    expect(policies).toHaveLength(1);
    expect((policies[0] as any).Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Action: 'sqs:SendMessage',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^TrackingWebhookOrdersRule/), 'Arn'] } } },
    }));
  });

  test('two alarms (dead-letter queue depth ≥ 1, lost events ≥ 1) join the construct\'s alarms and notify its topic', () => {
    expect(webhook.alarms.map((alarm) => alarm.node.id)).toEqual(['DeadLetterQueueAlarm', 'LostEventsAlarm']);
    for (const alarm of webhook.alarms) expect(construct.alarms).toContain(alarm);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrackingWebhookOrdersDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^TrackingAlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^TrackingAlarmTopic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'InvocationsFailedToBeSentToDlq',
      Statistic: 'Sum',
      Threshold: 1,
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'EventBusName' }), Match.objectLike({ Name: 'RuleName' })]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^TrackingAlarmTopic') }],
    });
  });

  test('the dashboard shows the webhook\'s deliveries, failures and queue depth, and its alarms', () => {
    const body = JSON.stringify(only(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody);
    expect(body).toContain('WebhookOrders: deliveries and failures');
    expect(body).toContain('WebhookOrders: dead-letter queue depth');
    for (const metric of ['Invocations', 'FailedInvocations', 'InvocationsSentToDlq', 'RetryInvocationAttempts']) expect(body).toContain(`\\"${metric}\\"`);
    // The alarm status widget lists the construct's alarms, the webhook's among them.
    expect(body).toMatch(/TrackingWebhookOrdersDeadLetterQueueAlarm/);
  });
});

describe('addWebhook props', () => {
  test('statuses filter the rule by detail.status', () => {
    const rule = webhookRule(withWebhook({ statuses: [TrackingStatus.DELIVERED, TrackingStatus.EXCEPTION] }).template);
    expect(rule.EventPattern.detail).toEqual({ status: ['delivered', 'exception'] });
    expect(rule.Description).toBe(`Tracking status changes to delivered, exception to ${ENDPOINT}`);
  });

  test('includeStalled adds Tracking Shipment Stalled; with statuses, stalls in those statuses', () => {
    const rule = webhookRule(withWebhook({ includeStalled: true, statuses: [TrackingStatus.IN_TRANSIT] }).template);
    expect(rule.EventPattern).toEqual({
      'source': ['logistics.tracking'],
      'detail-type': ['Tracking Status Changed', 'Tracking Shipment Stalled'],
      'detail': { status: ['in_transit'] },
    });
    expect(rule.Description).toBe(`Tracking status changes to in_transit and stalls in in_transit to ${ENDPOINT}`);
  });

  test('a brought secret: no secret is created and the connection reads the brought one', () => {
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:webhooks/orders-AbCdEf';
    let webhook: Webhook | undefined;
    let brought: secretsmanager.ISecret | undefined;
    const { template } = synth({}, (construct, stack) => {
      brought = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Brought', secretArn);
      webhook = construct.addWebhook('Orders', { endpoint: ENDPOINT, secret: brought });
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyValue: `{{resolve:secretsmanager:${secretArn}:SecretString:::}}` } },
    });
    expect(webhook!.secret).toBe(brought);
  });

  test('headerName, rateLimitPerSecond, retryAttempts, maxEventAge and description', () => {
    const { template } = withWebhook({
      headerName: 'Authorization',
      rateLimitPerSecond: 300,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      description: 'Orders team',
    });
    template.hasResourceProperties('AWS::Events::Connection', { AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'Authorization' } } });
    template.hasResourceProperties('AWS::Events::ApiDestination', { InvocationRateLimitPerSecond: 300 });
    const rule = webhookRule(template);
    expect(rule.Description).toBe('Orders team');
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });

  test('deadLetterQueueAlarm: thresholds apply; enabled false leaves only the lost-events alarm', () => {
    const tuned = withWebhook({ deadLetterQueueAlarm: { maxMessageCount: 10, evaluationPeriods: 3, datapointsToAlarm: 2 } });
    tuned.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrackingWebhookOrdersDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 10,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    const off = withWebhook({ deadLetterQueueAlarm: { enabled: false } });
    expect(off.webhook.alarms.map((alarm) => alarm.node.id)).toEqual(['LostEventsAlarm']);
  });

  test('an endpoint token is not validated', () => {
    expect(() => withWebhook({ endpoint: Token.asString({ Ref: 'WebhookEndpoint' }) })).not.toThrow();
  });
});

describe('addWebhook with the construct\'s settings', () => {
  test('encryptionKey encrypts the queue and the secret, and lets EventBridge (this account) use the key', () => {
    let key: kms.Key | undefined;
    const { template } = withWebhook({}, (stack) => {
      key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      return { encryptionKey: key };
    });
    const keyRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] };
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyRef, QueueName: Match.absent() });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyRef });
    const statements = only(template, 'AWS::KMS::Key').props.KeyPolicy.Statement;
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }));
  });

  test('removalPolicy DESTROY reaches the queue and the secret', () => {
    const { template } = withWebhook({}, { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    expect(Object.entries(template.findResources('AWS::SQS::Queue'))
      .filter(([id]) => id.startsWith('TrackingWebhookOrders')).map(([, queue]) => queue.DeletionPolicy)).toEqual(['Delete']);
  });

  test('alarmActions run on the webhook\'s alarms', () => {
    const { template } = withWebhook({}, (stack) => ({
      alarmActions: [{ bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-west-1:111111111111:pager' }) } as cloudwatch.IAlarmAction],
      alarmTopic: new sns.Topic(stack, 'Topic'),
    }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'InvocationsFailedToBeSentToDlq',
      AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:pager', { Ref: Match.stringLikeRegexp('^Topic') }],
    });
  });

  test('on the default bus the rule\'s metrics are by RuleName alone', () => {
    const { template } = withWebhook({}, (stack) => ({ eventBus: events.EventBus.fromEventBusName(stack, 'Default', 'default') }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'InvocationsFailedToBeSentToDlq',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: Match.stringLikeRegexp('^TrackingWebhookOrdersRule') } }],
    });
  });

  test('two webhooks live side by side', () => {
    const { template } = synth({}, (construct) => {
      construct.addWebhook('A', { endpoint: 'https://a.example.com/' });
      construct.addWebhook('B', { endpoint: 'https://b.example.com/' });
    });
    template.resourceCountIs('AWS::Events::ApiDestination', 2);
    template.resourceCountIs('AWS::Events::Connection', 2);
  });
});

describe('webhook validation', () => {
  test.each<[string, Partial<WebhookProps>, RegExp]>([
    ['{ endpoint: \'http://hooks.example.com/\' }', { endpoint: 'http://hooks.example.com/' }, /^Webhook: endpoint must be an https:\/\/ URL \(got "http:\/\/hooks.example.com\/"\): EventBridge API destinations call HTTPS endpoints only$/],
    ['{ endpoint: \'hooks.example.com\' }', { endpoint: 'hooks.example.com' }, /endpoint must be an https:\/\/ URL \(got "hooks.example.com"\)/],
    ['{ endpoint: \'https://…\' (2074 characters) }', { endpoint: `https://hooks.example.com/${'a'.repeat(2048)}` }, /endpoint must be at most 2048 characters \(got 2074\)/],
    ['{ headerName: \'X Secret\' }', { headerName: 'X Secret' }, /headerName must be an HTTP header name of 1 to 512 letters, digits and .* \(got "X Secret"\)/],
    ['{ headerName: \'Content-Type\' }', { headerName: 'Content-Type' }, /headerName must not be Content-Type: EventBridge sets that header itself; choose another, e.g. 'X-Webhook-Secret'/],
    ['{ rateLimitPerSecond: 0 }', { rateLimitPerSecond: 0 }, /rateLimitPerSecond must be a whole number between 1 and 300 \(got 0\)/],
    ['{ rateLimitPerSecond: 301 }', { rateLimitPerSecond: 301 }, /rateLimitPerSecond must be a whole number between 1 and 300 \(got 301\)/],
    ['{ rateLimitPerSecond: 1.5 }', { rateLimitPerSecond: 1.5 }, /rateLimitPerSecond must be a whole number between 1 and 300 \(got 1.5\)/],
    ['{ retryAttempts: -1 }', { retryAttempts: -1 }, /retryAttempts must be a whole number between 0 and 185 \(got -1\): EventBridge's retry policy allows no more/],
    ['{ retryAttempts: 186 }', { retryAttempts: 186 }, /retryAttempts must be a whole number between 0 and 185 \(got 186\)/],
    ['{ maxEventAge: Duration.seconds(59) }', { maxEventAge: Duration.seconds(59) }, /maxEventAge must be a whole number of seconds between 1 minute and 24 hours \(got 59 seconds\)/],
    ['{ maxEventAge: Duration.hours(25) }', { maxEventAge: Duration.hours(25) }, /maxEventAge must be a whole number of seconds between 1 minute and 24 hours \(got 1 day 1 hour\)/],
    ['{ maxEventAge: Duration.millis(90_500) }', { maxEventAge: Duration.millis(90_500) }, /maxEventAge must be a whole number of seconds/],
    ['{ deadLetterQueueAlarm: { evaluationPeriods: 0 } }', { deadLetterQueueAlarm: { evaluationPeriods: 0 } }, /deadLetterQueueAlarm.evaluationPeriods must be a whole number between 1 and 1440 \(got 0\)/],
    ['{ deadLetterQueueAlarm: { evaluationPeriods: 2, datapointsToAlarm: 3 } }', { deadLetterQueueAlarm: { evaluationPeriods: 2, datapointsToAlarm: 3 } }, /deadLetterQueueAlarm.datapointsToAlarm must be a whole number between 1 and 2 \(got 3\)/],
    ['{ deadLetterQueueAlarm: { maxMessageCount: 0 } }', { deadLetterQueueAlarm: { maxMessageCount: 0 } }, /deadLetterQueueAlarm.maxMessageCount must be a whole number between 1 and/],
  ])('%s is refused', (_label, props, message) => {
    expect(() => withWebhook(props)).toThrow(message);
  });

  test('a valid webhook at the bounds is accepted', () => {
    expect(() => withWebhook({ rateLimitPerSecond: 1, retryAttempts: 185, maxEventAge: Duration.hours(24) })).not.toThrow();
  });
});
