/**
 * What the benchmark hands each handler: the Lambda environment (pointed at the
 * local AWS stub) and one realistic `POST /track` invocation — an API Gateway REST
 * (v1) proxy event as an IAM-authorized stage delivers it, and a Lambda context.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** The config document the stub serves for any parameter name containing "config". */
export const CONFIG_DOCUMENT = { max_request_bytes: 32768 };

/** The flags document the stub serves for any parameter name containing "flags". */
export const FLAGS_DOCUMENT = { enhanced_tracking: true, batch_processing: false, real_time_notifications: true };

const FUNCTION_NAME = 'bench-tracking';
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
const LOG_STREAM_NAME = '2025/01/01/[$LATEST]00000000000000000000000000000000';

/**
 * Environment for a handler process: what the construct sets on the function plus
 * what Lambda itself sets, with every AWS endpoint redirected to the stub. (The
 * benchmark passes no other AWS_* or POWERTOOLS_* variable through.)
 */
export function lambdaEnvironment(stubEndpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: stubEndpoint,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    // Powertools reports cold_start (and its ColdStart metric) only for on-demand initialization.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
    AWS_LAMBDA_LOG_STREAM_NAME: LOG_STREAM_NAME,
    _HANDLER: 'index.handler',
    TZ: ':UTC',
    TABLE_NAME: 'bench-tracking',
    HISTORY_INDEX_NAME: 'history',
    STATUS_INDEX_NAME: 'by-status',
    STATUS_INDEX_SHARDS: '8',
    CONFIG_PARAMETER_NAME: '/bench/config',
    FLAGS_PARAMETER_NAME: '/bench/flags',
    CONFIG_CACHE_TTL_SECONDS: '60',
    DEFAULT_CONFIG: JSON.stringify(CONFIG_DOCUMENT),
    DEFAULT_FLAGS: JSON.stringify(FLAGS_DOCUMENT),
    POWERTOOLS_METRICS_NAMESPACE: 'Bench',
    POWERTOOLS_SERVICE_NAME: 'bench',
  };
}

/**
 * `POST /track` with one valid update, as API Gateway's REST proxy integration delivers it:
 * shipment BENCH-1 unless `trackingId` names another, request id from the clock unless
 * `requestId` is given (the warm sample sends many updates a millisecond).
 */
export function trackEvent(trackingId = 'BENCH-1', requestId = `bench-${Date.now().toString(36)}`): APIGatewayProxyEvent {
  const body = JSON.stringify({ tracking_id: trackingId, status: 'in_transit', location: { lat: 52.5, lng: 13.4 } });
  const headers = {
    'Host': `abcdef1234.execute-api.${REGION}.amazonaws.com`,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'User-Agent': 'scanner-fleet/1.0',
    'X-Amzn-Trace-Id': 'Root=1-00000000-000000000000000000000000',
    'X-Forwarded-For': '203.0.113.10',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  return {
    resource: '/track',
    path: '/track',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: 'abcdef1234',
      authorizer: null,
      domainName: `abcdef1234.execute-api.${REGION}.amazonaws.com`,
      domainPrefix: 'abcdef1234',
      extendedRequestId: 'Bench0000000000=',
      httpMethod: 'POST',
      identity: {
        accessKey: 'AKIAIOSFODNN7EXAMPLE',
        accountId: ACCOUNT_ID,
        apiKey: null,
        apiKeyId: null,
        caller: 'AROAEXAMPLE:scanner-01',
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: 'AROAEXAMPLE:scanner-01',
        userAgent: 'scanner-fleet/1.0',
        userArn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/scanner-fleet/scanner-01`,
      },
      path: '/dev/track',
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: new Date().toUTCString(),
      requestTimeEpoch: Date.now(),
      resourceId: 'abc123',
      resourcePath: '/track',
      stage: 'dev',
    },
  };
}

/** The context object Lambda passes next to the event (first invocation, 10 s timeout). */
export function lambdaContext(): Context {
  const deadline = Date.now() + 10_000;
  const fail = (): never => {
    throw new Error('callback-style completion is not used by async handlers');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${FUNCTION_NAME}`,
    memoryLimitInMB: '1024',
    awsRequestId: '00000000-0000-4000-8000-000000000001',
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}
