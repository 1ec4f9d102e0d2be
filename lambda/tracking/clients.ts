import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS clients, created once per execution environment and reused by every
 * invocation (connections stay open between invocations).
 *
 * Timeouts are short because API Gateway stops waiting at 29 s and a client
 * retrying against a 503 is better than a Lambda hanging on a dead connection;
 * few attempts for the same reason.
 */
const region = process.env.AWS_REGION;

const requestHandler = {
  connectionTimeout: 1_000,
  requestTimeout: 3_000,
  // Without this the SDK only logs a warning when requestTimeout passes.
  throwOnRequestTimeout: true,
  httpsAgent: { keepAlive: true },
  // Local emulators are plain HTTP.
  httpAgent: { keepAlive: true },
};

export const dynamoDb = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region, maxAttempts: 3, requestHandler }),
  { marshallOptions: { removeUndefinedValues: true } },
);

// SSM answers in tens of milliseconds and config has a fallback, so waiting on it
// never pays off: a shorter request timeout and two attempts.
export const ssm = new SSMClient({ region, maxAttempts: 2, requestHandler: { ...requestHandler, requestTimeout: 1_000 } });
