import type { AssemblyStack, CfnTemplate } from '../../../local/assembly/cloud-assembly';

/**
 * A hand-written HTTP API template, shaped like what the CDK's `HttpApi`
 * (createDefaultStage false, an explicit `HttpStage`), `HttpLambdaIntegration`
 * (payload format 1.0) and `HttpIamAuthorizer` synthesize: built here so the
 * local runtime's tests do not depend on the construct.
 */

export const EMULATOR = 'http://127.0.0.1:4566';

export interface RouteFixture {
  readonly routeKey: string;
  readonly authorizationType?: string;
  /** Logical id of the integration (default `Integration`). */
  readonly integration?: string;
}

const route = ({ routeKey, authorizationType = 'NONE', integration = 'Integration' }: RouteFixture) => ({
  Type: 'AWS::ApiGatewayV2::Route',
  Properties: {
    ApiId: { Ref: 'Api' },
    RouteKey: routeKey,
    AuthorizationType: authorizationType,
    Target: { 'Fn::Join': ['', ['integrations/', { Ref: integration }]] },
  },
});

/** The default routes: an IAM POST /track, an IAM ANY /track, an open GET /items/{id}, an open ANY /items/{proxy+} and $default. */
export const ROUTES: readonly RouteFixture[] = [
  { routeKey: 'POST /track', authorizationType: 'AWS_IAM' },
  { routeKey: 'ANY /track', authorizationType: 'AWS_IAM' },
  { routeKey: 'GET /status' },
  { routeKey: 'GET /items/{id}' },
  { routeKey: 'GET /items/special' },
  { routeKey: 'ANY /items/{proxy+}' },
  { routeKey: '$default' },
];

export interface HttpApiTemplateOptions {
  readonly stageName?: string;
  readonly routes?: readonly RouteFixture[];
  readonly timeoutInMillis?: number;
  readonly stageVariables?: Record<string, string>;
}

export function httpApiTemplate(options: HttpApiTemplateOptions = {}): CfnTemplate {
  const routes = options.routes ?? ROUTES;
  return JSON.parse(JSON.stringify({
    Resources: {
      Handler: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler', Code: { S3Key: 'abc.zip' }, Timeout: 10 } },
      HandlerLive: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Handler' }, Name: 'live' } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: {} },
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'tracking', ProtocolType: 'HTTP', Description: 'tracking API' } },
      Stage: {
        Type: 'AWS::ApiGatewayV2::Stage',
        Properties: {
          ApiId: { Ref: 'Api' },
          StageName: options.stageName ?? 'prod',
          AutoDeploy: true,
          DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
          AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': ['Logs', 'Arn'] }, Format: '{"requestId":"$context.requestId"}' },
          ...(options.stageVariables ? { StageVariables: options.stageVariables } : {}),
        },
      },
      Integration: {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: {
          ApiId: { Ref: 'Api' },
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: { 'Fn::GetAtt': ['Handler', 'Arn'] },
          PayloadFormatVersion: '1.0',
          ...(options.timeoutInMillis !== undefined ? { TimeoutInMillis: options.timeoutInMillis } : {}),
        },
      },
      ...Object.fromEntries(routes.map((fixture, i) => [`Route${i}`, route(fixture)])),
      Permission: { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['Handler', 'Arn'] }, Principal: 'apigateway.amazonaws.com' } },
    },
  }));
}

/** A minimal REST API next to it, for the tests that choose between the two. */
export function withRestApi(template: CfnTemplate): CfnTemplate {
  const copy: any = JSON.parse(JSON.stringify(template));
  copy.Resources.Rest = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'rest' } };
  copy.Resources.RestStage = { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Rest' }, StageName: 'v1' } };
  copy.Resources.RestGet = {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: { Ref: 'Rest' },
      ResourceId: { 'Fn::GetAtt': ['Rest', 'RootResourceId'] },
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
      Integration: { Type: 'AWS_PROXY', Uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Handler.Arn}/invocations' } },
    },
  };
  return copy;
}

export function assembly(template: CfnTemplate): AssemblyStack {
  return { stackName: 'HttpApiTest', template, directory: '/cdk.out', assetDirectoryByObjectKey: new Map() };
}
