import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Where the build puts the bundled functions (see the bundles in .projenrc.ts).
 * `src/private` and `lib/private` sit at the same depth, so this resolves both in
 * tests (ts-jest) and in the published package.
 */
const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets', 'lambda');

export interface BundledFunctionOptions {
  /** Construct id of the function; the role and log group are `<id>Role` and `<id>Logs`. */
  readonly id: string;
  /** Folder under lambda/ the bundle was built from, e.g. `tracking`. */
  readonly bundle: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly environment: Record<string, string>;
}

export interface BundledFunction {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * A function from one of the package's bundles: nodejs24.x on arm64 (explicit,
 * so snapshots do not move when aws-cdk-lib changes its defaults), its own log
 * group, X-Ray active, and an explicit role that starts with nothing but writing
 * to that log group — callers add exactly what the code calls.
 */
export function createBundledFunction(scope: Construct, options: BundledFunctionOptions): BundledFunction {
  const assetDir = path.join(ASSETS_DIR, options.bundle, 'index');
  if (!fs.existsSync(path.join(assetDir, 'index.mjs'))) {
    throw new Error(`LogisticsTrackingApi: the bundled ${options.bundle} function is missing at ${assetDir}; run \`npx projen bundle\` (a published package always contains it)`);
  }

  const logGroup = new logs.LogGroup(scope, `${options.id}Logs`, {
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });

  // An explicit role instead of the default one: the default attaches the
  // AWSLambdaBasicExecutionRole managed policy, which may write to every log group
  // (docs/decisions/0011-explicit-function-roles.md).
  const role = new iam.Role(scope, `${options.id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));

  const fn = new lambda.Function(scope, options.id, {
    description: options.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(assetDir),
    handler: 'index.handler',
    memorySize: options.memorySize,
    timeout: options.timeout,
    role,
    logGroup,
    tracing: lambda.Tracing.ACTIVE,
    environment: options.environment,
  });

  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
  });
  return { function: fn, role, logGroup };
}

/**
 * aws-cdk-lib's grants for a KMS-encrypted table or queue include the wildcard
 * actions `kms:ReEncrypt*` and `kms:GenerateDataKey*`, as the services' documented
 * key policies do; acknowledged here with that reason, only where a key is used.
 */
export function acknowledgeKmsWildcards(role: iam.IRole, usedFor: string): void {
  for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `Using ${usedFor} encrypted with a customer-managed key needs the KMS actions of the service's documented key policy, which include this wildcard action.`,
    });
  }
}
