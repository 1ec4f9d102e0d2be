/**
 * Integration test app. `npx projen integ:tracking:deploy` deploys it to a real
 * account (and destroys it); `npx projen test` only synthesizes it and compares
 * the result with the committed snapshot in test/tracking.integ.snapshot/, so
 * it runs without AWS credentials. Regenerate the snapshot with
 * `npx projen integ:tracking:snapshot` after an intended change.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogisticsTrackingApi } from '../src';

const app = new App();
const stack = new Stack(app, 'LogisticsTrackingApiInteg');

const tracking = new LogisticsTrackingApi(stack, 'Tracking', {
  stage: 'integ',
  removalPolicy: RemovalPolicy.DESTROY,
  deletionProtection: false,
  configCacheTtl: Duration.seconds(5),
  featureFlags: { batchProcessing: true },
  eventRetention: Duration.days(7),
});

// A scanner fleet that may only ingest, and a dashboard that may only read.
const scanners = new iam.Role(stack, 'ScannerFleet', { assumedBy: new iam.AccountRootPrincipal() });
const viewers = new iam.Role(stack, 'StatusViewers', { assumedBy: new iam.AccountRootPrincipal() });
tracking.grantIngest(scanners);
tracking.grantRead(viewers);

app.synth();
