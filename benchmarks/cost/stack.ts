/**
 * The stack the cost benchmark measures: the construct with its defaults (plus
 * the batch_processing flag, so `POST /track/batch` answers), synthesized here
 * and served by the same local runtime as `npx projen local` and the load
 * benchmark (`startRuntime`). The only addition to the template is where the
 * functions' DynamoDB, EventBridge and SSM clients send their calls: the
 * recording proxy (recorder.ts), through `AWS_ENDPOINT_URL_<SERVICE>` variables.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { accessLogFormat } from './access-log';
import { Runtime, startRuntime } from '../../local/runtime';
import { ApiType, LogisticsTrackingApi } from '../../src';

export const COST_STACK_NAME = 'LogisticsTrackingCost';

export interface SynthesizedCostApp {
  readonly cdkOut: string;
  /** The synthesized CloudFormation template. */
  readonly template: any;
}

/** The service clients whose calls go through the recorder (service ids as the SDK spells them in the variable). */
const RECORDED_SERVICES = ['DYNAMODB', 'EVENTBRIDGE', 'SSM'];

export function synthCostApp(outdir: string, recorderEndpoint: string): SynthesizedCostApp {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  const stack = new Stack(app, COST_STACK_NAME);
  const tracking = new LogisticsTrackingApi(stack, 'Tracking', {
    stageName: 'dev',
    featureFlags: { batchProcessing: true },
  });
  for (const fn of [tracking.handler, tracking.streamProcessor]) {
    for (const service of RECORDED_SERVICES) fn.addEnvironment(`AWS_ENDPOINT_URL_${service}`, recorderEndpoint);
  }
  app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(outdir, `${COST_STACK_NAME}.template.json`), 'utf8'));
  return { cdkOut: outdir, template };
}

/**
 * The access-log format of the construct's REST stage (`apiType: ApiType.REST`),
 * from a template synthesized for it alone: the REST variants are priced from the
 * traffic measured on the default stack, with their own access-log lines.
 */
export function restAccessLogFormat(): string {
  const stack = new Stack(new App(), 'RestVariant');
  new LogisticsTrackingApi(stack, 'Tracking', { stageName: 'dev', apiType: ApiType.REST });
  const format = accessLogFormat(Template.fromStack(stack).toJSON());
  if (!format) throw new Error('the REST stage has no access-log format');
  return format;
}

export async function startCostStack(cdkOut: string, logDir: string, functionLog: (line: string) => void): Promise<Runtime> {
  return startRuntime({
    cdkOut,
    stackName: COST_STACK_NAME,
    logDir,
    functionLog,
    // One request at a time: the REPORT durations then measure one invocation's
    // own waiting on the emulator, not a queue behind other invocations.
    maxWorkersPerFunction: 2,
  });
}
