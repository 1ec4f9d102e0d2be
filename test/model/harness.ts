import * as http from 'http';
import * as path from 'path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { FaultInjector, SdkFaultInjector } from './harness/fault-injector';
import { HandlerResponse, invokeApiHandler, proxyEvent } from './harness/invocation';
import { SHIPMENT_NOTICES_QUEUE_ID, synthModelApp, STATUS_CHANGES_QUEUE_ID } from './harness/model-app';
import { StreamDelivery, StreamRun } from './harness/stream-delivery';
// Types only: the modules themselves are loaded once the environment is set (startModelHarness).
import type * as SharedConfig from '../../lambda/shared/config';
import type * as SharedSsm from '../../lambda/shared/ssm-client';
import type * as StreamProcessorClients from '../../lambda/stream-processor/clients';
import type * as StreamProcessor from '../../lambda/stream-processor/index';
import type * as SweepEntry from '../../lambda/sweep/index';
import type * as Sweep from '../../lambda/sweep/sweep';
import type * as TrackingClients from '../../lambda/tracking/clients';
import type * as TrackingHandler from '../../lambda/tracking/index';
import type * as TrackingRepository from '../../lambda/tracking/repository';
import { apiEndpoints } from '../../local/assembly/served-api';
import { FunctionSpec, LocalTemplate, readLocalTemplate } from '../../local/assembly/template';
import { resolveMotoPython } from '../../local/emulator/install';
import { Emulator, PortInUseError, startEmulator } from '../../local/emulator/moto';
import { provision } from '../../local/emulator/provision';
import { DEFAULT_CREDENTIALS } from '../../local/runtime';
import { Cleanups } from '../../local/support/cleanups';
import { freePort } from '../../local/support/ports';
import type { ShipmentDeletedDetail, ShipmentStalledDetail, StatusChangedDetail } from '../../src/contract/events';
import { ROUTES } from '../../src/contract/routes';
import { ENV, type FeatureFlagsDocument } from '../../src/contract/runtime-config';

export type { DynamoDbOperation, Fault, FaultInjector, FaultKind } from './harness/fault-injector';
export { FAULT_KINDS } from './harness/fault-injector';
export type { HandlerResponse } from './harness/invocation';
export type { StreamRun } from './harness/stream-delivery';
export type { SweepReport } from '../../lambda/sweep/sweep';

/**
 * The harness of the model-based tests: the REAL tracking handler and stream
 * processor, in process, over moto's real DynamoDB (conditional expressions are
 * evaluated by it, not mocked), its stream, SSM, EventBridge and SQS — with
 * faults injected into the handler's DynamoDB client below the SDK's retries.
 *
 * In process because thousands of scenarios must run: a request costs the
 * handler's work plus moto's, with no HTTP front, no worker process and no
 * stream polling. What that leaves out, and the properties must not rely on:
 * API Gateway's request validation and required query parameters (the handler
 * validates everything itself, so invalid requests get the handler's answer),
 * and the stream mapping's timing (records are delivered when
 * {@link ModelHarness.publishedStatusChanges} or {@link ModelHarness.publishedEvents}
 * is called, never concurrently with requests), and the sweep's schedule (it runs
 * when {@link ModelHarness.runSweep} is called, at the "now" it is given).
 *
 * Other differences from AWS the properties must tolerate:
 * - A timeout fault fails at once; on AWS the attempt first waits the client's
 *   request timeout (3 s). The handler's deadline (its calls cut short before the
 *   function timeout) is therefore never reached through timeout faults.
 * - Faults are consumed by attempts in the order they are made, across
 *   concurrent calls (a batch's puts, GET /shipments' shard queries): use
 *   `match` to aim at one shipment. Work a handler leaves running after it
 *   answered (the other shard queries of a failed GET /shipments) keeps running
 *   here — on Lambda it would be frozen — and may consume a later fault.
 * - The SDK's retry backoff is real: an absorbed throttle costs about 0.5 s
 *   (its backoff base is 1 s), the other faults a few ms.
 * - moto's own differences (shared/notes/moto.md): the stream artifacts are
 *   removed here; BatchWriteItem, TTL and TransactWriteItems are not used by
 *   the handler.
 *
 * One harness per test file (the handlers read their environment when their
 * modules load, and a jest module registry is per file):
 *
 *   let harness: ModelHarness;
 *   beforeAll(async () => { harness = await startModelHarness({ name: 'transitions' }); }, 120_000);
 *   afterAll(() => harness?.stop());
 *   beforeEach(() => harness.reset());
 *
 * Do not import lambda/ modules (other than types) in a file that uses the
 * harness: they would load before the harness sets their environment. The
 * harness's warm-up request then fails, and it refuses to start.
 */
