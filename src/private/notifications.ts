import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { BundledFunction, createBundledFunction, FunctionNetwork } from './bundled-function';
import { PROCESSOR_METRICS } from '../contract/analytics';
import { ENV } from '../contract/runtime-config';
import { TABLE_LAYOUT } from '../contract/table';

/**
 * How often the event source mapping hands a failed batch back before giving
 * up on it. The processor already retries a record in process and dead-letters
 * it itself, so these retries only cover a processor that could not even reach
 * the queue.
 */
const MAPPING_RETRY_ATTEMPTS = 3;

export interface NotificationsOptions {
  readonly table: dynamodb.Table;
  readonly flagsParameter: ssm.IStringParameter;
  readonly eventBus?: events.IEventBus;
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly configCacheTtlSeconds: number;
  readonly defaultFlags: string;
  readonly network?: FunctionNetwork;
  readonly reservedConcurrentExecutions?: number;
}

export interface Notifications {
  readonly processor: BundledFunction;
  readonly eventBus: events.IEventBus;
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * Shipment events and analytics: the table's stream, filtered at the source to
 * state items, feeds a processor that publishes `Tracking Status Changed`,
 * `Tracking Shipment Stalled` and `Tracking Shipment Deleted` to EventBridge and
 * counts each delivered shipment once (a delivery record item, and metrics).
 * Records it cannot handle go, with their content, to the dead-letter queue (a
 * stream mapping's own failure destination only receives batch metadata, not records).
 */
export function createNotifications(scope: Construct, options: NotificationsOptions): Notifications {
  const eventBus = options.eventBus ?? new events.EventBus(scope, 'EventBus', {
    description: 'LogisticsTrackingApi status-change events',
  });

  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
    ...(options.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: options.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    removalPolicy: options.removalPolicy,
  });
  for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
    Validations.of(deadLetterQueue).acknowledge({
      id,
      reason: 'This queue is itself the dead-letter queue of the stream processor: it holds records to inspect and replay, and nothing consumes it automatically.',
    });
  }

  const processor = createBundledFunction(scope, {
    id: 'StreamProcessor',
    bundle: 'stream-processor',
    description: 'LogisticsTrackingApi: publishes shipment events to EventBridge and counts deliveries',
    memorySize: 256,
    timeout: Duration.seconds(60),
    logRetention: options.logRetention,
    removalPolicy: options.removalPolicy,
    environment: {
      [ENV.EVENT_BUS_NAME]: eventBus.eventBusName,
      [ENV.DEAD_LETTER_QUEUE_URL]: deadLetterQueue.queueUrl,
      [ENV.FLAGS_PARAMETER_NAME]: options.flagsParameter.parameterName,
      [ENV.CONFIG_CACHE_TTL_SECONDS]: String(options.configCacheTtlSeconds),
      [ENV.DEFAULT_FLAGS]: options.defaultFlags,
      [ENV.TABLE_NAME]: options.table.tableName,
      [ENV.HISTORY_INDEX_NAME]: TABLE_LAYOUT.historyIndex,
      // The dashboard reads the analytics metrics by this namespace and service (monitoring.ts).
      POWERTOOLS_SERVICE_NAME: PROCESSOR_METRICS.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: PROCESSOR_METRICS.namespace,
    },
    encryptionKey: options.encryptionKey,
    network: options.network,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
  });
  eventBus.grantPutEventsTo(processor.role);
  // Least privilege: exactly what the processor and its mapping call. Both send to
  // the dead-letter queue under this role (the processor with the record's content,
  // the mapping's on-failure destination with batch metadata), and a sender to a
  // KMS-encrypted queue needs GenerateDataKey and Decrypt on its key. grantSendMessages
  // and SqsDlq would add sqs:GetQueueAttributes, sqs:GetQueueUrl, kms:Encrypt and
  // kms:ReEncrypt*, which nothing here calls.
  processor.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['sqs:SendMessage'],
    resources: [deadLetterQueue.queueArn],
  }));
  deadLetterQueue.encryptionMasterKey?.grant(processor.role, 'kms:GenerateDataKey', 'kms:Decrypt');
  // The flags are read with GetParameters only (the config loader the processor
  // shares with the handler, lambda/shared/config.ts).
  processor.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:GetParameters'],
    resources: [options.flagsParameter.parameterArn],
  }));
  // Counting a delivery (lambda/stream-processor/analytics/): one Query of the
  // history index for the last ETA — DynamoDB authorizes a Query on an index against
  // the index ARN — and one conditional PutItem of the delivery record; and, when a
  // shipment's state item is removed, one DeleteItem of its delivery record (one
  // counted while an erasure ran must not outlive it). With a customer managed key,
  // the kms:Decrypt the stream read already has on the table's key is what DynamoDB
  // checks for these calls too.
  processor.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
    resources: [options.table.tableArn],
  }));
  processor.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dynamodb:Query'],
    resources: [`${options.table.tableArn}/index/${TABLE_LAYOUT.historyIndex}`],
  }));

  processor.function.addEventSource(new sources.DynamoEventSource(options.table, {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: 100,
    maxBatchingWindow: Duration.seconds(1),
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    retryAttempts: MAPPING_RETRY_ATTEMPTS,
    // The destination only: sending to it is granted above.
    onFailure: { bind: () => ({ destination: deadLetterQueue.queueArn }) },
    // Only state items, written or removed: event items and delivery records never
    // invoke the processor (it still checks, and skips same-status changes). Keys
    // is on every record, whatever the stream view type.
    filters: [lambda.FilterCriteria.filter({
      eventName: lambda.FilterRule.or('INSERT', 'MODIFY', 'REMOVE'),
      dynamodb: { Keys: { [TABLE_LAYOUT.sortKey]: { S: lambda.FilterRule.isEqual(TABLE_LAYOUT.stateSortKey) } } },
    })],
  }));
  Validations.of(processor.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Reading a DynamoDB stream needs dynamodb:ListStreams, which supports no resource-level permissions; X-Ray tracing and, in a VPC, the network interface actions of AWSLambdaVPCAccessExecutionRole (confined to the region by condition) likewise.',
  });
  Validations.of(processor.function).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'A stream event source mapping invokes this function synchronously; its failures go to the mapping\'s on-failure destination (the dead-letter queue), which is configured.',
  });

  return { processor, eventBus, deadLetterQueue };
}
