import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { LOCAL_REGION } from './assembly/intrinsics';
import { apiEndpoints, stageBasePath, stageNames } from './assembly/served-api';
import { LocalTemplate, readLocalTemplate } from './assembly/template';
import { connectEmulator, parseEmulatorEndpoint } from './emulator/connect';
import { FaultProxy } from './emulator/fault-proxy';
import { resolveMotoPython } from './emulator/install';
import { Emulator, PortInUseError, startEmulator } from './emulator/moto';
import { provision, Provisioned } from './emulator/provision';
import { Schedules, ScheduleTargetRun } from './events/schedules';
import { StreamMapping, StreamMappingStats } from './events/stream-mapping';
import { LocalWebhooks, startWebhooks, WebhookRoute, WebhookStats } from './events/webhooks';
import { lambdaEnvironment } from './functions/lambda-environment';
import { checkCodeDirectory, FunctionIdentity, NodeExecutable, nodeForRuntime } from './functions/node-runtime';
import { InvokeOptions, PoolStats, WorkerPool } from './functions/workers';
import { HttpGateway } from './gateway/http-gateway';
import { OpenApiRoute } from './gateway/openapi-route';
import { Gateway } from './gateway/rest-gateway';
import { LocalCredentials, SigV4Verifier } from './gateway/sigv4';
import { Cleanups } from './support/cleanups';
import { packageRoot } from './support/package-root';
import { freePort } from './support/ports';

/**
 * The whole local stack in one call, for the command (local/cli.ts; `npx projen local`
 * here), the JavaScript entry point (local/index.ts), the
 * end-to-end tests and the load benchmark: read the template, start moto, create
 * the template's resources on it, serve the API with the functions in worker
 * processes, and feed the functions that event source mappings name from their
 * tables' streams. `stop()` leaves no process behind.
 */

export const DEFAULT_CREDENTIALS: LocalCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Authorization types served locally; the others fail at start-up rather than answer wrongly. */
const SERVED_AUTHORIZATION = new Set(['NONE', 'AWS_IAM']);

export interface RuntimeOptions {
  /** The cloud assembly directory (`cdk.out`). */
  readonly cdkOut: string;
  /** Which stack, when the assembly has several. */
  readonly stackName?: string;
  /** Which API (a RestApi's or an HTTP API's logical id), when the stack has several. */
  readonly api?: string;
  /** Which RestApi (logical id), when the stack has several; `api` is the newer name. */
  readonly restApi?: string;
  /** Which LogisticsTrackingApi (construct path or id), when the stack holds several; see local/assembly/. */
  readonly construct?: string;
  /**
   * A moto server already running: used instead of starting one (it is reset at
   * start and left running at stop). @default a moto started here, from the
   * project's .venv in this repository, else from the per-user cache (installed on first use)
   */
  readonly emulatorEndpoint?: string;
  /** Receives the runtime's progress lines (the emulator's first-use install). @default none */
  readonly progressLog?: (line: string) => void;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The API's port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** moto's port; 0 picks a free one. @default 0 */
  readonly emulatorPort?: number;
  /** The only credentials IAM-authorized methods accept, also the functions' credentials. @default local / local */
  readonly credentials?: LocalCredentials;
  /** The package root: its `.venv/` (this repository's, with moto) and `assets/`. @default the root of the package this file is in */
  readonly projectDir?: string;
  /** Where moto.log and functions.log go. @default a new directory under the OS temp dir */
  readonly logDir?: string;
  /** Receives every line the functions print; default: `<logDir>/functions.log`. */
  readonly functionLog?: (line: string) => void;
  /** Receives one line per API request. */
  readonly accessLog?: (line: string) => void;
  /**
   * Execution environments per function, at most (Lambda's is the account's concurrency);
   * beyond it invocations wait. A function's ReservedConcurrentExecutions, when lower,
   * throttles instead (see workers.ts). @default 8
   */
  readonly maxWorkersPerFunction?: number;
  /** Put a {@link FaultProxy} between the functions and moto, exposed as `faults`. @default false */
  readonly faultInjection?: boolean;
  /** @default 30 s */
  readonly emulatorStartTimeoutMs?: number;
  /**
   * Run the event source mappings on DynamoDB streams. Off, the stream functions
   * never run (the load benchmark measures the API path alone this way).
   * @default true
   */
  readonly eventSourceMappings?: boolean;
  /** How often each stream shard is polled. @default 250 ms, as Lambda does */
  readonly streamPollIntervalMs?: number;
  /** The document served at `GET /openapi.json`. @default `<projectDir>/assets/openapi/openapi.json` */
  readonly openApiFile?: string;
  /**
   * Where webhooks go locally: a template endpoint (an API destination's
   * InvocationEndpoint, exactly as the template has it) → a local URL. A webhook
   * whose endpoint is not here is not delivered (the start-up report says so).
   * @default {}
   */
  readonly webhookEndpoints?: Readonly<Record<string, string>>;
  /** Values of secrets outside the template that webhooks' connections name, by the ARN or name the template gives. @default generated */
  readonly webhookSecretValues?: Readonly<Record<string, string>>;
  /** The first webhook retry waits this long, each next one twice as long (at most a minute). @default 1000 */
  readonly webhookRetryBaseDelayMs?: number;
}

