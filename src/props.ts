import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TrackingAlarmOptions } from './alarm-options';
import { ApiType } from './api-type';
import { ApiAuthorization } from './authorization';
import { StalledShipmentsOptions } from './stalled-shipments';

/**
 * Feature flags written to the flags parameter in SSM Parameter Store.
 *
 * These are the values at deployment; the handler re-reads the parameter at run
 * time (see `configCacheTtl`), so operators can flip a flag in SSM without a
 * deployment. A later deployment writes these values back.
 */
export interface FeatureFlags {
  /**
   * Accept the optional `sub_status`, `message`, `eta` and `address` fields.
   * While off, requests carrying them are answered 400.
   * @default true
   */
  readonly enhancedTracking?: boolean;

  /**
   * Accept bulk ingest on `POST /track/batch`.
   * @default false
   */
  readonly batchProcessing?: boolean;

  /**
   * Publish status-change events.
   * @default true
   */
  readonly realTimeNotifications?: boolean;
}

/**
 * API Gateway stage throttling, enforced by API Gateway for every method of the stage.
 */
export interface ThrottlingOptions {
  /**
   * Steady-state requests per second across the stage.
   * @default 100
   */
  readonly rateLimit?: number;

  /**
   * Largest burst of concurrent requests.
   * @default 200
   */
  readonly burstLimit?: number;
}

/**
 * Properties of a `LogisticsTrackingApi`. Every field is optional: a minimal
 * deployment is `new LogisticsTrackingApi(this, 'Tracking')`.
 */
export interface LogisticsTrackingApiProps {
  /**
   * Name of the API Gateway stage. It is also the last segment of the default
   * parameter path. Letters, digits, `-` and `_`, at most 64 characters.
   * @default 'dev'
   */
  readonly stageName?: string;

  /**
   * SSM Parameter Store path under which the construct writes its
   * `config`, `feature-flags` and `table-name` parameters. Give each
   * deployment in one account and region its own path.
   * @default `/logistics-tracking/${stageName}`
   */
  readonly parameterPath?: string;

  /**
   * Which kind of API Gateway API serves the routes: an HTTP API, or a REST API
   * at 3.5 times the price per request. See `ApiType` for what each gives and
   * gives up; `webAclArn` and `manageApiGatewayAccountRole` need REST.
   * @default ApiType.HTTP
   */
  readonly apiType?: ApiType;

  /**
   * Who may call the API.
   * @default ApiAuthorization.iam() - callers sign requests with SigV4; grant
   * access with `grantIngest` and `grantRead`.
   */
  readonly authorization?: ApiAuthorization;

  /**
   * Stage throttling.
   * @default - 100 requests per second, bursts of 200
   */
  readonly throttling?: ThrottlingOptions;

  /**
   * Largest request body the handler accepts, in bytes; larger bodies are
   * answered 413. Between 1,024 and 358,400 (a DynamoDB item holds 400 KB,
   * and the stored event carries the request plus its keys).
   * @default 32768
   */
  readonly maxRequestBytes?: number;

  /**
   * How long the handler keeps the configuration and feature flags it read
   * from SSM before reading them again. Between 1 second and 1 hour.
   * @default Duration.seconds(60)
   */
  readonly configCacheTtl?: Duration;

  /**
   * Memory of the tracking handler (the `handler` function), in MB
   * (128–10,240). More memory also means more CPU, which shortens cold starts.
   * The stream processor keeps its own 256 MB.
   * @default 512
   */
  readonly handlerMemorySize?: number;

  /**
   * Feature flags at deployment.
   * @default - enhanced tracking on, batch processing off, real-time notifications on
   */
  readonly featureFlags?: FeatureFlags;

  /**
   * Retention of the three log groups the construct creates: the tracking
   * handler's (`handlerLogGroup`), the stream processor's
   * (`streamProcessorLogGroup`) and the API access logs (`accessLogGroup`).
   * API Gateway's execution-log group, which API Gateway creates itself, is not
   * covered. `RetentionDays.INFINITE` is allowed with a warning.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * How long a shipment's data is kept before DynamoDB's TTL may delete it: each
   * event this long after it was received, and the shipment's state (and its
   * delivery record) this long after its last update, so nothing of a shipment
   * outlives its retention. Removing the state publishes `Tracking Shipment
   * Deleted` with reason `retention`. At least one day.
   * @default - shipments are kept forever (erase one with DELETE /shipments/{tracking_id})
   */
  readonly eventRetention?: Duration;

  /**
   * Stalled shipments: the scheduled sweep that reports shipments whose status
   * has not moved for longer than its threshold (`Tracking Shipment Stalled`,
   * see `onShipmentStalled`) and expires those without news.
   * @default - on, with the default thresholds, hourly, expiring after 30 days without news
   */
  readonly stalledShipments?: StalledShipmentsOptions;

