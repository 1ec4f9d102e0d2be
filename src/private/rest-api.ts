import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { TrackingApiOptions } from './api-options';
import { skipCheckovCheck } from './checkov';
import { ApiAuthorizationType } from '../authorization';
import { TRACKING_BATCH_SCHEMA, TRACKING_UPDATE_SCHEMA } from '../contract/request-schema';
import { RouteDefinition, ROUTES } from '../contract/routes';

export interface TrackingRestApiOptions extends TrackingApiOptions {
  readonly manageAccountRole: boolean;
  readonly webAclArn?: string;
}

export interface TrackingRestApi {
  readonly api: apigateway.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  readonly requestValidator: apigateway.RequestValidator;
  readonly trackingUpdateModel: apigateway.Model;
}

/** What a client that should back off and retry is told, as the handler's own 503 does. */
const RETRY_AFTER = { 'Retry-After': "'1'" };

/**
 * The REST API: REGIONAL, one stage with throttling, JSON access logs and
 * X-Ray, the routes of the contract behind the chosen authorization, and
 * API Gateway's own errors rendered in the contract's `{"error": ...}` shape.
 */
export function createRestApi(scope: Construct, options: TrackingRestApiOptions): TrackingRestApi {
  const accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', {
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
    encryptionKey: options.encryptionKey,
  });

  const api = new apigateway.RestApi(scope, 'Api', {
    description: 'LogisticsTrackingApi: shipment tracking',
    endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
    // Explicit, so the template does not depend on the consumer's feature flags
    // (@aws-cdk/aws-apigateway:disableCloudWatchRole); see manageApiGatewayAccountRole.
    cloudWatchRole: options.manageAccountRole,
    ...(options.manageAccountRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
    deployOptions: {
      stageName: options.stageName,
      tracingEnabled: true,
      metricsEnabled: true,
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      throttlingRateLimit: options.rateLimit,
      throttlingBurstLimit: options.burstLimit,
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogGroup),
      accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
    },
  });

  for (const type of [apigateway.ResponseType.DEFAULT_4XX, apigateway.ResponseType.DEFAULT_5XX]) {
    // Gateway response templates are plain substitution (no VTL);
    // messageString is already a quoted JSON string.
    api.addGatewayResponse(`${type.responseType}Response`, {
      type,
      templates: { 'application/json': '{"error":$context.error.messageString}' },
    });
  }
  // Over the stage's throttling limits: 429, and when to come back.
  api.addGatewayResponse('THROTTLEDResponse', {
    type: apigateway.ResponseType.THROTTLED,
    statusCode: '429',
    responseHeaders: RETRY_AFTER,
    templates: { 'application/json': '{"error":$context.error.messageString}' },
  });
  // Lambda refused the invocation: the handler is at its reserved concurrency (or the
  // account's), which API Gateway reports as an integration failure, by default a 504
  // "Internal server error" that reads like a timeout. It is a momentary lack of
  // capacity, so it is answered like the handler's own: 503, Retry-After: 1.
  api.addGatewayResponse('INTEGRATION_FAILUREResponse', {
    type: apigateway.ResponseType.INTEGRATION_FAILURE,
    statusCode: '503',
    responseHeaders: RETRY_AFTER,
    templates: { 'application/json': '{"error":"service temporarily unavailable, retry later"}' },
  });

  // Bodies are validated by the handler only. API Gateway's body validation answers
  // "Invalid request body", and the only detail it exposes,
  // $context.error.validationErrorString, is its schema library's message list, e.g.
  // `[object has missing required properties (["location"])]`: no JSON pointer to the
  // field, and gateway response templates are plain substitution, so it cannot be
  // reshaped. The contract's 400 names each field (`{"path": "/location/lat", ...}`),
  // which only the handler's validator, precompiled from the same schema, can do. The
  // cost is one invocation (a few ms) per rejected body instead of none: scanner fleets
  // rarely send bad bodies, and a 400 that names nothing cannot be acted on
  // (docs/decisions/0006-handler-validates-bodies.md).
  const requestValidator = api.addRequestValidator('RequestValidator', {
    validateRequestBody: false,
    validateRequestParameters: true,
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason: 'The request validator checks required parameters; bodies are validated by the handler against the same JSON schema, because only the handler can answer the contract\'s 400 naming each offending field (API Gateway\'s validation errors carry no field paths).',
  });

  // The models stay on the methods, unenforced: they document the bodies in the API's
  // SDK and OpenAPI exports.
  const trackingUpdateModel = api.addModel('TrackingUpdateModel', {
    contentType: 'application/json',
    modelName: 'TrackingUpdate',
    description: 'One tracking update (POST /track)',
    // The contract's schema is already in CloudFormation's form ($schema, draft-04).
    schema: TRACKING_UPDATE_SCHEMA as unknown as apigateway.JsonSchema,
  });

  const trackingBatchModel = api.addModel('TrackingBatchModel', {
    contentType: 'application/json',
    modelName: 'TrackingBatch',
    description: 'Up to 100 tracking updates (POST /track/batch); each update is validated by the handler',
    schema: TRACKING_BATCH_SCHEMA as unknown as apigateway.JsonSchema,
  });
  const models: Record<string, apigateway.Model> = {
    TrackingUpdate: trackingUpdateModel,
    TrackingBatch: trackingBatchModel,
  };

  const integration = new apigateway.LambdaIntegration(options.handler, {
    // One invoke permission for the whole API instead of two per method.
    scopePermissionToMethod: false,
  });
  const auth = options.authorization._methodOptions(scope);

  for (const route of Object.values<RouteDefinition>(ROUTES)) {
    const resource = api.root.resourceForPath(route.path);
    resource.addMethod(route.method, integration, {
      ...auth,
      requestValidator,
      requestModels: route.bodyModel ? { 'application/json': models[route.bodyModel] } : undefined,
      requestParameters: route.requiredQueryParameters.length > 0
        ? Object.fromEntries(route.requiredQueryParameters.map((name) => [`method.request.querystring.${name}`, true]))
        : undefined,
    });
    // Other methods on a known path reach the handler, which answers 405 with
    // `Allow`; API Gateway would otherwise answer 403 "Missing Authentication Token"
    // (docs/decisions/0007-any-methods-and-proxy-for-404-405.md).
    resource.addMethod('ANY', integration, auth);
  }
  // Unknown paths reach the handler too, which answers 404.
  api.root.addMethod('ANY', integration, auth);
  api.root.addResource('{proxy+}').addMethod('ANY', integration, auth);

  if (options.authorization.type === ApiAuthorizationType.IAM) {
    for (const method of api.methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'The API is authorized with AWS IAM (SigV4) by default, chosen for machine-to-machine ingest; a Cognito user pool is available through ApiAuthorization.cognito().',
      });
    }
  }
  skipCheckovCheck(api.deploymentStage, 'CKV_AWS_120',
    'No cache on purpose: writes must never be cached, and GET /status must show an update as soon as it is stored.');

  if (options.webAclArn !== undefined) {
    new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn: options.webAclArn,
    });
  }
  return { api, accessLogGroup, requestValidator, trackingUpdateModel };
}
