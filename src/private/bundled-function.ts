import * as fs from 'fs';
import * as path from 'path';
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { skipCheckovCheck } from './checkov';

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
  /** Encrypts the log group and the environment variables; see `allowLogsToUseKey`. */
  readonly encryptionKey?: kms.IKey;
  /** Where the function runs, when in a VPC. */
  readonly network?: FunctionNetwork;
  readonly reservedConcurrentExecutions?: number;
  /**
   * Why the function needs no dead-letter queue of its own (checkov CKV_AWS_116).
   * @default - invoked synchronously or by a stream event source mapping
   */
  readonly noDeadLetterQueueReason?: string;
}

/** A VPC placement shared by the construct's functions. */
export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
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
    encryptionKey: options.encryptionKey,
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
  if (options.network) {
    // What Lambda needs to attach the function to the VPC: the actions of the
    // AWSLambdaVPCAccessExecutionRole managed policy, inline like the rest of the role.
    // The network interfaces do not exist before Lambda creates them and the Describe
    // calls work only on "*", so the resource is "*" and the region condition confines
    // the writes to the function's own region.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
      ],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': Aws.REGION } },
    }));
  }

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
    // JSON log format, so that Lambda's own START, END and REPORT lines (INFO-level
    // system logs, about 250 bytes per invocation) can be left out: the Duration,
    // Errors and Throttles metrics carry the same figures without being ingested as
    // logs. Function code logs through Powertools, whose lines are JSON already;
    // WARN still keeps Lambda's warnings (e.g. a function timeout).
    loggingFormat: lambda.LoggingFormat.JSON,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    tracing: lambda.Tracing.ACTIVE,
    environment: options.environment,
    // The role holds kms:Decrypt on this key already: the same key encrypts the table
    // the handler reads and the queue the processor writes to.
    environmentEncryption: options.encryptionKey,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
    vpc: options.network?.vpc,
    vpcSubnets: options.network?.vpcSubnets,
    securityGroups: options.network?.securityGroups,
  });
  // A synchronous invocation or a stream mapping's, never an asynchronous one, so a
  // function dead-letter queue would never receive anything; failures are handled
  // where the caller sees them (see each function's Serverless-LambdaDLQ acknowledgement).
  skipCheckovCheck(fn, 'CKV_AWS_116', options.noDeadLetterQueueReason
    ?? 'Invoked synchronously (API Gateway) or by a stream event source mapping with its own on-failure destination; a function dead-letter queue only receives asynchronous invocations.');

  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: options.network
      ? 'X-Ray active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and attaching the function to the VPC (the network interface actions of AWSLambdaVPCAccessExecutionRole, on interfaces that do not exist yet) support no resource-level permissions; the latter are confined to the region by condition.'
      : 'X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
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