export interface ModelHarness {
  /** Fault injection into the tracking handler's DynamoDB client. */
  readonly faults: FaultInjector;
  /** What the last {@link publishedStatusChanges} did: records read, artifacts dropped, invocations, dead letters. */
  readonly lastStreamRun: StreamRun | undefined;
  /** The emulator and the names on it, for checks the harness does not offer. */
  readonly aws: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    readonly tableName: string;
    readonly flagsParameterName: string;
  };
  /** The feature flags every scenario runs with. */
  readonly flags: FeatureFlagsDocument;
  /**
   * A fresh, empty world for one scenario: moto's state wiped (`POST
   * /moto-api/reset`) and the template's resources created again from the
   * synthesized template's own properties — the table with the construct's key
   * schema, LSI, GSI and stream; the config and flags parameters (all three
   * flags on: enhanced tracking, batch processing, real-time notifications); the
   * event bus; the `All` rule (every `Tracking Status Changed`) → its queue; the
   * stall and deletion rules → the notices queue; the processor's dead-letter
   * queue. Also disarms every fault, forgets the attempt
   * counts and the stream position, and gives the handler's DynamoDB client a
   * full SDK retry quota (as a fresh execution environment has), so a scenario
   * replays the same whatever ran before it. The handlers' config cache is kept:
   * it holds the values re-provisioned here.
   */
  reset(): Promise<void>;
  /** POST /track through the real handler. An object body is sent as JSON, a string as it is. */
  postTrack(body: unknown, headers?: Record<string, string>): Promise<HandlerResponse>;
  /** POST /track/batch through the real handler. An object body is sent as JSON, a string as it is. */
  postBatch(body: unknown, headers?: Record<string, string>): Promise<HandlerResponse>;
  /** GET /status?tracking_id=… (plus `query`, e.g. `limit`, `cursor`). */
  getStatus(trackingId: string, query?: Record<string, string>): Promise<HandlerResponse>;
  /** GET /shipments?status=… (plus `query`, e.g. `limit`, `cursor`, `updated_before`). */
  getShipments(status: string, query?: Record<string, string>): Promise<HandlerResponse>;
  /** DELETE /shipments/{tracking_id} through the real handler. */
  deleteShipment(trackingId: string): Promise<HandlerResponse>;
  /**
   * One run of the REAL stall sweep (lambda/sweep/sweep.ts) in process, with the
   * sweep function's thresholds and expiry from the template, at `now` (epoch ms)
   * instead of the clock and with no time limit. Its index queries and stall
   * markings go through the harness's own DynamoDB client (no faults; not queued
   * behind the handler's requests, which makes a sweep's 56 shard queries about
   * a third faster); its expiries through the handler's repository, as the
   * function's do (faults armed on the handler's client apply to them). Rejects
   * when the sweep does.
   */
  runSweep(now: number): Promise<Sweep.SweepReport>;
  /** Any request to the handler (another method, no body, odd headers). `resource` is the API Gateway resource path. */
  request(options: ApiRequest): Promise<HandlerResponse>;
  /** Every item in the table, unmarshalled: a consistent Scan straight against moto, not via the handler. */
  scanItems(): Promise<Record<string, unknown>[]>;
  /**
   * Runs the stream half up to now and returns what was published since the
   * last call (or reset): reads every stream record written since then (moto's
   * artifacts removed, as local/events/stream-records.ts does), applies the mapping's
   * filter, runs the REAL stream processor over them in order — in batches of
   * the mapping's size, re-delivering what `batchItemFailures` names, bisecting
   * failed batches, as the template's mapping does — then drains the rule's
   * queue and returns the `detail` of each `Tracking Status Changed` event, in
   * arrival order. Duplicates are possible (at-least-once delivery): consumers
   * drop them by (`tracking_id`, `version`). Call it with no request in flight.
   * {@link lastStreamRun} tells what the run did.
   */
  publishedStatusChanges(): Promise<StatusChangedDetail[]>;
  /**
   * As {@link publishedStatusChanges}, with the other events published since the
   * last call: the `detail` of each `Tracking Shipment Stalled` and `Tracking
   * Shipment Deleted` event (the rules `onShipmentStalled` and `onShipmentDeleted`
   * deliver them to one queue), each kind in arrival order. Either method
   * delivers the stream and drains every queue: what one returned the other
   * does not return again.
   */
  publishedEvents(): Promise<PublishedEvents>;
  /** Stops moto (no process is left behind) and closes every client. Idempotent. */
  stop(): Promise<void>;
}

