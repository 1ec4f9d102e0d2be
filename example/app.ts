/**
 * Example consumer app: the tracking service with a scanner fleet that may
 * ingest and a support dashboard role that may read.
 *
 *   npx projen synth:example      # writes example/cdk.out
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogisticsTrackingApi } from '../src';

const app = new App();
const stack = new Stack(app, 'LogisticsTrackingExample');

const tracking = new LogisticsTrackingApi(stack, 'Tracking', {
  stageName: 'dev',
  throttling: { rateLimit: 50, burstLimit: 100 },
});

const scannerFleet = new iam.Role(stack, 'ScannerFleet', { assumedBy: new iam.AccountRootPrincipal() });
const support = new iam.Role(stack, 'Support', { assumedBy: new iam.AccountRootPrincipal() });
tracking.grantIngest(scannerFleet);
tracking.grantRead(support);

// Where to send requests, and what to look at when something goes wrong.
new CfnOutput(stack, 'ApiUrl', { value: tracking.apiUrl });
new CfnOutput(stack, 'TableName', { value: tracking.tableName });
new CfnOutput(stack, 'HandlerFunctionName', { value: tracking.handlerFunctionName });
new CfnOutput(stack, 'DashboardUrl', { value: tracking.dashboardUrl });

app.synth();
