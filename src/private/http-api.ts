import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TrackingApiOptions } from './api-options';
import { RouteDefinition, ROUTES } from '../contract/routes';

export interface TrackingHttpApi {
  readonly api: apigatewayv2.HttpApi;
  readonly stage: apigatewayv2.HttpStage;
  readonly accessLogGroup: logs.LogGroup;
}

/**
 * One JSON line per request, with the fields of the REST stage's access log
 * (`jsonWithStandardFields`) in their HTTP API spelling: the route key stands
 * for the resource path, and the integration's error says why a 5xx was one.
 */
const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  user: '$context.identity.user',
  caller: '$context.identity.caller',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationError: '$context.integrationErrorMessage',
}));

/**
 * The HTTP API flavour (`ApiType.HTTP`): one stage with throttling and JSON
 * access logs, the contract's routes behind the chosen authorization, and every
 * other request — another method on a known path, an unknown path — sent to the
 * handler too, which answers 405 (with `Allow`) or 404 in the contract's shape.
 *
 * The handler is integrated with payload format 1.0, the REST API's proxy event,
 * so one handler serves both flavours without a second event parser.
 */
export function createHttpApi(scope: Construct, options: TrackingApiOptions): TrackingHttpApi {
  const accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', {
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
    encryptionKey: options.encryptionKey,
  });

  const integration = new integrations.HttpLambdaIntegration('Handler', options.handler, {
    payloadFormatVersion: apigatewayv2.PayloadFormatVersion.VERSION_1_0,
    // One invoke permission for the whole API instead of one per route.
    scopePermissionToRoute: false,
  });
  const { authorizer, authorizationScopes } = options.authorization._httpRouteAuthorization();

  const api = new apigatewayv2.HttpApi(scope, 'HttpApi', {
    description: 'LogisticsTrackingApi: shipment tracking',
    createDefaultStage: false,
    // The $default route: whatever no route below matches reaches the handler (404).
    defaultIntegration: integration,
    defaultAuthorizer: authorizer,
    defaultAuthorizationScopes: authorizationScopes,
  });

  const paths = new Set<string>();
  for (const route of Object.values<RouteDefinition>(ROUTES)) {
    api.addRoutes({ path: route.path, methods: [route.method as apigatewayv2.HttpMethod], integration });
    paths.add(route.path);
  }
  // Other methods on a known path: the handler answers 405 with `Allow`.
  for (const path of paths) api.addRoutes({ path, methods: [apigatewayv2.HttpMethod.ANY], integration });

  const stage = new apigatewayv2.HttpStage(scope, 'HttpStage', {
    httpApi: api,
    stageName: options.stageName,
    autoDeploy: true,
    throttle: { rateLimit: options.rateLimit, burstLimit: options.burstLimit },
    accessLogSettings: {
      destination: new apigatewayv2.LogGroupLogDestination(accessLogGroup),
      format: ACCESS_LOG_FORMAT,
    },
  });
  return { api, stage, accessLogGroup };
}
