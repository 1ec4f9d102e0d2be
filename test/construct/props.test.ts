import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { only, synth, trackingHandler } from './harness';
import { ApiAuthorization, ApiAuthorizationType, ApiType } from '../../src';
import { RouteDefinition, ROUTES } from '../../src/contract/routes';

const envOf = (template: ReturnType<typeof synth>['template']) => trackingHandler(template).props.Environment.Variables;

describe('props', () => {
  test('stage names the API stage (HTTP or REST) and the parameter path', () => {
    const { template } = synth({ stageName: 'prod' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'prod' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/logistics-tracking/prod/config' });
    synth({ stageName: 'prod', apiType: ApiType.REST }).template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  test('parameterPath replaces the parameter path', () => {
    const { template } = synth({ parameterPath: '/team-a/tracking' });
    for (const leaf of ['config', 'feature-flags', 'table-name']) {
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: `/team-a/tracking/${leaf}` });
    }
  });

  test('throttling sets the stage rate and burst (HTTP or REST)', () => {
    const throttling = { rateLimit: 25, burstLimit: 50 };
    synth({ throttling }).template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 },
    });
    synth({ throttling, apiType: ApiType.REST }).template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 })],
    });
  });

  test('maxRequestBytes reaches the config parameter and the deploy-time default', () => {
    const { template } = synth({ maxRequestBytes: 4096 });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/logistics-tracking/dev/config', Value: '{"max_request_bytes":4096}' });
    expect(envOf(template).DEFAULT_CONFIG).toBe('{"max_request_bytes":4096}');
  });

  test('configCacheTtl sets the handler\'s cache in seconds', () => {
    expect(envOf(synth({ configCacheTtl: Duration.minutes(5) }).template).CONFIG_CACHE_TTL_SECONDS).toBe('300');
  });

  test('handlerMemorySize sets the tracking handler\'s memory', () => {
    synth({ handlerMemorySize: 1024 }).template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024 });
  });

  test('featureFlags are written to the flags parameter and the deploy-time default', () => {
    const { template } = synth({ featureFlags: { enhancedTracking: false, batchProcessing: true } });
    const expected = '{"enhanced_tracking":false,"batch_processing":true,"real_time_notifications":true}';
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/logistics-tracking/dev/feature-flags', Value: expected });
    expect(envOf(template).DEFAULT_FLAGS).toBe(expected);
  });

  test('logRetention applies to the three functions\' logs and the access logs', () => {
    const { template } = synth({ logRetention: logs.RetentionDays.ONE_WEEK });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(4);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(7);
  });

  test('eventRetention becomes the handler\'s event TTL in seconds', () => {
    expect(envOf(synth({ eventRetention: Duration.days(30) }).template).EVENT_TTL_SECONDS).toBe(String(30 * 86400));
  });

  test('removalPolicy DESTROY applies to the table and both log groups', () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(group.DeletionPolicy).toBe('Delete');
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  test('encryptionKey encrypts the table and the alarm topic, lets the handler use it and lets CloudWatch publish', () => {
    const withKey = synth((stack) => ({ encryptionKey: new kms.Key(stack, 'Key') })).template;
    withKey.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() } });
    withKey.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    withKey.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']) })]) },
    });
    withKey.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
  });

  test('alarm thresholds, periods and enabled come from the per-alarm structs', () => {
    const { template, construct } = synth({
      alarmOptions: {
        apiServerErrors: { maxErrorCount: 1, evaluationPeriods: 2, datapointsToAlarm: 2 },
        apiLatency: { maxLatency: Duration.millis(800) },
        apiClientErrors: { maxErrorCount: 200 },
        handlerErrors: { enabled: false },
        handlerThrottles: { maxThrottleCount: 3 },
        tableThrottles: { maxThrottledRequestCount: 10 },
        deadLetterQueue: { maxMessageCount: 5, evaluationPeriods: 2, datapointsToAlarm: 2 },
        streamIteratorAge: { maxIteratorAge: Duration.minutes(10) },
        sweepErrors: { maxErrorCount: 2, evaluationPeriods: 3, datapointsToAlarm: 2 },
      },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toHaveLength(8);
    expect(construct.alarms).toHaveLength(8);
    const by = (d: string) => alarms.find((a) => a.AlarmDescription.includes(d));
    expect(by('server errors')).toMatchObject({ Threshold: 1, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    expect(by('p99 latency').Threshold).toBe(800);
    expect(by('client errors').Threshold).toBe(200);
    expect(by('failed invocations')).toBeUndefined();
    expect(by('throttled invocations').Threshold).toBe(3);
    expect(by('throttled requests').Threshold).toBe(10);
    expect(by('dead-letter queue')).toMatchObject({ Threshold: 5, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    expect(by('iterator age').Threshold).toBe(600_000);
    expect(by('Stall sweep')).toMatchObject({ Threshold: 2, EvaluationPeriods: 3, DatapointsToAlarm: 2, Period: 3600 });
  });

  test('alarmTopic is notified instead of a created topic', () => {
    const result = synth((stack) => ({ alarmTopic: new sns.Topic(stack, 'OpsTopic') }));
    result.template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicId = only(result.template, 'AWS::SNS::Topic').id;
    expect(topicId).toMatch(/^OpsTopic/);
    for (const alarm of Object.values(result.template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  test('alarmActions alone replace the created topic', () => {
    const result = synth((stack) => ({
      alarmActions: [{ bind: () => ({ alarmActionArn: `arn:aws:sns:eu-west-1:111111111111:${stack.stackName}-pager` }) } as cloudwatch.IAlarmAction],
    }));
    result.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(result.template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:111111111111:TestStack-pager']);
    }
  });

  test('manageApiGatewayAccountRole creates the account logging role, retained (apiType REST)', () => {
    const { template } = synth({ apiType: ApiType.REST, manageApiGatewayAccountRole: true });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
  });

  describe('authorization', () => {
    test('none() leaves routes (HTTP) and methods (REST) open and warns', () => {
      const { template, stack } = synth({ authorization: ApiAuthorization.none() });
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
      expect(routes).toHaveLength(11);
      for (const route of routes) expect(route.Properties.AuthorizationType).toBe('NONE');
      const rest = synth({ apiType: ApiType.REST, authorization: ApiAuthorization.none() }).template;
      const methods = Object.values(rest.findResources('AWS::ApiGateway::Method'));
      expect(methods).toHaveLength(12);
      for (const method of methods) expect(method.Properties.AuthorizationType).toBe('NONE');
      const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning');
      expect(JSON.stringify(warnings)).toContain('logistics-tracking-api:unauthenticatedApi');
    });

    test('cognito() puts one user-pool authorizer with the scopes on every method (apiType REST)', () => {
      const result = synth((stack) => ({
        apiType: ApiType.REST,
        authorization: ApiAuthorization.cognito(new cognito.UserPool(stack, 'Pool'), ['tracking/ingest']),
      }));
      result.template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
      const authorizer = only(result.template, 'AWS::ApiGateway::Authorizer').id;
      for (const method of Object.values(result.template.findResources('AWS::ApiGateway::Method'))) {
        expect(method.Properties).toMatchObject({
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: { Ref: authorizer },
          AuthorizationScopes: ['tracking/ingest'],
        });
      }
    });

    test('each factory reports its type', () => {
      expect(ApiAuthorization.iam().type).toBe(ApiAuthorizationType.IAM);
      expect(ApiAuthorization.none().type).toBe(ApiAuthorizationType.NONE);
    });
  });
});

describe('grants', () => {
  /** The statements of the policy `grant` gives a role, and the stage method ARN of a route in the same stack. */
  const grantsOf = (grant: 'grantIngest' | 'grantRead' | 'grantErase') => {
    // The REST API's method ARNs; test/construct/http-api.test.ts checks the HTTP API's.
    const { template, stack, construct } = synth({ apiType: ApiType.REST }, (c, s) => {
      c[grant](new iam.Role(s, 'Client', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes('Client'))!;
    const arnOf = (route: RouteDefinition) => stack.resolve(construct.api!.arnForExecuteApi(route.method, route.path, construct.stage!.stageName));
    return { statements: policy.Properties.PolicyDocument.Statement, arnOf };
  };
  /** `METHOD /path` of each method ARN a statement allows (`arn:...:execute-api:...:<api>/<stage>/METHOD/path`). */
  const routesIn = (statement: any) => [].concat(statement.Resource).map((arn) => {
    const tail = /\/(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|\*)(\/[^"]*)"\]\]\}$/.exec(JSON.stringify(arn));
    if (!tail) throw new Error(`not a method ARN: ${JSON.stringify(arn)}`);
    return `${tail[1]} ${tail[2]}`;
  });

  test('grantIngest allows execute-api:Invoke on POST /track and POST /track/batch of the stage only', () => {
    const { statements } = grantsOf('grantIngest');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('execute-api:Invoke');
    expect(routesIn(statements[0]).sort()).toEqual(['POST /track', 'POST /track/batch']);
    expect(JSON.stringify(statements[0].Resource)).not.toContain('*');
  });

  test('grantRead allows execute-api:Invoke on GET /status and GET /shipments of the stage only', () => {
    const { statements } = grantsOf('grantRead');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('execute-api:Invoke');
    expect(routesIn(statements[0]).sort()).toEqual(['GET /shipments', 'GET /status']);
    expect(JSON.stringify(statements[0].Resource)).not.toContain('*');
  });

  test('grantErase allows execute-api:Invoke on DELETE /shipments/{tracking_id} of the stage only', () => {
    const { statements } = grantsOf('grantErase');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('execute-api:Invoke');
    expect(routesIn(statements[0])).toEqual(['DELETE /shipments/{tracking_id}']);
  });

  test('every contract route is in exactly one grant', () => {
    const granted = {
      grantIngest: routesIn(grantsOf('grantIngest').statements[0]),
      grantRead: routesIn(grantsOf('grantRead').statements[0]),
      grantErase: routesIn(grantsOf('grantErase').statements[0]),
    };
    for (const route of Object.values<RouteDefinition>(ROUTES)) {
      const holders = Object.entries(granted).filter(([, routes]) => routes.includes(`${route.method} ${route.path}`)).map(([grant]) => grant);
      expect({ route: `${route.method} ${route.path}`, holders }).toEqual({ route: `${route.method} ${route.path}`, holders: [expect.any(String)] });
    }
  });

  test.each([['grantIngest', 'ingest'], ['grantRead', 'read'], ['grantErase', 'erase']] as const)(
    '%s allows exactly the stage method ARNs of the contract routes marked %s, nothing else', (grant, group) => {
      const { statements, arnOf } = grantsOf(grant);
      const arns = Object.values<RouteDefinition>(ROUTES).filter((route) => route.grant === group).map(arnOf);
      // A policy statement with one resource names it alone, not in a list.
      expect(statements).toEqual([{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: arns.length === 1 ? arns[0] : arns }]);
    });
});