/** Everything published in one stream run. */
export interface PublishedEvents {
  readonly statusChanges: readonly StatusChangedDetail[];
  readonly stalls: readonly ShipmentStalledDetail[];
  readonly deletions: readonly ShipmentDeletedDetail[];
}

export interface ApiRequest {
  /** Any method: the handler answers 405 to those a route does not have. */
  readonly method: string;
  /** The API Gateway resource, e.g. `/track`. */
  readonly resource: string;
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  /** @default `Content-Type: application/json` for POST, none for GET */
  readonly headers?: Record<string, string>;
  /** Values of the resource's `{name}` path parameters, e.g. `{ tracking_id: 'PKG-1' }`. */
  readonly pathParameters?: Record<string, string>;
}

export interface ModelHarnessOptions {
  /** Names the work directory `test/.tmp/model/<name>` (cloud assembly, moto.log): one per test file. */
  readonly name: string;
  /**
   * The handlers' Powertools log level.
   * @default process.env.MODEL_LOG_LEVEL, else 'SILENT' (thousands of scenarios would log millions of lines)
   */
  readonly logLevel?: string;
}

/** The flags the model app deploys (model-app.ts) and every scenario runs with. */
export const MODEL_FLAGS: FeatureFlagsDocument = { enhanced_tracking: true, batch_processing: true, real_time_notifications: true };

const HOST = '127.0.0.1';
const TRACKING = ROUTES.track.path;

/**
 * Variables both functions set that may differ, because the one module registry
 * of a test file can hold only one value: the logger's service name (one logger
 * instance serves both handlers anyway — lambda/shared/observability.ts).
 */
const MAY_DIFFER = new Set(['POWERTOOLS_SERVICE_NAME']);

/** What the SDK's Node HTTP handler tells of its (resolved) settings. */
type HttpHandlerWithConfig = { httpHandlerConfigs?: () => { requestTimeout?: number } };

/** A module registry loads the handlers once, with one environment. */
let started = false;

