import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { TEST_ENV } from './env';
import { DEFAULT_FEATURE_FLAGS, type FeatureFlagsDocument } from '../../src/contract/runtime-config';

export const eventBridge = mockClient(EventBridgeClient);
export const sqs = mockClient(SQSClient);
export const ssm = mockClient(SSMClient);
/** The processor's DynamoDB (delivery analytics), through lib-dynamodb's document client. */
export const dynamoDb = mockClient(DynamoDBDocumentClient);

/**
 * The mocked history index answers a delivery's ETA query with these pages (the
 * items it would return after the filter, newest first); the mocked table takes
 * every delivery record put, once per shipment: a second put for the same
 * partition key fails its condition, as DynamoDB's would.
 */
export function tableHolds(pages: Record<string, unknown>[][] = [[]]): void {
  let page = 0;
  dynamoDb.on(QueryCommand).callsFake(() => {
    const index = page++;
    const more = index + 1 < pages.length;
    return { Items: pages[index] ?? [], ...(more ? { LastEvaluatedKey: { pk: 'TRACK#PKG-1', sk: `EVENT#page-${index}`, history_sk: `page-${index}` } } : {}) };
  });
  const recorded = new Set<string>();
  dynamoDb.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    const pk = String(input.Item.pk);
    if (recorded.has(pk)) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    recorded.add(pk);
    return {};
  });
}

/** Every delivery record put (the Item of each PutCommand), in call order. */
export const deliveryRecordPuts = (): Record<string, unknown>[] => dynamoDb.commandCalls(PutCommand).map((call) => call.args[0].input.Item!);

/** The mocked SSM answers with this flags document. */
export function flagsAre(flags: FeatureFlagsDocument): void {
  ssm.on(GetParametersCommand).resolves({
    Parameters: [{ Name: TEST_ENV.FLAGS_PARAMETER_NAME, Type: 'String', Value: JSON.stringify(flags), Version: 1 }],
    InvalidParameters: [],
  });
}

/**
 * The mocked EventBridge answers every PutEvents entry with `answer(entry, attempt)`
 * (attempt = how often this same entry has been sent, from 1): undefined =
 * accepted (an EventId), else that per-entry error code.
 */
export function putEventsAnswers(answer: (entry: PutEventsRequestEntry, attempt: number) => string | undefined = () => undefined): void {
  let nextId = 1;
  const sent = new Map<string, number>();
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    const entries: PutEventsResultEntry[] = input.Entries.map((entry) => {
      const attempt = (sent.get(entry.Detail!) ?? 0) + 1;
      sent.set(entry.Detail!, attempt);
      const errorCode = answer(entry, attempt);
      return errorCode ? { ErrorCode: errorCode, ErrorMessage: `${errorCode} (mocked)` } : { EventId: `eb-${nextId++}` };
    });
    return { FailedEntryCount: entries.filter((entry) => entry.ErrorCode).length, Entries: entries };
  });
}

/** The mocked SQS takes every message. */
export function deadLetterQueueAccepts(): void {
  let nextId = 1;
  sqs.on(SendMessageCommand).callsFake(() => ({ MessageId: `msg-${nextId++}` }));
}

/** Every PutEvents call's entries, one array per call, in call order. */
export const putEventsCalls = (): PutEventsRequestEntry[][] =>
  eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);

/** The detail of every entry sent, over all calls (retries included). */
export const sentDetails = (): any[] => putEventsCalls().flat().map((entry) => JSON.parse(entry.Detail!));

/** The parsed body of every dead-letter message sent. */
export const deadLetters = (): any[] => sqs.commandCalls(SendMessageCommand).map((call) => JSON.parse(call.args[0].input.MessageBody!));

/** Tracking ids named by a detail JSON (to pick entries in a mocked answer). */
export const trackingIdOf = (entry: PutEventsRequestEntry): string => JSON.parse(entry.Detail!).tracking_id;

/**
 * Every mocked service reset to a working default: an empty table, the default
 * flags, EventBridge and the dead-letter queue accepting everything.
 */
export function servicesAtDefaults(): void {
  eventBridge.reset();
  sqs.reset();
  ssm.reset();
  dynamoDb.reset();
  tableHolds();
  flagsAre(DEFAULT_FEATURE_FLAGS);
  putEventsAnswers();
  deadLetterQueueAccepts();
}
