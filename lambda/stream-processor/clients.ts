import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
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