export interface Runtime {
  /** The invoke URL of the first stage, like the construct's `apiUrl`: `http://127.0.0.1:3000/dev/` (`/` for an HTTP API's `$default` stage). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly stage: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
  /** The emulator; `pid` and `logFile` only when this runtime started it (not for `emulatorEndpoint`). */
  readonly emulator: { readonly endpoint: string; readonly port: number; readonly pid?: number; readonly logFile?: string };
  readonly logDir: string;
  readonly template: LocalTemplate;
  readonly provisioned: Provisioned;
  /** Every webhook of the template, with the local URL it goes to (none: not delivered) and its secret on the emulator. */
  readonly webhooks: readonly WebhookRoute[];
  /** Present with `faultInjection`: make moto unreachable (or hanging) for the functions, and reachable again. */
  readonly faults?: {
    refuseConnections(): Promise<void>;
    /** The functions' calls to moto hang until `restore()`; see local/emulator/fault-proxy.ts. */
    holdConnections(): Promise<void>;
    /** How many of the functions' connections are being held. */
    heldConnections(): number;
    restore(): Promise<void>;
  };
  poolStats(): Record<string, PoolStats>;
  /** By event source mapping logical id. */
  streamStats(): Record<string, StreamMappingStats>;
  /** By webhook id (`<rule logical id>/<target id>`), delivered webhooks only. */
  webhookStats(): Record<string, WebhookStats>;
  /** Runs a scheduled rule now (by rule name or logical id), as `POST /_local/schedules/<name>` does; see local/events/schedules.ts. */
  runSchedule(nameOrLogicalId: string): Promise<ScheduleTargetRun[]>;
  stop(): Promise<void>;
}

const nodeCache = new Map<string, NodeExecutable>();

