import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { region, requestHandler } from '../shared/client-settings';

/**
 * One attempt per call: the publisher owns the retry policy (publisher.ts),
 * because the SDK would only retry whole-call failures, never the failed entries
 * of a PutEvents answer, and two nested retry loops would multiply the attempts.
 */
export const eventBridge = new EventBridgeClient({ region, maxAttempts: 1, requestHandler: requestHandler(2_000) });

/**
 * The dead-letter queue is the last stop before a record is handed back to the
 * event source mapping, so the SDK's own (short) retries are worth having here.
 */
export const sqs = new SQSClient({ region, maxAttempts: 3, requestHandler: requestHandler(2_000) });

/**
 * Delivery analytics (analytics/): one history query and one conditional put per
 * delivered shipment. The SDK's own retries (3 attempts) cover a throttle or a
 * dropped connection; what still fails is dead-lettered and counted on replay.
 */
export const dynamoDb = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region, maxAttempts: 3, requestHandler: requestHandler(2_000) }),
  { marshallOptions: { removeUndefinedValues: true } },
);
