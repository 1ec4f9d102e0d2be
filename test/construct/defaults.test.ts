import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { byId, only, synth, trackingHandler } from './harness';
import { ApiType } from '../../src';
import { TRACKING_BATCH_SCHEMA, TRACKING_UPDATE_SCHEMA } from '../../src/contract/request-schema';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';

/** The Lambda permissions API Gateway invokes through (the sweep's schedule has its own). */
const apiGatewayPermissions = (t: ReturnType<typeof synth>['template']) => Object.values(t.findResources('AWS::Lambda::Permission'))
  .filter((permission) => permission.Properties.Principal === 'apigateway.amazonaws.com');

describe('a default LogisticsTrackingApi', () => {
  const { template, construct, stack } = synth();

  test('synthesizes without a warning or an error', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  describe('table', () => {
    test('is on-demand with pk/sk string keys, a NEW_AND_OLD_IMAGES stream and point-in-time recovery', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      });
    });

    test('orders history through the `history` local secondary index on history_sk', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        LocalSecondaryIndexes: [{
          IndexName: 'history',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'history_sk', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'ALL' },
        }],
      });
    });

    test('lists statuses through the sharded `by-status` index, not a raw status key, projecting the keys and the stall mark only', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: [{
          IndexName: 'by-status',
          KeySchema: [{ AttributeName: 'status_pk', KeyType: 'HASH' }, { AttributeName: 'status_sk', KeyType: 'RANGE' }],
          // A scan that leaves the status as it is changes nothing projected, so it writes nothing to the index;
          // the sweep tells reported stalls from new ones by the mark.
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['stalled_sk'] },
        }],
      });
    });

    test('is retained and deletion-protected', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
    });

    test('uses the AWS-owned key', () => {
      expect(only(template, 'AWS::DynamoDB::Table').props.SSESpecification).toBeUndefined();
    });
  });

  describe('parameters', () => {
    test('writes config, feature flags and table name as String parameters under /logistics-tracking/dev', () => {
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/logistics-tracking/dev/config', Type: 'String', Value: JSON.stringify({ max_request_bytes: 32768 }),
      });
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/logistics-tracking/dev/feature-flags', Type: 'String', Value: JSON.stringify(DEFAULT_FEATURE_FLAGS),
      });
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/logistics-tracking/dev/table-name', Type: 'String', Value: { Ref: only(template, 'AWS::DynamoDB::Table').id },
      });
    });

    test('defaults the flags to enhanced tracking on, batch off, notifications on', () => {
      expect(DEFAULT_FEATURE_FLAGS).toEqual({ enhanced_tracking: true, batch_processing: false, real_time_notifications: true });
    });
  });

  describe('function', () => {
    test('runs nodejs24.x on arm64 with X-Ray active, 512 MB and a timeout under API Gateway\'s 29 s', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
      });
    });

    test("the three functions log in JSON without Lambda's START, END and REPORT lines (system log level WARN), application logs at INFO", () => {
      const functions = template.findResources('AWS::Lambda::Function');
      expect(Object.keys(functions)).toHaveLength(3);
      for (const fn of Object.values(functions)) {
        expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN' });
        // An application level above INFO would drop the metrics: Lambda files EMF lines, which carry no level, as INFO.
        expect(fn.Properties.LoggingConfig.ApplicationLogLevel ?? 'INFO').toBe('INFO');
      }
    });

    test('gets its wiring through the environment and sets no reserved variable', () => {
      const env = trackingHandler(template).props.Environment.Variables;
      expect(Object.keys(env).sort()).toEqual([
        'CONFIG_CACHE_TTL_SECONDS', 'CONFIG_PARAMETER_NAME', 'DEFAULT_CONFIG', 'DEFAULT_FLAGS', 'EVENT_TTL_SECONDS',
        'FLAGS_PARAMETER_NAME', 'HISTORY_INDEX_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME',
        'STATUS_INDEX_NAME', 'STATUS_INDEX_SHARDS', 'TABLE_NAME',
      ].concat('CURSOR_KEY').sort());
      expect(env.CURSOR_KEY).toEqual({ Ref: 'AWS::StackId' });
      expect(env.CONFIG_CACHE_TTL_SECONDS).toBe('60');
      expect(env.EVENT_TTL_SECONDS).toBe('0');
      expect(Object.keys(env).filter((k) => k.startsWith('AWS_') || k.startsWith('LAMBDA_'))).toEqual([]);
    });

    test('logs to its own log group, kept three months and retained', () => {
      const fn = trackingHandler(template).props;
      const groups = template.findResources('AWS::Logs::LogGroup');
      const id = fn.LoggingConfig.LogGroup.Ref;
      expect(groups[id].Properties.RetentionInDays).toBe(90);
      expect(groups[id].DeletionPolicy).toBe('Retain');
    });

    test('has no managed policies, and its policy allows only the item operations it makes', () => {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
      const statements = byId(template, 'AWS::IAM::Policy', 'TrackingHandlerRole').props.PolicyDocument.Statement;
      const actions = statements.flatMap((s: any) => [].concat(s.Action));
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions).not.toContain('dynamodb:DeleteTable');
      expect(JSON.stringify(statements)).not.toContain('/index/*');
    });

    test('may Put, Update, Get and BatchGet items, Query a shipment\'s items and delete them (erasure) on the table, and Query its two indexes, nothing else', () => {
      const statements = byId(template, 'AWS::IAM::Policy', 'TrackingHandlerRole').props.PolicyDocument.Statement;
      const tableArn = { 'Fn::GetAtt': [only(template, 'AWS::DynamoDB::Table').id, 'Arn'] };
      const indexArn = (name: string) => ({ 'Fn::Join': ['', [tableArn, `/index/${name}`]] });
      expect(statements.filter((s: any) => JSON.stringify(s.Action).includes('dynamodb:'))).toEqual([
        {
          Effect: 'Allow',
          Action: [
            'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query',
            'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem',
          ],
          Resource: tableArn,
        },
        { Effect: 'Allow', Action: 'dynamodb:Query', Resource: [indexArn('history'), indexArn('by-status')] },
      ]);
    });

    test('may read exactly its two parameters, with the one call it makes (GetParameters)', () => {
      const statements = byId(template, 'AWS::IAM::Policy', 'TrackingHandlerRole').props.PolicyDocument.Statement;
      const ssm = statements.filter((s: any) => JSON.stringify(s.Action).includes('ssm:'));
      expect(ssm.map((s: any) => s.Action)).toEqual(['ssm:GetParameters']);
      const resources = JSON.stringify(ssm.map((s: any) => s.Resource));
      const params = template.findResources('AWS::SSM::Parameter');
      const idOf = (name: string) => Object.keys(params).find((id) => params[id].Properties.Name === name)!;
      expect(resources).toContain(`"Ref":"${idOf('/logistics-tracking/dev/config')}"`);
      expect(resources).toContain(`"Ref":"${idOf('/logistics-tracking/dev/feature-flags')}"`);
      expect(resources).not.toContain(idOf('/logistics-tracking/dev/table-name'));
    });
  });

  describe('HTTP API', () => {
    test('is an HTTP API with a `dev` stage, throttled 100/200, with JSON access logs', () => {
      expect(construct.apiType).toBe(ApiType.HTTP);
      template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: 'dev',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
        AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId"') }),
      });
    });

    test('authorizes every route with IAM', () => {
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
      expect(routes).toHaveLength(11);
      for (const route of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
    });

    test('grants API Gateway one invoke permission for the whole API', () => {
      expect(apiGatewayPermissions(template)).toHaveLength(1);
    });
  });

  describe('REST API (apiType REST)', () => {
    const rest = synth({ apiType: ApiType.REST }).template;

    test('is REGIONAL', () => {
      rest.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    });

    test('has a `dev` stage with throttling 100/200, X-Ray, error logging and JSON access logs', () => {
      rest.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'dev',
        TracingEnabled: true,
        MethodSettings: [Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
        })],
        AccessLogSetting: Match.objectLike({ Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId"') }),
      });
    });

    test('does not manage the account-wide API Gateway logging role', () => {
      rest.resourceCountIs('AWS::ApiGateway::Account', 0);
    });

    test('authorizes every method with IAM', () => {
      const methods = Object.values(rest.findResources('AWS::ApiGateway::Method'));
      expect(methods).toHaveLength(12);
      for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    });

    test('validates required parameters at the gateway and leaves bodies to the handler, which names each offending field', () => {
      const validator = only(rest, 'AWS::ApiGateway::RequestValidator').props;
      expect(validator.ValidateRequestParameters).toBe(true);
      expect(validator.ValidateRequestBody).toBe(false);
    });

    test('still attaches the contract schema, verbatim, to POST /track and POST /track/batch, to document their bodies', () => {
      const model = byId(rest, 'AWS::ApiGateway::Model', 'TrackingApiTrackingUpdateModel').props;
      expect(model.ContentType).toBe('application/json');
      expect(model.Schema).toEqual(TRACKING_UPDATE_SCHEMA);
      expect(model.Schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
      const batchModel = byId(rest, 'AWS::ApiGateway::Model', 'TrackingApiTrackingBatchModel').props;
      expect(batchModel.Schema).toEqual(TRACKING_BATCH_SCHEMA);
      const validatorId = only(rest, 'AWS::ApiGateway::RequestValidator').id;
      for (const [path, modelId] of [['track', 'TrackingApiTrackingUpdateModel'], ['batch', 'TrackingApiTrackingBatchModel']]) {
        const resourceId = Object.entries(rest.findResources('AWS::ApiGateway::Resource'))
          .find(([, resource]) => resource.Properties.PathPart === path)![0];
        rest.hasResourceProperties('AWS::ApiGateway::Method', {
          HttpMethod: 'POST',
          ResourceId: { Ref: resourceId },
          RequestModels: { 'application/json': { Ref: byId(rest, 'AWS::ApiGateway::Model', modelId).id } },
          RequestValidatorId: { Ref: validatorId },
        });
      }
    });

    test('requires tracking_id on GET /status', () => {
      rest.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET',
        RequestParameters: { 'method.request.querystring.tracking_id': true },
      });
    });

    test('proxies every method to the handler, with no dead method or integration responses', () => {
      for (const method of Object.values(rest.findResources('AWS::ApiGateway::Method'))) {
        expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
        expect(method.Properties.MethodResponses).toBeUndefined();
        expect(method.Properties.Integration.IntegrationResponses).toBeUndefined();
      }
    });

    test('sends unknown paths and other methods to the handler, which answers 404 and 405', () => {
      const methods = Object.values(rest.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties.HttpMethod);
      expect(methods.sort()).toEqual(['ANY', 'ANY', 'ANY', 'ANY', 'ANY', 'ANY', 'ANY', 'DELETE', 'GET', 'GET', 'POST', 'POST']);
      rest.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    });

    test('renders API Gateway errors in the contract\'s {"error": ...} shape', () => {
      for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
        rest.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
          ResponseType: type,
          ResponseTemplates: { 'application/json': '{"error":$context.error.messageString}' },
        });
      }
    });

    test('grants API Gateway one invoke permission for the whole API', () => {
      expect(apiGatewayPermissions(rest)).toHaveLength(1);
    });
  });

  describe('alarms and dashboard', () => {
    test('creates nine alarms, each notifying the alarm topic on ALARM and OK', () => {
      const topic = only(template, 'AWS::SNS::Topic').id;
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(9);
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
        expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
        // The dead-letter queue and the hourly sweep: one breaching period is the signal.
        const once = alarm.Properties.AlarmDescription.includes('dead-letter') || alarm.Properties.AlarmDescription.includes('Stall sweep');
        expect(alarm.Properties.EvaluationPeriods).toBe(once ? 1 : 5);
        expect(alarm.Properties.DatapointsToAlarm).toBe(once ? 1 : 3);
      }
      expect(construct.alarms).toHaveLength(9);
    });

    test('uses the documented default thresholds', () => {
      const byDescription = (d: string) => Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .find((a) => a.Properties.AlarmDescription.includes(d))!.Properties;
      expect(byDescription('client errors').Threshold).toBe(50);
      expect(byDescription('server errors').Threshold).toBe(5);
      expect(byDescription('p99 latency').Threshold).toBe(2000);
      expect(byDescription('p99 latency').ExtendedStatistic).toBe('p99');
      expect(byDescription('failed invocations').Threshold).toBe(5);
      expect(byDescription('throttled invocations').Threshold).toBe(1);
      expect(byDescription('throttled requests').Threshold).toBe(1);
      expect(byDescription('dead-letter queue').Threshold).toBe(1);
      expect(byDescription('iterator age').Threshold).toBe(60_000);
    });

    test('alarms on API metrics carry both ApiId and Stage dimensions (ApiName and Stage with apiType REST)', () => {
      const dimensionsOf = (alarms: Record<string, any>, metricName: string) => Object.values(alarms)
        .find((a) => a.Properties.MetricName === metricName)!.Properties.Dimensions.map((d: any) => d.Name).sort();
      expect(dimensionsOf(template.findResources('AWS::CloudWatch::Alarm'), '5xx')).toEqual(['ApiId', 'Stage']);
      const rest = synth({ apiType: ApiType.REST }).template;
      expect(dimensionsOf(rest.findResources('AWS::CloudWatch::Alarm'), '5XXError')).toEqual(['ApiName', 'Stage']);
    });

    test('the table throttle alarm counts every operation the handler makes, GET /shipments\' BatchGetItem included', () => {
      const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .find((a) => a.Properties.AlarmDescription.includes('throttled requests'))!.Properties;
      const operations = alarm.Metrics.flatMap((m: any) => m.MetricStat?.Metric.Dimensions ?? [])
        .filter((d: any) => d.Name === 'Operation').map((d: any) => d.Value).sort();
      expect(operations).toEqual(['BatchGetItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem']);
    });

    test('the alarm topic refuses non-TLS publishers', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
    });

    test('the dashboard\'s metrics carry their dimensions', () => {
      const body = JSON.stringify(only(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody);
      for (const dimension of ['ApiId', 'Stage', 'FunctionName', 'TableName', 'Operation', 'QueueName']) {
        expect(body).toContain(`\\"${dimension}\\"`);
      }
    });
  });

  describe('exposed resources and outputs', () => {
    test('every created resource is a public field', () => {
      expect(construct.table).toBeDefined();
      expect(construct.handler).toBeDefined();
      expect(construct.handlerLogGroup).toBeDefined();
      expect(construct.handlerRole).toBeDefined();
      expect(construct.httpApi).toBeDefined();
      expect(construct.httpStage).toBeDefined();
      expect(construct.accessLogGroup).toBeDefined();
      expect(construct.configParameter).toBeDefined();
      expect(construct.featureFlagsParameter).toBeDefined();
      expect(construct.tableNameParameter).toBeDefined();
      expect(construct.alarmTopic).toBeDefined();
      expect(construct.dashboard).toBeDefined();
      const rest = synth({ apiType: ApiType.REST }).construct;
      for (const field of [rest.api, rest.stage, rest.requestValidator, rest.trackingUpdateModel]) expect(field).toBeDefined();
    });

    test('names, URLs and the dashboard address are properties', () => {
      const resolve = (value: string) => JSON.stringify(construct.table.stack.resolve(value));
      expect(resolve(construct.apiUrl)).toContain('execute-api');
      expect(resolve(construct.tableName)).toContain(only(template, 'AWS::DynamoDB::Table').id);
      expect(resolve(construct.handlerFunctionName)).toContain(trackingHandler(template).id);
      expect(resolve(construct.deadLetterQueueUrl)).toContain(only(template, 'AWS::SQS::Queue').id);
      expect(resolve(construct.dashboardUrl)).toContain('#dashboards:name=');
      expect(resolve(construct.dashboardUrl)).toContain(only(template, 'AWS::CloudWatch::Dashboard').id);
    });
  });
});