function cachedNode(runtime: string, fn: FunctionIdentity): NodeExecutable {
  const cached = nodeCache.get(runtime);
  if (cached) return cached;
  const found = nodeForRuntime(runtime, fn);
  nodeCache.set(runtime, found);
  return found;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use (another local runtime?): stop that process, or choose another port with --port N`
        : `cannot listen on ${host}:${port}: ${error.message}`));
    });
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const host = options.host ?? '127.0.0.1';
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const projectDir = options.projectDir ?? packageRoot();
  const logDir = options.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'logistics-tracking-local-'));
  fs.mkdirSync(logDir, { recursive: true });

  const cleanups = new Cleanups();

  try {
    // Read and check everything before starting anything, so a template the
    // local runtime cannot serve fails in a second with nothing to clean up.
    if (options.emulatorEndpoint && options.faultInjection) throw new Error('faultInjection needs an emulator started by the runtime, not emulatorEndpoint');
    const given = options.emulatorEndpoint ? parseEmulatorEndpoint(options.emulatorEndpoint) : undefined;
    const read = (emulatorPort: number) => readLocalTemplate(options.cdkOut, {
      emulatorEndpoint: given?.origin ?? `http://${host}:${emulatorPort}`,
      stackName: options.stackName,
      construct: options.construct,
      api: options.api,
      restApi: options.restApi,
    });
    let emulatorPort = given?.port ?? (options.emulatorPort || await freePort(host));
    let template = read(emulatorPort);
    const endpoints = apiEndpoints(template);
    for (const endpoint of endpoints) {
      if (!SERVED_AUTHORIZATION.has(endpoint.authorizationType)) {
        throw new Error(`${endpoint.label} (${endpoint.resource}) uses ${endpoint.authorizationType} authorization, which the local runtime does not serve: it checks AWS_IAM signatures and NONE only, no tokens or Lambda authorizers. Use AWS_IAM or NONE authorization locally, e.g. synthesize the LogisticsTrackingApi with ApiAuthorization.iam() (the default) for local runs`);
      }
    }
    const streamMappings = options.eventSourceMappings === false ? [] : template.streamMappings;
    const servedFunctionIds = [...new Set([
      ...endpoints.flatMap((endpoint) => (endpoint.functionLogicalId !== undefined ? [endpoint.functionLogicalId] : [])),
      ...streamMappings.map((mapping) => mapping.functionLogicalId),
      ...template.schedules.flatMap((schedule) => schedule.targets.map((target) => target.functionLogicalId)),
    ])];
    const nodes = new Map(servedFunctionIds.map((id) => {
      const fn = template.functions.get(id)!;
      checkCodeDirectory(fn.codeDirectory, fn);
      return [id, cachedNode(fn.runtime, fn)];
    }));

    // The emulator's Python (installed into the per-user cache on first use) before
    // anything listens: a machine without a usable one fails here with nothing to stop.
    const python = given ? undefined : (await resolveMotoPython({ projectDir, log: options.progressLog })).python;

    let gateway: { readonly listener: http.RequestListener } | undefined;
    let schedules: Schedules | undefined;
    const openApi = new OpenApiRoute(options.openApiFile ?? path.join(projectDir, 'assets', 'openapi', 'openapi.json'));
    const server = http.createServer((request, response) => {
      if (openApi.matches(request)) return openApi.serve(request, response);
      if (schedules?.matches(request)) return schedules.serve(request, response);
      if (gateway) return gateway.listener(request, response);
      response.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      response.end('{"message":"the local runtime is starting"}');
    });
    const port = await listen(server, options.port ?? 0, host);
    cleanups.add(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));

    const functionLogFile = path.join(logDir, 'functions.log');
    let functionLog = options.functionLog;
    if (!functionLog) {
      const stream = fs.createWriteStream(functionLogFile, { flags: 'a' });
      cleanups.add(() => new Promise<void>((resolve) => stream.end(() => resolve())));
      functionLog = (line) => stream.write(`${line}\n`);
    }

    let emulator: Emulator | undefined = given && await connectEmulator(given.origin);
    for (let attempt = 1; !emulator; attempt++) {
      try {
        emulator = await startEmulator({
          python: python!,
          host,
          port: emulatorPort,
          logFile: path.join(logDir, 'moto.log'),
          startTimeoutMs: options.emulatorStartTimeoutMs,
        });
      } catch (error) {
        // A port chosen here can be taken by another process before moto binds it: choose again.
        if (!(error instanceof PortInUseError) || options.emulatorPort || attempt === 3) throw error;
        emulatorPort = await freePort(host);
        template = read(emulatorPort);
      }
    }
    const startedEmulator = emulator;
    cleanups.add(() => startedEmulator.stop());

    const provisioned = await provision(template, { endpoint: emulator.endpoint, region: template.region, credentials });
    // Before any function runs, so the first published event already reaches its webhooks.
    const webhooks: LocalWebhooks = await startWebhooks({
      template,
      endpoint: emulator.endpoint,
      credentials,
      endpoints: options.webhookEndpoints,
      secretValues: options.webhookSecretValues,
      retryBaseDelayMs: options.webhookRetryBaseDelayMs,
      log: functionLog,
    });
    cleanups.add(() => webhooks.stop());

    let functionsEndpoint = emulator.endpoint;
    let faultProxy: FaultProxy | undefined;
    if (options.faultInjection) {
      faultProxy = new FaultProxy(host, emulator.port);
      functionsEndpoint = `http://${host}:${await faultProxy.start()}`;
      cleanups.add(() => faultProxy!.stop());
    }

    const pools = new Map<string, WorkerPool>();
    for (const fn of servedFunctionIds.map((id) => template.functions.get(id)!)) {
      const pool = new WorkerPool({
        functionName: fn.name,
        functionArn: fn.arn,
        handler: fn.handler,
        codeDirectory: fn.codeDirectory,
        timeoutMs: fn.timeoutSeconds * 1000,
        memoryMb: fn.memoryMb,
        logGroupName: fn.logGroupName,
        nodePath: nodes.get(fn.logicalId)!.path,
        environment: lambdaEnvironment(fn, {
          region: template.region,
          endpoint: functionsEndpoint,
          emulatorEndpoint: emulator.endpoint,
          credentials,
        }),
        maxWorkers: options.maxWorkersPerFunction ?? 8,
        reservedConcurrency: fn.reservedConcurrency,
        log: functionLog,
      });
      pools.set(fn.logicalId, pool);
      cleanups.add(() => pool.stop());
    }

    // Polling starts before the API serves, so a TRIM_HORIZON or LATEST mapping
    // sees every write made through it. Pushed after the pools: stopped before them.
    const mappings = new Map<string, StreamMapping>();
    for (const spec of streamMappings) {
      const fn = template.functions.get(spec.functionLogicalId)!;
      const pool = pools.get(fn.logicalId)!;
      const mapping = new StreamMapping({
        spec,
        functionName: fn.name,
        functionArn: fn.arn,
        region: template.region,
        endpoint: emulator.endpoint,
        credentials,
        onFailureQueueUrl: spec.onFailure && template.queues.find((queue) => queue.logicalId === spec.onFailure!.queueLogicalId)?.url,
        invoke: (event, invokeOptions) => pool.invoke(event, invokeOptions),
        pollIntervalMs: options.streamPollIntervalMs,
        log: functionLog,
      });
      cleanups.add(() => mapping.stop());
      await mapping.start();
      mappings.set(spec.logicalId, mapping);
    }

    const gatewayOptions = {
      accountId: template.accountId,
      verifier: new SigV4Verifier({ region: LOCAL_REGION, service: 'execute-api', credentials: [credentials] }),
      invoke: (functionLogicalId: string, event: unknown, invokeOptions: InvokeOptions) => pools.get(functionLogicalId)!.invoke(event, invokeOptions),
      log: options.accessLog,
    };
    const runningSchedules = new Schedules({
      schedules: template.schedules,
      accountId: template.accountId,
      region: template.region,
      invoke: gatewayOptions.invoke,
      log: functionLog,
    });
    runningSchedules.start();
    // Before the pools stop (cleanups run last in, first out).
    cleanups.add(async () => runningSchedules.stop());
    schedules = runningSchedules;

    gateway = template.protocol === 'HTTP'
      ? new HttpGateway({ ...gatewayOptions, api: template.httpApi })
      : new Gateway({ ...gatewayOptions, api: template.api });

    const stage = stageNames(template)[0];
    let stopped: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}${stageBasePath(template, stage)}`,
      host,
      port,
      stage,
      region: template.region,
      credentials,
      emulator: { endpoint: emulator.endpoint, port: emulator.port, pid: emulator.pid, logFile: emulator.logFile },
      logDir,
      template,
      provisioned,
      webhooks: webhooks.routes,
      faults: faultProxy && {
        refuseConnections: () => faultProxy!.refuseConnections(),
        holdConnections: () => faultProxy!.holdConnections(),
        heldConnections: () => faultProxy!.heldConnections,
        restore: () => faultProxy!.restore(),
      },
      poolStats: () => Object.fromEntries([...pools].map(([id, pool]) => [template.functions.get(id)!.name, pool.stats()])),
      streamStats: () => Object.fromEntries([...mappings].map(([id, mapping]) => [id, mapping.stats()])),
      webhookStats: () => webhooks.stats(),
      runSchedule: (name) => runningSchedules.run(name),
      stop: () => {
        if (!stopped) {
          // New connections are refused first, so nothing new reaches a worker that is stopping.
          server.close();
          stopped = cleanups.runAll();
        }
        return stopped;
      },
    };
  } catch (error) {
    await cleanups.runAll();
    throw error;
  }
}