  /**
   * What happens to the table, the dead-letter queue and the three log groups
   * when they are removed from the stack. `DESTROY` on a stage whose name starts
   * with `prod` is allowed with a warning.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Turn on the table's deletion protection.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * EventBridge bus that receives `Tracking Status Changed` events.
   * @default - a bus is created
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Customer-managed KMS key for everything the construct stores at rest: the
   * table (and its stream), the dead-letter queue, the alarm topic it creates
   * (a topic you pass in keeps its own encryption), the three log groups, and
   * both functions' environment variables.
   *
   * CloudWatch Logs can only use a key whose key policy allows it. For a key
   * created in the same app (`new kms.Key`) the construct adds that statement
   * (the `logs.<region>.amazonaws.com` principal, limited by encryption context
   * to log groups of this account and region); an imported key's policy cannot
   * be changed from here, so the construct warns and the key's owner must add it.
   *
   * Not covered: API Gateway's execution-log group, which API Gateway creates
   * itself (error-level entries, no request or response bodies).
   * @default - AWS-owned keys for the table, SQS-managed encryption for the
   * queue, CloudWatch Logs' and Lambda's own encryption; the alarm topic is not
   * encrypted
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * VPC to place both functions in (the tracking handler and the stream
   * processor). The functions call DynamoDB, SSM, EventBridge, SQS and X-Ray
   * over HTTPS: the chosen subnets need a route to them, through a NAT gateway
   * or VPC endpoints (see `createVpcEndpoints`).
   * @default - the functions run outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` the functions use. Lambda cannot give a function in a
   * public subnet internet access, so public subnets are refused.
   * @default - the VPC's private subnets (with egress, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of both functions. They need outbound HTTPS (443) to the
   * AWS services above; nothing connects to them.
   * @default - one security group for both functions that allows outbound
   * HTTPS only and no inbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Create, in `vpc`, the VPC endpoints the functions need: a DynamoDB gateway
   * endpoint and interface endpoints for SSM, EventBridge, SQS and X-Ray, each
   * reachable on 443 from the functions' security groups only (one security
   * group for the four, with no outbound rule).
   *
   * Off by default because endpoints belong to the VPC, not to one service: a
   * shared VPC usually has them already, and a second interface endpoint with
   * private DNS for the same service fails to deploy. Interface endpoints are
   * also billed per hour in each subnet's availability zone.
   * @default false - the VPC already reaches these services
   */
  readonly createVpcEndpoints?: boolean;

  /**
   * Reserved concurrency of the tracking handler: at most this many run at
   * once, and this many are always available to it. Beyond it API Gateway
   * answers `503` with `Retry-After: 1`, in the contract's error shape.
   * A reservation comes out of the account's regional concurrency, which must
   * keep at least 100 unreserved; an account below that refuses the deployment.
   * @default - no reservation: the handler shares the account's unreserved
   * concurrency (a default would fail to deploy in accounts with a low quota)
   */
  readonly handlerReservedConcurrency?: number;

  /**
   * Reserved concurrency of the stream processor. Lambda runs at most one
   * invocation per stream shard at a time, so the processor's concurrency is
   * already bounded by the table's shard count; a reservation guarantees it
   * that capacity when other functions use the account's pool. Below the shard
   * count, publishing status changes falls behind (see the stream iterator age
   * alarm).
   * @default - no reservation
   */
  readonly streamProcessorReservedConcurrency?: number;

  /**
   * ARN of a regional AWS WAFv2 web ACL to associate with the API stage, e.g.
   * `arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/platform/a1b2c3d4-...`.
   * A web ACL of CloudFront scope (`global/webacl`) cannot protect a regional API.
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * Which alarms are on, and each one's threshold and evaluation. The `alarms`
   * attribute lists the alarms that are on.
   * @default - every alarm on, with the defaults documented on each struct
   */
  readonly alarmOptions?: TrackingAlarmOptions;

  /**
   * SNS topic every alarm notifies (on ALARM and on OK).
   * @default - a topic is created, unless `alarmActions` is given
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Actions every alarm runs (on ALARM and on OK), in addition to `alarmTopic`.
   * When given without `alarmTopic`, no topic is created.
   * @default - notify `alarmTopic` only
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * Create the account-wide IAM role that lets API Gateway write logs, and
   * register it in the account's API Gateway settings (`AWS::ApiGateway::Account`).
   *
   * API Gateway needs that role once per account and region before any stage
   * can write access or execution logs. The setting is account-wide, so two
   * stacks that both manage it fight over it: turn this on in exactly one
   * stack per account and region (or set the role up outside CDK).
   * @default false - the account is expected to have the role already
   */
  readonly manageApiGatewayAccountRole?: boolean;
}
