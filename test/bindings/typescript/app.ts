/* eslint-disable import/no-unresolved -- 'logistics-tracking-api' is the packed tarball (dist/js), which `npx projen test:bindings` installs into test/bindings/typescript/node_modules before compiling this file */
/**
 * The TypeScript twin of the Python, Java and Go consumer apps beside it: the same
 * stack with the same non-default props, synthesized from the packed npm tarball.
 * `npx projen test:bindings` compares every language's template with this one's,
 * and the README's TypeScript example is the region between the markers.
 */
// README:start
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiAuthorization, LogisticsTrackingApi, TrackingStatus } from 'logistics-tracking-api';

const app = new App();
const stack = new Stack(app, 'BindingsConsumer');
const scannerFleet = new iam.Role(stack, 'ScannerFleet', { assumedBy: new iam.AccountRootPrincipal() });
const notifications = new sqs.Queue(stack, 'Notifications', { enforceSSL: true });

const tracking = new LogisticsTrackingApi(stack, 'Tracking', {
  stageName: 'staging',
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
});
tracking.grantIngest(scannerFleet);
tracking.onStatusChanged('Delivered', new targets.SqsQueue(notifications), {
  statuses: [TrackingStatus.DELIVERED, TrackingStatus.EXCEPTION],
});

app.synth();
// README:end