export async function startModelHarness(options: ModelHarnessOptions): Promise<ModelHarness> {
  if (started) throw new Error('startModelHarness() was already called in this test file: the handlers read their environment once per module registry; share one harness per file');
  started = true;

  const dir = path.join(__dirname, '..', '.tmp', 'model', options.name);
  const cdkOut = synthModelApp(path.join(dir, 'cdk.out'));
  const emulator = await startMoto(path.join(dir, 'moto.log'));
  const cleanups = new Cleanups();
  cleanups.add(() => emulator.stop());

  try {
    const template = readLocalTemplate(cdkOut, { emulatorEndpoint: emulator.endpoint });
    const trackingFunction = apiFunction(template);
    const mapping = template.streamMappings[0];
    if (template.streamMappings.length !== 1 || !mapping) {
      throw new Error(`the model app should have one stream mapping, it has ${template.streamMappings.length}`);
    }
    const processorFunction = template.functions.get(mapping.functionLogicalId)!;
    const sweepFunction = scheduledFunction(template);
    const credentials = DEFAULT_CREDENTIALS;
    const region = template.region;

    setHandlerEnvironment([trackingFunction, processorFunction, sweepFunction], {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL: emulator.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? process.env.MODEL_LOG_LEVEL ?? 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });

    // Only now: the handler modules read the environment as they load.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const tracking = require('../../lambda/tracking/index') as typeof TrackingHandler;
    const { dynamoDb } = require('../../lambda/tracking/clients') as typeof TrackingClients;
    const { ssm } = require('../../lambda/shared/ssm-client') as typeof SharedSsm;
    const { runtimeConfig } = require('../../lambda/shared/config') as typeof SharedConfig;
    const processor = require('../../lambda/stream-processor/index') as typeof StreamProcessor;
    const processorClients = require('../../lambda/stream-processor/clients') as typeof StreamProcessorClients;
    const { repository, TrackingRepository: Repository } = require('../../lambda/tracking/repository') as typeof TrackingRepository;
    const { sweep } = require('../../lambda/sweep/sweep') as typeof Sweep;
    const { readSettings } = require('../../lambda/sweep/index') as typeof SweepEntry;
    /* eslint-enable @typescript-eslint/no-require-imports */
    // The sweep function's own reading of its environment (which the merged one holds).
    const sweepSettings = readSettings(process.env);
    cleanups.add(() => [dynamoDb, ssm, processorClients.eventBridge, processorClients.sqs].forEach((client) => client.destroy()));

    const tableName = template.tables[0].name;

    const faults = new SdkFaultInjector({
      host: HOST,
      port: emulator.port,
      requestTimeoutMs: () => Number((dynamoDb.config.requestHandler as HttpHandlerWithConfig).httpHandlerConfigs?.().requestTimeout ?? 0),
    });
    faults.install(dynamoDb);
    const retryQuota = await sdkRetryQuota(dynamoDb);

    const streamChanges = ruleQueue(template, STATUS_CHANGES_QUEUE_ID);
    const deadLetterQueueUrl = processorFunction.environment[ENV.DEAD_LETTER_QUEUE_URL];
    if (!deadLetterQueueUrl) throw new Error(`the stream processor has no ${ENV.DEAD_LETTER_QUEUE_URL}`);
    const stream = new StreamDelivery({
      endpoint: emulator.endpoint,
      region,
      credentials,
      mapping,
      processor: processorFunction,
      handler: processor.handler as (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>,
      statusChangesQueueUrl: streamChanges,
      noticesQueueUrl: ruleQueue(template, SHIPMENT_NOTICES_QUEUE_ID),
      deadLetterQueueUrl,
    });
    cleanups.add(() => stream.destroy());

    const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 }));
    cleanups.add(() => documentClient.destroy());
    const sweepTable = { client: documentClient, settings: Repository.settingsFromEnvironment(process.env) };

    const provisionOptions = { endpoint: emulator.endpoint, region, credentials };
    const reset = async () => {
      await motoReset(emulator.endpoint);
      await provision(template, provisionOptions);
      stream.reset();
      faults.reset();
      retryQuota.refill();
    };

    const apiHandler = tracking.handler as (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
    const request = (api: ApiRequest) => invokeApiHandler(trackingFunction, apiHandler, proxyEvent(api));

    await reset();
    // Warm up: the first config read (and a check that it is the model's), the
    // handler's DynamoDB client resolving its endpoint and credentials.
    const { flags } = await runtimeConfig.get();
    if (Object.entries(MODEL_FLAGS).some(([name, value]) => (flags as unknown as Record<string, boolean>)[name] !== value)) {
      throw new Error(`the handlers read the flags ${JSON.stringify(flags)}, not the model's ${JSON.stringify(MODEL_FLAGS)}: was the flags parameter provisioned?`);
    }
    const warmUp = await request({ method: 'GET', resource: ROUTES.status.path, query: { tracking_id: 'warm-up' } });
    if (warmUp.status !== 404) {
      throw new Error(`the warm-up GET /status of an unknown shipment answered ${warmUp.status}, not 404 (${warmUp.text}). `
        + 'If a lambda/ module was imported before startModelHarness() set the environment, the handler runs without its table: '
        + 'import lambda/ modules only as types (`import type`) in files that use the harness.');
    }
    faults.reset();

    let lastStreamRun: StreamRun | undefined;
    let stopped: Promise<void> | undefined;
    return {
      reset,
      postTrack: (body, headers) => request({ method: 'POST', resource: TRACKING, body, headers }),
      postBatch: (body, headers) => request({ method: 'POST', resource: ROUTES.trackBatch.path, body, headers }),
      getStatus: (trackingId, query = {}) => request({ method: 'GET', resource: ROUTES.status.path, query: { tracking_id: trackingId, ...query } }),
      getShipments: (status, query = {}) => request({ method: 'GET', resource: ROUTES.shipments.path, query: { status, ...query } }),
      deleteShipment: (trackingId) => request({ method: 'DELETE', resource: ROUTES.eraseShipment.path, pathParameters: { tracking_id: trackingId } }),
      runSweep: (now) => sweep({ table: sweepTable, repository, settings: sweepSettings, now, hasTime: () => true }),
      request,
      scanItems: async () => {
        const items: Record<string, unknown>[] = [];
        for await (const page of paginateScan({ client: documentClient }, { TableName: tableName, ConsistentRead: true })) {
          items.push(...(page.Items ?? []));
        }
        return items;
      },
      faults,
      publishedStatusChanges: async () => {
        lastStreamRun = await stream.run();
        return [...lastStreamRun.published];
      },
      publishedEvents: async () => {
        lastStreamRun = await stream.run();
        return { statusChanges: [...lastStreamRun.published], stalls: [...lastStreamRun.stalls], deletions: [...lastStreamRun.deletions] };
      },
      get lastStreamRun() {
        return lastStreamRun;
      },
      aws: {
        endpoint: emulator.endpoint,
        region,
        credentials,
        tableName,
        flagsParameterName: trackingFunction.environment[ENV.FLAGS_PARAMETER_NAME],
      },
      flags: MODEL_FLAGS,
      stop: () => (stopped ??= cleanups.runAll()),
    };
  } catch (error) {
    await cleanups.runAll();
    throw error;
  }
}

