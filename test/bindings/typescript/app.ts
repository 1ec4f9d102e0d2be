/* eslint-disable import/no-unresolved -- 'logistics-tracking-api' is the packed tarball (dist/js), which `npx projen test:bindings` installs into test/bindings/typescript/node_modules before compiling this file */
/**
 * The TypeScript twin of the Python, Java and Go consumer apps beside it: the same
 * stack with the same non-default props, synthesized from the packed npm tarball.
 * `npx projen test:bindings` compares every language's template with this one's,
 * and the README's TypeScript example is the region between the markers.
 */
// README:start
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiAuthorization, ApiType, LogisticsTrackingApi, TrackingStatus } from 'logistics-tracking-api';

const app = new App();
const stack = new Stack(app, 'BindingsConsumer');
const scannerFleet = new iam.Role(stack, 'ScannerFleet', { assumedBy: new iam.AccountRootPrincipal() });
const notifications = new sqs.Queue(stack, 'Notifications', { enforceSSL: true });

// Hardening, all optional: the functions in your VPC's private subnets (with the VPC endpoints
// they need), your KMS key for data, logs and environments, reserved concurrency, a WAF web ACL.
const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
  privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'],
});
const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });

const tracking = new LogisticsTrackingApi(stack, 'Tracking', {
  stageName: 'staging',
  // A REST API: the web ACL below needs one (the default is an HTTP API).
  apiType: ApiType.REST,
  authorization: ApiAuthorization.iam(),
  throttling: { rateLimit: 200, burstLimit: 400 },
  maxRequestBytes: 65536,
  configCacheTtl: Duration.seconds(30),
  featureFlags: { batchProcessing: true, enhancedTracking: false },
  logRetention: logs.RetentionDays.ONE_MONTH,
  alarmOptions: {
    apiLatency: { maxLatency: Duration.seconds(1), datapointsToAlarm: 2 },
    handlerThrottles: { enabled: false },
  },
  removalPolicy: RemovalPolicy.DESTROY,
  // Stalled shipments: in transit for 3 days (not 5) is stalled; sweep every 30 minutes; expire after 45 days without news.
  stalledShipments: {
    thresholds: { inTransit: Duration.days(3) },
    sweepInterval: Duration.minutes(30),
    expireAfter: Duration.days(45),
  },
  // Hardening:
  encryptionKey: key,
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  createVpcEndpoints: true,
  handlerReservedConcurrency: 50,
  streamProcessorReservedConcurrency: 5,
  webAclArn: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/platform/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7',
});
tracking.grantIngest(scannerFleet);
tracking.onStatusChanged('Delivered', new targets.SqsQueue(notifications), {
  statuses: [TrackingStatus.DELIVERED, TrackingStatus.EXCEPTION],
});
tracking.onShipmentStalled('OutForDelivery', new targets.SqsQueue(notifications), {
  statuses: [TrackingStatus.OUT_FOR_DELIVERY],
});
// Erasure (DELETE /shipments/{tracking_id}) for the team that handles data requests, and word of every erasure.
const privacyTeam = new iam.Role(stack, 'PrivacyTeam', { assumedBy: new iam.AccountRootPrincipal() });
tracking.grantErase(privacyTeam);
tracking.onShipmentDeleted('Erased', new targets.SqsQueue(notifications));
// Deliveries and stalls POSTed to the order system, signed with a generated secret.
tracking.addWebhook('Orders', {
  endpoint: 'https://orders.example.com/hooks/tracking',
  statuses: [TrackingStatus.DELIVERED],
  includeStalled: true,
});

app.synth();
// README:end
