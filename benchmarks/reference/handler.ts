/**
 * The reference the shipped tracking handler is measured against: the least a
 * handler can do and still be this product — the two SDK clients the design names
 * (DynamoDB document client, SSM client), one GetParameter for the config and one
 * PutItem per request, a 200 JSON answer. No validation, no logging, no metrics:
 * everything the shipped handler does beyond this is what the budget prices.
 *
 * Bundled by benchmarks/cold-start.ts with exactly the shipped bundle's esbuild options.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const region = process.env.AWS_REGION;
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
const ssm = new SSMClient({ region });

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const parameter = await ssm.send(new GetParameterCommand({ Name: process.env.CONFIG_PARAMETER_NAME }));
  const config = JSON.parse(parameter.Parameter?.Value ?? '{}') as Record<string, unknown>;

  const body = JSON.parse(event.body ?? '{}') as Record<string, unknown>;
  const timestamp = new Date().toISOString();
  await documentClient.send(new PutCommand({
    TableName: process.env.TABLE_NAME,
    Item: { ...body, pk: `TRACK#${String(body.tracking_id)}`, sk: `${timestamp}#${event.requestContext.requestId}` },
  }));

  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'stored', tracking_id: body.tracking_id, timestamp, max_request_bytes: config.max_request_bytes }),
  };
}
