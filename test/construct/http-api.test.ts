import { Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { byId, only, synth } from './harness';
import { ApiAuthorization, ApiType } from '../../src';
import { RouteDefinition, ROUTES } from '../../src/contract/routes';

/** `apiType: ApiType.HTTP`: the same routes and handler behind an API Gateway HTTP API. */

const CONTRACT_ROUTE_KEYS = Object.values<RouteDefinition>(ROUTES).map((route) => `${route.method} ${route.path}`);
const PATHS = [...new Set(Object.values<RouteDefinition>(ROUTES).map((route) => route.path))];

describe('apiType HTTP', () => {
  const { construct, template, stack } = synth({ apiType: ApiType.HTTP, stageName: 'prod', throttling: { rateLimit: 40, burstLimit: 80 } });
  const routes = () => Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties);

  test('an HTTP API and no REST API', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    template.resourceCountIs('AWS::ApiGateway::Stage', 0);
    expect(only(template, 'AWS::ApiGatewayV2::Api').props).toMatchObject({ ProtocolType: 'HTTP' });
    expect(construct.apiType).toBe(ApiType.HTTP);
    expect(construct.httpApi).toBeDefined();
    expect(construct.httpStage).toBeDefined();
    const restOnly = [construct.api, construct.stage, construct.requestValidator, construct.trackingUpdateModel];
    expect(restOnly).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('each contract route, ANY on each of its paths (405 from the handler) and $default (404), all to the handler, all signed with IAM', () => {
    expect(routes().map((route) => route.RouteKey).sort()).toEqual([
      ...CONTRACT_ROUTE_KEYS, ...PATHS.map((path) => `ANY ${path}`), '$default',
    ].sort());
    for (const route of routes()) expect(route.AuthorizationType).toBe('AWS_IAM');
    const integration = only(template, 'AWS::ApiGatewayV2::Integration');
    for (const route of routes()) expect(route.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integration.id }]] });
  });

  test('the handler gets the REST proxy event (payload format 1.0), by one invoke permission for the whole API', () => {
    const integration = only(template, 'AWS::ApiGatewayV2::Integration').props;
    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '1.0' });
    const handlerId = byId(template, 'AWS::Lambda::Function', 'TrackingHandler').id;
    expect(integration.IntegrationUri).toEqual({ 'Fn::GetAtt': [handlerId, 'Arn'] });
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((resource) => resource.Properties).filter((props) => props.Principal === 'apigateway.amazonaws.com');
    expect(permissions).toHaveLength(1);
    const [permission] = permissions;
    expect(permission).toMatchObject({ Principal: 'apigateway.amazonaws.com', FunctionName: { 'Fn::GetAtt': [handlerId, 'Arn'] } });
    expect(JSON.stringify(permission.SourceArn)).toContain('/*/*/*');
  });

  test('one stage, named by stageName, deployed automatically, throttled, with JSON access logs keyed by request id', () => {
    const stage = only(template, 'AWS::ApiGatewayV2::Stage').props;
    expect(stage).toMatchObject({
      StageName: 'prod',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 },
    });
    const accessLogs = byId(template, 'AWS::Logs::LogGroup', 'TrackingAccessLogs');
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogs.id, 'Arn'] });
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' });
    expect(accessLogs.props.RetentionInDays).toBe(90);
  });

  test('apiUrl is the stage URL, ending in / like the REST one', () => {
    const url = JSON.stringify(stack.resolve(construct.apiUrl));
    expect(url).toContain(only(template, 'AWS::ApiGatewayV2::Api').id);
    expect(url).toMatch(/\/prod\/"\]\]\}$/);
  });

  test('grants name the HTTP API routes of this stage, exactly as the REST flavour spells them', () => {
    const { template: withGrants } = synth({ apiType: ApiType.HTTP, stageName: 'prod' }, (tracking, s) => {
      tracking.grantIngest(new iam.Role(s, 'Scanners', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    const apiId = only(withGrants, 'AWS::ApiGatewayV2::Api').id;
    const policy = byId(withGrants, 'AWS::IAM::Policy', 'ScannersDefaultPolicy').props;
    const resources: unknown[] = policy.PolicyDocument.Statement[0].Resource;
    const arn = (methodPath: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:eu-west-1:111111111111:', { Ref: apiId }, `/prod/${methodPath}`]],
    });
    expect(resources).toEqual([arn('POST/track'), arn('POST/track/batch')]);
  });

  test("the API alarms and the dashboard use the HTTP API's metrics (ApiId and Stage)", () => {
    const apiId = only(template, 'AWS::ApiGatewayV2::Api').id;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: Match.arrayWith([{ Name: 'ApiId', Value: { Ref: apiId } }, { Name: 'Stage', Value: 'prod' }]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '4xx' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: 'Latency' });
    const dashboard = JSON.stringify(only(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody);
    expect(dashboard).toContain('ApiId');
    expect(dashboard).not.toContain('ApiName');
  });
});

describe('apiType HTTP with other authorizations', () => {
  test('none(): every route open', () => {
    const { template } = synth({ apiType: ApiType.HTTP, authorization: ApiAuthorization.none() });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('NONE');
  });

  test("cognito(): one JWT authorizer of the pool's issuer for every route, with the scopes, the given clients as the audience", () => {
    const { template } = synth((stack) => {
      const pool = new cognito.UserPool(stack, 'Pool');
      const client = pool.addClient('Scanners');
      return { apiType: ApiType.HTTP, authorization: ApiAuthorization.cognito(pool, ['tracking/write'], [client]) };
    });
    const authorizer = only(template, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.props).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    expect(JSON.stringify(authorizer.props.JwtConfiguration.Issuer)).toContain('cognito-idp');
    expect(authorizer.props.JwtConfiguration.Audience).toEqual([{ Ref: byId(template, 'AWS::Cognito::UserPoolClient', 'PoolScanners').id }]);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
      expect(route.Properties).toMatchObject({
        AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizer.id }, AuthorizationScopes: ['tracking/write'],
      });
    }
  });

  test('cognito() without clients: the pool gets one app client, whose tokens are the ones accepted', () => {
    const { template } = synth((stack) => ({ apiType: ApiType.HTTP, authorization: ApiAuthorization.cognito(new cognito.UserPool(stack, 'Pool')) }));
    const client = only(template, 'AWS::Cognito::UserPoolClient');
    expect(only(template, 'AWS::ApiGatewayV2::Authorizer').props.JwtConfiguration.Audience).toEqual([{ Ref: client.id }]);
  });
});

describe('apiType HTTP with the other props', () => {
  test('encryptionKey and logRetention reach the access log group', () => {
    const { template } = synth((stack) => ({
      apiType: ApiType.HTTP,
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      logRetention: logs.RetentionDays.ONE_YEAR,
    }));
    const accessLogs = byId(template, 'AWS::Logs::LogGroup', 'TrackingAccessLogs').props;
    expect(accessLogs).toMatchObject({ RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } });
  });

  test.each<[string, object, RegExp]>([
    ['webAclArn', { webAclArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/platform/a1b2c3d4-5678-90ab-cdef-111111111111' },
      /webAclArn needs apiType REST: AWS WAF cannot be associated with an HTTP API/],
    ['manageApiGatewayAccountRole', { manageApiGatewayAccountRole: true }, /manageApiGatewayAccountRole needs apiType REST/],
  ])('%s is refused with a clear error', (_name, props, message) => {
    expect(() => synth({ apiType: ApiType.HTTP, ...props })).toThrow(message);
  });

  test('it is the default', () => {
    const { construct, template } = synth();
    expect(construct.apiType).toBe(ApiType.HTTP);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
  });
});
