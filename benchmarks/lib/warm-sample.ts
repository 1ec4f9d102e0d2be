/**
 * One warm execution environment: a Node 24 process that imports a handler bundle
 * once and serves POST /track one request after another, in batches its parent
 * (cold-start.ts) asks for over the IPC channel. cold-start.ts bundles this file to an
 * ESM script and runs it as
 *
 *   warm-sample.mjs <handler bundle>
 *
 * Each batch is a WarmBatch message, answered with a WarmBatchResult. Unmeasured
 * batches come first (the first call is the cold start, with the config read; the
 * rest let V8 optimize the hot paths and the SDK open its sockets); in measured
 * batches each call is timed alone: performance.now() just before the handler is
 * called and when its promise resolves. Building the event and checking the answer
 * stay outside the clock. The parent alternates batches between two such processes
 * (shipped and reference), so the machine's noise hits both alike; between batches a
 * process idles, as a Lambda environment does between requests.
 *
 * Each call is a new shipment's update (tracking id WARM-<pid>-<n>), so on a real table
 * too the conditional event put and state update would succeed; the stub answers
 * every write with success anyway. A response other than 200 fails the batch: timing
 * an error path is worthless. The process exits when the parent disconnects.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyResult, Handler } from 'aws-lambda';
import type { WarmBatch, WarmBatchResult } from './sample-result';
import { lambdaContext, trackEvent } from './track-request';

let calls = 0;

async function runBatch(handler: Handler, batch: WarmBatch): Promise<WarmBatchResult> {
  const handlerMs: number[] = [];
  for (let i = 0; i < batch.calls; i++, calls++) {
    const event = trackEvent(`WARM-${process.pid}-${calls}`, `warm-${process.pid}-${calls}`);
    const context = lambdaContext();

    const start = performance.now();
    const response = await handler(event, context, () => undefined) as APIGatewayProxyResult | undefined;
    const elapsed = performance.now() - start;

    if (response?.statusCode !== 200) {
      throw new Error(`POST /track #${calls} answered ${response?.statusCode ?? 'nothing'}, expected 200: ${JSON.stringify(response)}`);
    }
    if (batch.measure) handlerMs.push(elapsed);
  }
  return { ok: true, handlerMs };
}

async function main(): Promise<void> {
  const bundlePath = process.argv[2];
  if (!bundlePath || !process.send) throw new Error('usage: warm-sample.mjs <handler bundle>, spawned with an IPC channel');
  const module = await import(pathToFileURL(bundlePath).href) as { handler?: Handler };
  const handler = module.handler;
  if (typeof handler !== 'function') throw new Error(`${bundlePath} exports no handler function`);

  const reply = (result: WarmBatchResult): void => {
    process.send!(result);
  };
  // The parent sends a batch only after the previous one's answer: batches never overlap.
  process.on('message', (batch: WarmBatch) => {
    runBatch(handler, batch).then(reply, (error: unknown) => {
      reply({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    });
  });
  process.on('disconnect', () => process.exit(0));
  reply({ ok: true, handlerMs: [] });
}

main().catch((error: unknown) => {
  process.stderr.write(`BENCH_ERROR ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
