/**
 * Integration test app (docs/integration-tests.md).
 *
 * - `npx projen integ:tracking:deploy` (AWS credentials needed) deploys this app and
 *   its assertion stack, fails unless every assertion below passed, destroys both
 *   and rewrites the snapshot in test/tracking.integ.snapshot/.
 * - `npx projen test` (task `integ:tracking:assert`) only synthesizes it and compares
 *   the templates with that committed snapshot: offline, no credentials.
 * - `npx projen integ:tracking:snapshot` rewrites the snapshot without deploying.
 *
 * The assertions are one round trip through the deployed service: POST /track and
 * GET /status through API Gateway's TestInvokeMethod (which bypasses the IAM
 * authorizer, so the default authorization stays on), the state item read back
 * from DynamoDB, the `Tracking Status Changed` event the stream processor
 * publishes, delivered by an `onStatusChanged` rule to a queue of this stack; then
 * the stall sweep invoked directly (the shipment expires), and its erasure.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiType, LogisticsTrackingApi } from '../src';
import { STATUS_CHANGED_EVENT } from '../src/contract/events';
import { stateKey } from '../src/contract/table';

const app = new App();
const stack = new Stack(app, 'LogisticsTrackingApiInteg');

const tracking = new LogisticsTrackingApi(stack, 'Tracking', {
  stageName: 'integ',
  // The assertions call API Gateway's TestInvokeMethod, which only REST APIs have.
  apiType: ApiType.REST,
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

// Where the assertions read the status-change events from.
const statusChanges = new sqs.Queue(stack, 'StatusChanges', {
  retentionPeriod: Duration.hours(1),
  removalPolicy: RemovalPolicy.DESTROY,
});
tracking.onStatusChanged('ToQueue', new targets.SqsQueue(statusChanges));

// The assertions live in a second stack, deployed after this one.
const integ = new IntegTest(app, 'TrackingRoundTrip', { testCases: [stack] });

// The stack is new on every run, so fixed ids are fresh ones (and keep the snapshot stable).
const TRACKING_ID = 'INTEG-0001';
const EVENT_ID = 'integ-event-0001';
const EVENT_TIME = '2026-01-01T12:00:00.000Z';
const LOCATION = { lat: 52.52, lng: 13.405 };

const restApi = tracking.api!;
const restApiId = restApi.restApiId;
const testInvoke = (method: string, path: string, pathWithQueryString: string, body?: unknown) => {
  const call = integ.assertions.awsApiCall('APIGateway', 'testInvokeMethod', {
    restApiId,
    resourceId: restApi.root.resourceForPath(path).resourceId,
    httpMethod: method,
    pathWithQueryString,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // API Gateway's IAM actions are HTTP verbs on resource paths: a test invocation is a POST.
  call.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['apigateway:POST'],
    Resource: [`arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/restapis/${restApiId}/resources/*/methods/${method}`],
  });
  return call;
};

// 1. POST /track stores the update and answers 200 with the stored event.
const postTrack = testInvoke('POST', '/track', '/track', {
  tracking_id: TRACKING_ID,
  event_id: EVENT_ID,
  event_time: EVENT_TIME,
  status: 'in_transit',
  location: LOCATION,
});
postTrack.expect(ExpectedResult.objectLike({
  status: 200,
  body: Match.serializedJson(Match.objectLike({
    tracking_id: TRACKING_ID,
    event_id: EVENT_ID,
    status: 'in_transit',
    duplicate: false,
  })),
}));

// 2. GET /status answers the shipment's current state and its one event.
const getStatus = testInvoke('GET', '/status', `/status?tracking_id=${TRACKING_ID}`);
getStatus.expect(ExpectedResult.objectLike({
  status: 200,
  body: Match.serializedJson(Match.objectLike({
    tracking_id: TRACKING_ID,
    current: Match.objectLike({ status: 'in_transit', event_id: EVENT_ID, version: 1 }),
    count: 1,
  })),
}));

// 3. The state item, read back from the table (its key built by src/contract/table.ts).
const stateItem = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: tracking.tableName,
  Key: Object.fromEntries(Object.entries(stateKey(TRACKING_ID)).map(([name, value]) => [name, { S: value }])),
  ConsistentRead: true,
});
stateItem.expect(ExpectedResult.objectLike({
  Item: Match.objectLike({
    tracking_id: { S: TRACKING_ID },
    status: { S: 'in_transit' },
    last_event_id: { S: EVENT_ID },
    version: { N: '1' },
  }),
}));

// 4. The stream processor's status-change event reaches the queue through the rule.
const statusChanged = integ.assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: statusChanges.queueUrl,
  MaxNumberOfMessages: 10,
  WaitTimeSeconds: 10,
});
statusChanged.expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({
    Body: Match.serializedJson(Match.objectLike({
      'source': STATUS_CHANGED_EVENT.source,
      'detail-type': STATUS_CHANGED_EVENT.detailType,
      'detail': Match.objectLike({
        // (previous_status is null for a first status, and the assertion handler cannot
        // match a null: its matcher parser fails on one and falls back to an exact match.)
        tracking_id: TRACKING_ID,
        status: 'in_transit',
        event_id: EVENT_ID,
        version: 1,
      }),
    })),
  })]),
}));
statusChanged.waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

// 5. The stall sweep, run now: the shipment's only event is months old (EVENT_TIME), so
//    it has had no news for longer than the 30-day default and expires.
const sweep = integ.assertions.invokeFunction({ functionName: tracking.sweepFunction!.functionName });
sweep.expect(ExpectedResult.objectLike({
  Payload: Match.serializedJson(Match.objectLike({ stalled: 0, expired: 1, complete: true })),
}));
const statusAfterSweep = testInvoke('GET', '/status', `/status?tracking_id=${TRACKING_ID}`);
statusAfterSweep.expect(ExpectedResult.objectLike({
  status: 200,
  body: Match.serializedJson(Match.objectLike({ current: Match.objectLike({ status: 'expired' }), count: 2 })),
}));

// 6. Erasure: DELETE answers 200, and the shipment is gone.
const erase = testInvoke('DELETE', '/shipments/{tracking_id}', `/shipments/${TRACKING_ID}`);
erase.expect(ExpectedResult.objectLike({
  status: 200,
  body: Match.serializedJson(Match.objectLike({ message: 'Shipment deleted', tracking_id: TRACKING_ID })),
}));
const statusAfterErasure = testInvoke('GET', '/status', `/status?tracking_id=${TRACKING_ID}`);
statusAfterErasure.expect(ExpectedResult.objectLike({ status: 404 }));

postTrack.next(getStatus).next(stateItem).next(statusChanged).next(sweep).next(statusAfterSweep).next(erase).next(statusAfterErasure);

// integ-tests-alpha salts every assertion with the synthesis time, so that a stack
// update runs it again. The synthesized snapshot must not change from one synthesis to
// the next, and these stacks are created for one run and destroyed: the salt is fixed,
// unless the deployment passes its own (test/integ/deploy-and-assert.ts passes the time).
const salt = String(app.node.tryGetContext('integ-salt') ?? 'snapshot');
for (const call of [postTrack, getStatus, stateItem, statusChanged, sweep, statusAfterSweep, erase, statusAfterErasure]) {
  (call.node.findChild('Default').node.defaultChild as CfnResource).addPropertyOverride('salt', salt);
}

app.synth();
