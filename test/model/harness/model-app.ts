import * as fs from 'fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LogisticsTrackingApi } from '../../../src';

/**
 * The CDK app the model-based tests run against: the construct as a consumer
 * would deploy it, with every feature flag on (batch included), the stall
 * sweep at its defaults (expiry on), one `onStatusChanged` rule for every status
 * change delivering to a queue the harness drains, and one `onShipmentStalled`
 * and one `onShipmentDeleted` rule delivering to a second one. Everything the
 * harness provisions comes from this app's synthesized template — the table's
 * keys and indexes are the construct's.
 */

export const MODEL_STACK_NAME = 'LogisticsTrackingModel';

/** Construct id of the queue behind the all-changes rule (its logical id starts with this). */
export const STATUS_CHANGES_QUEUE_ID = 'ModelStatusChanges';

/**
 * Construct id of the queue behind the all-stalls and all-deletions rules: the
 * shipment notices, kept apart from the status changes so that a test of those
 * sees exactly what it always saw.
 */
export const SHIPMENT_NOTICES_QUEUE_ID = 'ModelShipmentNotices';

/**
 * The longest cache the construct allows: the handlers read SSM once per test
 * file, not once per scenario. Re-provisioning on reset writes the same values,
 * so an expiry mid-run reads what was cached.
 */
export const MODEL_CONFIG_CACHE_TTL = Duration.hours(1);

/** Synthesizes the model app into `outdir` (wiped first) and returns it. */
export function synthModelApp(outdir: string): string {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  const stack = new Stack(app, MODEL_STACK_NAME);
  const tracking = new LogisticsTrackingApi(stack, 'Tracking', {
    stageName: 'model',
    configCacheTtl: MODEL_CONFIG_CACHE_TTL,
    featureFlags: { enhancedTracking: true, batchProcessing: true, realTimeNotifications: true },
  });
  tracking.onStatusChanged('All', new targets.SqsQueue(new sqs.Queue(stack, STATUS_CHANGES_QUEUE_ID)));
  const notices = new targets.SqsQueue(new sqs.Queue(stack, SHIPMENT_NOTICES_QUEUE_ID));
  tracking.onShipmentStalled('All', notices);
  tracking.onShipmentDeleted('All', notices);
  app.synth();
  return outdir;
}
