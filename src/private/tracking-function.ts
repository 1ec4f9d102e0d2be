import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TABLE_LAYOUT } from '../contract/runtime-config';

/**
 * Where the build puts the bundled handler (see the bundle task in .projenrc.ts).
 * `src/private` and `lib/private` sit at the same depth, so this resolves both in
 * tests (ts-jest) and in the published package.
 */
const HANDLER_ASSET_DIR = path.join(__dirname, '..', '..', 'assets', 'lambda', 'tracking', 'index');

/** API Gateway gives up after 29 s; the handler answers 503 well before that. */
const HANDLER_TIMEOUT = Duration.seconds(10);

export interface TrackingFunctionOptions {
  readonly table: dynamodb.ITable;
  readonly memorySize: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly environment: Record<string, string>;
}

export interface TrackingFunction {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * The tracking handler: nodejs24.x on arm64 (set explicitly so snapshots do not
 * move when aws-cdk-lib changes its defaults), its own log group, X-Ray active,
 * and a role that holds exactly what the handler calls.
 */
export function createTrackingFunction(scope: Construct, options: TrackingFunctionOptions): TrackingFunction {
  if (!fs.existsSync(path.join(HANDLER_ASSET_DIR, 'index.mjs'))) {
    throw new Error(`LogisticsTrackingApi: the bundled handler is missing at ${HANDLER_ASSET_DIR}; run \`npx projen bundle\` (a published package always contains it)`);
  }

  const logGroup = new logs.LogGroup(scope, 'HandlerLogs', {
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });

  // An explicit role instead of the default one: the default attaches the
  // AWSLambdaBasicExecutionRole managed policy, which may write to every log group.
  const role = new iam.Role(scope, 'HandlerRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'LogisticsTrackingApi tracking handler',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  // Least privilege: the four item operations the handler makes, on the table
  // and its history index only (no Scan, no batch writes).
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    resources: [
      options.table.tableArn,
      `${options.table.tableArn}/index/${TABLE_LAYOUT.historyIndex}`,
    ],
  }));
  if (options.table.encryptionKey) {
    options.table.encryptionKey.grantEncryptDecrypt(role);
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: 'DynamoDB tables encrypted with a customer-managed key need the KMS actions of its documented key policy, which include this wildcard action.',
      });
    }
  }

  const fn = new lambda.Function(scope, 'Handler', {
    description: 'LogisticsTrackingApi: POST /track and GET /status',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(HANDLER_ASSET_DIR),
    handler: 'index.handler',
    memorySize: options.memorySize,
    timeout: HANDLER_TIMEOUT,
    role,
    logGroup,
    tracing: lambda.Tracing.ACTIVE,
    environment: options.environment,
  });

  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
  });
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'API Gateway invokes this function synchronously and receives its errors; a dead-letter queue only ever receives asynchronous invocations.',
  });
  return { function: fn, role, logGroup };
}
