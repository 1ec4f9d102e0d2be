/**
 * The reference for the warm figure: the least a handler can do per POST /track and
 * still make the shipped handler's DynamoDB calls — a conditional PutItem of the
 * event item and a conditional UpdateItem of the shipment's state item, with the
 * same attributes, expressions and conditions, through the DynamoDB document client
 * the shipped handler uses too. Its config comes from the same SSM read as the
 * shipped handler's: one GetParameters of both documents on the first request,
 * cached for CONFIG_CACHE_TTL_SECONDS. No validation, no logging, no metrics, no
 * per-call deadline: what the shipped handler does beyond this per request is what
 * the warm budget prices.
 *
 * Self-contained on purpose (no import from src/ or lambda/): the baseline must not
 * move when the shipped code does. The cold-start rows keep their own reference
 * (handler.ts), so their figures keep their meaning.
 *
 * Bundled by benchmarks/cold-start.ts with exactly the shipped bundle's esbuild options.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const region = process.env.AWS_REGION;
const tableName = process.env.TABLE_NAME;
const statusShards = Number(process.env.STATUS_INDEX_SHARDS) || 8;
const configTtlMs = (Number(process.env.CONFIG_CACHE_TTL_SECONDS) || 0) * 1000;
const parameterNames = [process.env.CONFIG_PARAMETER_NAME, process.env.FLAGS_PARAMETER_NAME].filter((name): name is string => !!name);

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
const ssm = new SSMClient({ region });

let config: { readonly documents: Record<string, unknown>; readonly fetchedAt: number } | undefined;

/** Both documents by parameter name, from one GetParameters call per TTL. */
async function loadConfig(): Promise<Record<string, unknown>> {
  if (config && Date.now() - config.fetchedAt < configTtlMs) return config.documents;
  const output = await ssm.send(new GetParametersCommand({ Names: parameterNames }));
  const documents = Object.fromEntries((output.Parameters ?? []).map((parameter) => [parameter.Name, JSON.parse(parameter.Value ?? '{}')]));
  config = { documents, fetchedAt: Date.now() };
  return documents;
}

/** The status-index shard of a shipment (any stable hash of the tracking id). */
function shardOf(trackingId: string): number {
  let hash = 0;
  for (let i = 0; i < trackingId.length; i++) hash = (hash * 31 + trackingId.charCodeAt(i)) % 1_000_003;
  return hash % statusShards;
}

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const documents = await loadConfig();
  const body = JSON.parse(event.body ?? '{}') as { tracking_id: string; status: string; location: unknown };
  const receivedAt = new Date().toISOString();
  const eventId = randomUUID();
  const pk = `TRACK#${body.tracking_id}`;
  const key = `${receivedAt}#${eventId}`;

  await documentClient.send(new PutCommand({
    TableName: tableName,
    Item: {
      tracking_id: body.tracking_id,
      event_id: eventId,
      status: body.status,
      location: body.location,
      event_time: receivedAt,
      received_at: receivedAt,
      pk,
      sk: `EVENT#${eventId}`,
      history_sk: key,
    },
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  }));

  await documentClient.send(new UpdateCommand({
    TableName: tableName,
    Key: { pk, sk: 'STATE' },
    UpdateExpression: 'SET #tracking_id = :tracking_id, #status = :status, #location = :location, #updated_at = :event_time, '
      + '#last_event_id = :event_id, #last_event_key = :key, #open_event_key = :key, #status_pk = :status_pk, '
      + '#first_seen_at = if_not_exists(#first_seen_at, :first_seen_at), #run_start_key = if_not_exists(#run_start_key, :oldest_key), '
      + '#status_since = if_not_exists(#status_since, :first_seen_at), #status_sk = if_not_exists(#status_sk, :status_sk) ADD #version :one',
    ConditionExpression: 'attribute_not_exists(#pk) OR (#open_event_key < :oldest_key AND #status = :status AND attribute_exists(#run_start_key))',
    ExpressionAttributeNames: {
      '#pk': 'pk',
      '#tracking_id': 'tracking_id',
      '#status': 'status',
      '#location': 'location',
      '#updated_at': 'updated_at',
      '#last_event_id': 'last_event_id',
      '#last_event_key': 'last_event_key',
      '#open_event_key': 'open_event_key',
      '#status_pk': 'status_pk',
      '#status_sk': 'status_sk',
      '#first_seen_at': 'first_seen_at',
      '#run_start_key': 'run_start_key',
      '#status_since': 'status_since',
      '#version': 'version',
    },
    ExpressionAttributeValues: {
      ':tracking_id': body.tracking_id,
      ':status': body.status,
      ':location': body.location,
      ':event_time': receivedAt,
      ':event_id': eventId,
      ':key': key,
      ':oldest_key': key,
      ':status_pk': `STATUS#${body.status}#${shardOf(body.tracking_id)}`,
      ':status_sk': `${receivedAt}#${body.tracking_id}`,
      ':first_seen_at': receivedAt,
      ':one': 1,
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  }));

  const apiConfig = documents[parameterNames[0]] as { max_request_bytes?: number } | undefined;
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      message: 'Tracking update recorded',
      tracking_id: body.tracking_id,
      timestamp: receivedAt,
      event_id: eventId,
      status: body.status,
      duplicate: false,
      max_request_bytes: apiConfig?.max_request_bytes,
    }),
  };
}
