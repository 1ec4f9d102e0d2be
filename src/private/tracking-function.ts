import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeKmsWildcards, BundledFunction, createBundledFunction, FunctionNetwork } from './bundled-function';
import { TABLE_LAYOUT } from '../contract/table';

/** API Gateway gives up after 29 s; the handler answers 503 well before that. */
const HANDLER_TIMEOUT = Duration.seconds(10);

export interface TrackingFunctionOptions {
  readonly table: dynamodb.ITable;
  readonly memorySize: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly environment: Record<string, string>;
  readonly encryptionKey?: kms.IKey;
  readonly network?: FunctionNetwork;
  readonly reservedConcurrentExecutions?: number;
}

/** The tracking handler behind every route, with exactly the table access it uses. */
export function createTrackingFunction(scope: Construct, options: TrackingFunctionOptions): BundledFunction {
  const tracking = createBundledFunction(scope, {
    id: 'Handler',
    bundle: 'tracking',
    description: 'LogisticsTrackingApi: the tracking API',
    memorySize: options.memorySize,
    timeout: HANDLER_TIMEOUT,
    logRetention: options.logRetention,
    removalPolicy: options.removalPolicy,
    environment: options.environment,
    encryptionKey: options.encryptionKey,
    network: options.network,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
  });
  const role = tracking.role;

  // Least privilege: exactly the calls the repository makes (lambda/tracking/repository.ts,
  // state-write.ts, pages.ts, erasure.ts). Items are written and read on the table itself
  // (the states of a GET /shipments page in one BatchGetItem), and a shipment's items are
  // queried there when a status run must be read from them or the shipment is erased
  // (BatchWriteItem deletes, then a conditional DeleteItem of the state); the history and
  // status indexes are queried, and DynamoDB authorizes a Query on an index against the
  // index ARN, so the index ARNs need no item actions.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: [
      'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query',
      'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem',
    ],
    resources: [options.table.tableArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dynamodb:Query'],
    resources: [
      `${options.table.tableArn}/index/${TABLE_LAYOUT.historyIndex}`,
      `${options.table.tableArn}/index/${TABLE_LAYOUT.statusIndex}`,
    ],
  }));
  if (options.table.encryptionKey) {
    options.table.encryptionKey.grantEncryptDecrypt(role);
    acknowledgeKmsWildcards(role, 'a DynamoDB table');
  }

  Validations.of(tracking.function).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'API Gateway invokes this function synchronously and receives its errors; a dead-letter queue only ever receives asynchronous invocations.',
  });
  return tracking;
}
