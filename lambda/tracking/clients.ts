import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { region, requestHandler } from '../shared/client-settings';

/** The DynamoDB client of the tracking handler; few attempts, so a client retrying a 503 beats a hanging Lambda. */
export const dynamoDb = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region, maxAttempts: 3, requestHandler: requestHandler(3_000) }),
  { marshallOptions: { removeUndefinedValues: true } },
);
