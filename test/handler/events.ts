import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** A REST API (v1) proxy-integration event, as API Gateway sends it. */
export function apiEvent(options: {
  method: string;
  resource: string;
  path?: string;
  body?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  isBase64Encoded?: boolean;
}): APIGatewayProxyEvent {
  const path = options.path ?? options.resource;
  return {
    resource: options.resource,
    path,
    httpMethod: options.method,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api0123456',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: options.method,
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/test${path}`,
      stage: 'test',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1_764_150_000_000,
      resourceId: 'abc123',
      resourcePath: options.resource,
    },
  };
}

/** POST /track with a JSON body. */
export function trackEvent(body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }): APIGatewayProxyEvent {
  return apiEvent({ method: 'POST', resource: '/track', body: JSON.stringify(body), headers });
}

/** GET /status with query parameters. */
export function statusEvent(query: Record<string, string>): APIGatewayProxyEvent {
  return apiEvent({ method: 'GET', resource: '/status', query });
}

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'tracking-handler',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:tracking-handler',
  memoryLimitInMB: '512',
  awsRequestId: 'b6c1f3b0-0000-4000-8000-000000000001',
  logGroupName: '/aws/lambda/tracking-handler',
  logStreamName: '2026/11/26/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** The parsed JSON body of a handler result. */
export function bodyOf(result: { body: string }): any {
  return JSON.parse(result.body);
}
