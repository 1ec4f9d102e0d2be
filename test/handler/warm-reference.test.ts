import './env';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { apiEvent, lambdaContext } from './events';
import { validUpdate } from './fixtures';
import { ssmReturns } from './ssm';
import { handler as reference } from '../../benchmarks/reference/warm-handler';
import { handler as shipped } from '../../lambda/tracking';
import { DEFAULT_FEATURE_FLAGS } from '../../src/contract/runtime-config';

/**
 * The warm benchmark's reference handler (benchmarks/reference/warm-handler.ts) prices
 * what the shipped handler does beyond its DynamoDB calls, so it must make the same
 * calls: the same expressions, conditions and attribute names. It is self-contained on
 * purpose, so this test is what keeps the two in step.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const ssm = mockClient(SSMClient);

/** The shape of each DynamoDB call a POST /track of a new shipment makes: everything but the values. */
async function callsOf(run: () => Promise<unknown>): Promise<unknown[]> {
  ddb.reset();
  ssm.reset();
  ssmReturns(ssm, { config: { max_request_bytes: 32768 }, flags: DEFAULT_FEATURE_FLAGS });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  await run();
  return ddb.calls().map((call) => {
    const input = call.args[0].input as Record<string, any>;
    return {
      command: call.args[0].constructor.name,
      UpdateExpression: input.UpdateExpression,
      ConditionExpression: input.ConditionExpression,
      names: input.ExpressionAttributeNames,
      values: Object.keys(input.ExpressionAttributeValues ?? {}).sort(),
      ReturnValuesOnConditionCheckFailure: input.ReturnValuesOnConditionCheckFailure,
    };
  });
}

test('makes the shipped handler\'s DynamoDB calls for a new shipment: a conditional put and the blind conditional update', async () => {
  const event = () => apiEvent({ method: 'POST', resource: '/track', body: JSON.stringify(validUpdate()), headers: { 'Content-Type': 'application/json' } });
  const shippedCalls = await callsOf(() => shipped(event(), lambdaContext));
  const referenceCalls = await callsOf(() => reference(event()));

  expect(shippedCalls.map((call: any) => call.command)).toEqual(['PutCommand', 'UpdateCommand']);
  expect(referenceCalls).toEqual(shippedCalls);
});
