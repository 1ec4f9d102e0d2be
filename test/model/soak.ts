import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { RunFigures } from './driver';

/**
 * `npx projen test:soak [--scenarios 10000] [--workers 4] [--seed N]`: the
 * model-based suite (guarantees.test.ts) at soak size. Each worker is a jest
 * process with its own moto and its own seeds (N, N+1, N+2… so no two replay the
 * same scenarios), running a quarter of the scenarios; a throttled DynamoDB call
 * spends most of its time in the SDK's backoff sleep, so more workers than cores
 * still adds throughput. Prints each worker's figures and the totals, and exits
 * non-zero on any invariant violation (the failing seed and counterexample are in
 * that worker's output, which is replayed with MODEL_SEED).
 */

interface Options {
  readonly scenarios: number;
  readonly workers: number;
  readonly seed: number;
}

type Figures = RunFigures & {
  invariantViolations: number;
  seconds: number;
  faultsByKind: Record<string, number>;
  seeds: { fixed: number; random: number };
};

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: number) => {
    const index = argv.indexOf(`--${name}`);
    if (index < 0) return fallback;
    const parsed = Number(argv[index + 1]);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer (got ${argv[index + 1]})`);
    return parsed;
  };
  return { scenarios: value('scenarios', 10_000), workers: value('workers', 4), seed: value('seed', Math.floor(Math.random() * 2 ** 30)) };
}

/** One jest process: its two sequential properties run `runs` scenarios each, its two concurrent ones half that. */
function runWorker(index: number, runs: number, seed: number, dir: string): Promise<{ code: number; figures?: Figures; log: string }> {
  const figuresFile = path.join(dir, `worker-${index}.json`);
  const logFile = path.join(dir, `worker-${index}.log`);
  fs.rmSync(figuresFile, { force: true });
  const log = fs.openSync(logFile, 'w');
  const child = spawn('npx', ['jest', 'test/model/guarantees.test.ts', '--coverage=false', '--ci'], {
    env: { ...process.env, MODEL_SOAK: '1', MODEL_RUNS: String(runs), MODEL_SEED: String(seed), MODEL_FIGURES: figuresFile, MODEL_WORK_SUFFIX: `soak-${index}` },
    stdio: ['ignore', log, log],
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      fs.closeSync(log);
      const figures = fs.existsSync(figuresFile) ? JSON.parse(fs.readFileSync(figuresFile, 'utf8')) as Figures : undefined;
      resolve({ code: code ?? 1, figures, log: logFile });
    });
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // Each worker runs 2 × runs sequential and 2 × runs/2 concurrent scenarios: 3 × runs.
  const runs = Math.ceil(options.scenarios / (3 * options.workers));
  const dir = path.join(__dirname, '..', '.tmp', 'model', 'soak');
  fs.mkdirSync(dir, { recursive: true });
  console.log(`soak: ${options.workers} workers × ${3 * runs} scenarios, seeds from ${options.seed} (MODEL_SEED=<seed> npx jest test/model/guarantees.test.ts replays one)`);
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: options.workers }, (_, i) => runWorker(i, runs, options.seed + 2 * i, dir)));

  const total: Record<string, number> = {};
  const faultsByKind: Record<string, number> = {};
  for (const [i, result] of results.entries()) {
    if (!result.figures) {
      console.log(`worker ${i}: no figures (exit ${result.code}); see ${result.log}`);
      continue;
    }
    const { seeds, faultsByKind: kinds, runsPerProperty: _runs, seconds, ...counts } = result.figures as Figures & { runsPerProperty: number };
    console.log(`worker ${i} (seeds ${seeds.random}, ${seeds.fixed}; ${seconds} s; exit ${result.code}): ${JSON.stringify(counts)}`);
    for (const [name, count] of Object.entries(counts)) total[name] = (total[name] ?? 0) + Number(count);
    for (const [kind, count] of Object.entries(kinds ?? {})) faultsByKind[kind] = (faultsByKind[kind] ?? 0) + count;
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log('');
  console.log('| scenarios | requests | events stored | duplicates answered | refused (400) | client retries | faults injected | status changes published | invariant violations | wall time |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  console.log(`| ${total.scenarios ?? 0} | ${total.requests ?? 0} | ${total.events ?? 0} | ${total.duplicates ?? 0} | ${total.rejected ?? 0} | ${total.retries ?? 0} | ${total.faultsInjected ?? 0} | ${total.statusChanges ?? 0} | ${total.invariantViolations ?? 0} | ${minutes} min |`);
  console.log(`faults by kind: ${JSON.stringify(faultsByKind)}`);
  const failed = results.some((result) => result.code !== 0 || !result.figures) || (total.invariantViolations ?? 0) > 0;
  if (failed) {
    console.error('soak FAILED: see the worker logs in test/.tmp/model/soak/');
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
