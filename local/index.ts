/**
 * `logistics-tracking-api/local`: the local runtime for consumers' own tests.
 *
 *   const local = await startLocalRuntime({ cdkOut: 'cdk.out' });
 *   const response = await local.fetch('track', { method: 'POST', body: { ... } });
 *   await local.stop();
 *
 * The package's bundle (lib/local/index.js) is built from this file; the
 * `logistics-tracking-api` command (lib/local/bin.cjs) calls {@link runCli}.
 */
import * as path from 'path';
import type { LocalRuntime, LocalRuntimeOptions } from './api';
import { startRuntime } from './runtime';
import { signedFetch } from './support/signed-fetch';

export type { LocalEventBus, LocalQueue, LocalRequestInit, LocalRuntime, LocalRuntimeCredentials, LocalRuntimeOptions } from './api';

/**
 * Starts the local runtime on free ports (unless `port` says otherwise): reads
 * the assembly, starts moto (installing it on first use), creates the stack's
 * tables, parameters, queues, event buses and rules on it, and serves the API
 * with the functions in worker processes on their Lambda runtime's Node.
 * Resolves once everything answers; rejects with what to do when something
 * cannot start (and leaves nothing running).
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const runtime = await startRuntime({
    cdkOut: path.resolve(options.cdkOut ?? 'cdk.out'),
    stackName: options.stack,
    construct: options.construct,
    port: options.port ?? 0,
    host: options.host,
    emulatorEndpoint: options.emulatorEndpoint,
    logDir: options.logDir,
    functionLog: options.functionLog,
    progressLog: options.progressLog,
    webhookEndpoints: options.webhookEndpoints,
    webhookSecretValues: options.webhookSecretValues,
  });
  const { template } = runtime;
  return {
    url: runtime.url,
    host: runtime.host,
    port: runtime.port,
    stage: runtime.stage,
    region: runtime.region,
    credentials: runtime.credentials,
    emulatorEndpoint: runtime.emulator.endpoint,
    stackName: template.stackName,
    constructPath: template.constructPath,
    queues: template.queues.map(({ logicalId, name, url }) => ({ logicalId, name, url })),
    eventBuses: template.eventBuses.map(({ logicalId, name }) => ({ logicalId, name })),
    logDir: runtime.logDir,
    fetch: (relativePath, init) => signedFetch(runtime.url, runtime.region, runtime.credentials, relativePath, init),
    runSchedule: async (name) => {
      await runtime.runSchedule(name);
    },
    stop: () => runtime.stop(),
  };
}

/** @internal The `logistics-tracking-api` command (lib/local/bin.cjs); not an API. */
export { runCli } from './cli';