/** moto on a free port; a port taken between choosing and binding it is chosen again. */
async function startMoto(logFile: string): Promise<Emulator> {
  const { python } = await resolveMotoPython({ projectDir: path.join(__dirname, '..', '..') });
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmulator({ python, host: HOST, port: await freePort(HOST), logFile });
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt === 3) throw error;
    }
  }
}

/** Wipes every service's state on moto. */
function motoReset(endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${endpoint}/moto-api/reset`, { method: 'POST' }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`moto reset answered ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end();
  });
}

/** The function behind the API's proxy integrations. */
function apiFunction(template: LocalTemplate): FunctionSpec {
  const ids = new Set(apiEndpoints(template).flatMap((endpoint) => (endpoint.functionLogicalId ? [endpoint.functionLogicalId] : [])));
  if (ids.size !== 1) throw new Error(`the model app's API should invoke one function, it invokes ${ids.size}`);
  return template.functions.get([...ids][0])!;
}

/** URL of the model app's queue `id` (its logical id starts with it), which a rule delivers to. */
function ruleQueue(template: LocalTemplate, id: string): string {
  const queue = template.queues.find((candidate) => candidate.logicalId.startsWith(id));
  const rule = template.rules.find((candidate) => candidate.targets.some((target) => target.queueLogicalId === queue?.logicalId));
  if (!queue || !rule) throw new Error(`the model app has no rule delivering to a queue ${id}`);
  return queue.url;
}

/** The function the model app's one schedule (the stall sweep's) invokes. */
function scheduledFunction(template: LocalTemplate): FunctionSpec {
  const ids = new Set(template.schedules.flatMap((schedule) => schedule.targets.map((target) => target.functionLogicalId)));
  if (ids.size !== 1) throw new Error(`the model app's schedules should invoke one function (the sweep), they invoke ${ids.size}`);
  return template.functions.get([...ids][0])!;
}

/**
 * Sets the environment both handlers read at import: each function's template
 * variables (one registry holds both, so they must agree where both set one),
 * then `fixed`. Every other AWS_ variable is removed, as Lambda would not have
 * it: a developer's AWS_PROFILE, AWS_RETRY_MODE or AWS_ENDPOINT_URL_DYNAMODB
 * must not change what the handlers do.
 */
function setHandlerEnvironment(functions: readonly FunctionSpec[], fixed: Record<string, string>): void {
  const merged: Record<string, string> = {};
  for (const fn of functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (name in merged && merged[name] !== value && !MAY_DIFFER.has(name)) {
        throw new Error(`${name} is ${JSON.stringify(merged[name])} for one function and ${JSON.stringify(value)} for ${fn.name}: `
          + 'the model harness runs both handlers in one module registry, where a variable has one value');
      }
      merged[name] ??= value;
    }
  }
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  Object.assign(process.env, merged, fixed);
}

/**
 * The SDK's retry quota of the handler's client (the standard strategy's token
 * bucket: 500, a throttling retry costs 5, a timeout or connection retry 14; a
 * success gives some back). Across thousands of faulted scenarios it would drain
 * and the SDK would stop retrying, so a scenario's outcome would depend on the
 * scenarios before it; refilling it per scenario is what a fresh execution
 * environment has.
 */
async function sdkRetryQuota(client: DynamoDBDocumentClient): Promise<{ refill(): void }> {
  const strategy = await (client.config.retryStrategy as unknown as () => Promise<{ capacity?: unknown; getCapacity?: () => number }>)();
  if (typeof strategy.capacity !== 'number' || typeof strategy.getCapacity !== 'function') {
    throw new Error('the SDK\'s retry strategy has no `capacity`: the harness cannot give each scenario a full retry quota (see sdkRetryQuota in test/model/harness.ts)');
  }
  const full = strategy.getCapacity();
  return {
    refill: () => {
      strategy.capacity = full;
    },
  };
}
