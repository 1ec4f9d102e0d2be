/**
 * One cold-start sample. cold-start.ts bundles this file to an ESM script and runs
 * it in a fresh Node 24 process per sample, with the handler bundle's path as the
 * only argument. Both figures come from one clock started just before the import
 * (see SampleResult). A response other than 200 fails the sample: timing an error
 * path is worthless.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyResult, Handler } from 'aws-lambda';
import { RESULT_PREFIX, SampleResult } from './sample-result';
import { lambdaContext, trackEvent } from './track-request';

async function main(): Promise<void> {
  const bundlePath = process.argv[2];
  if (!bundlePath) throw new Error('usage: sample.mjs <handler bundle>');
  const url = pathToFileURL(bundlePath).href;

  const start = performance.now();
  const module = await import(url) as { handler?: Handler };
  const imported = performance.now();
  if (typeof module.handler !== 'function') throw new Error(`${bundlePath} exports no handler function`);

  const response = await module.handler(trackEvent(), lambdaContext(), () => undefined) as APIGatewayProxyResult | undefined;
  const answered = performance.now();

  if (response?.statusCode !== 200) {
    throw new Error(`POST /track answered ${response?.statusCode ?? 'nothing'}, expected 200: ${JSON.stringify(response)}`);
  }
  const result: SampleResult = { importMs: imported - start, firstResponseMs: answered - start };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().then(
  // Exit at once: the SDK's keep-alive sockets would otherwise hold the process open.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`BENCH_ERROR ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
