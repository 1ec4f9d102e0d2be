/**
 * Cold-start benchmark: the shipped tracking handler bundle against a reference.
 *
 * The performance budget, as ratios shipped / reference:
 *   bundle bytes ≤ 1.3×, cold import ≤ 1.15×, cold start to the first answered POST /track ≤ 1.2×.
 * The reference (benchmarks/reference/handler.ts) holds only the SDK clients the design
 * names and does one GetParameter and one PutItem per request; the ratios price what
 * the shipped handler adds on top of that.
 *
 * Method, and why:
 * - Same build: the reference is bundled with exactly the shipped bundle's esbuild flags
 *   (checked against the projen bundle task on every run), so only the code differs.
 * - Same runtime: a Node 24 binary (Lambda's nodejs24.x), not whatever runs this script.
 * - A fresh process per sample: a cold start happens once per process (the module cache
 *   makes every later import free). One process gives both figures from one clock:
 *   the import alone, and import + first invocation (see lib/sample.ts).
 * - Like Lambda's /var/task, each bundle runs from a copy outside the project, so the
 *   bundle's createRequire cannot quietly find the project's node_modules.
 * - AWS is a local stub answering instantly (lib/aws-stub.ts): the figures are the
 *   handler's own work, and the stub's request counts show what each handler calls.
 * - Interleaved: the machine is shared and noisy, so reference and shipped samples
 *   alternate (which goes first alternates per round) after discarded warm-up rounds
 *   that fill the OS file cache; drift then hits both sides alike.
 * - Medians with p25/p75, and ratios rather than absolute times: absolute milliseconds
 *   belong to this machine (Lambda runs arm64 on a CPU share), the ratio is the budget.
 *   The verdict uses the ratio of the medians; the ratios within each round (both
 *   bundles back to back) are printed beside it to show how far the noise reaches.
 *
 * Usage:
 *   npx projen bench:cold-start [--samples 25] [--check]       (bundles the shipped handler first)
 *   npx ts-node --project tsconfig.dev.json benchmarks/cold-start.ts [--samples N] [--warmup N]
 *       [--shipped <bundle.mjs>] [--check]
 *   env: BENCH_SAMPLES (default for --samples), NODE24_BIN (Node 24 executable to use).
 * Exit code 0, or with --check 1 when a ratio is over budget. Any failed sample is an error.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AwsStub } from './lib/aws-stub';
import { NodeBinary, resolveNode24 } from '../tools/node24';
import { parseSampleOutput, SampleResult } from './lib/sample-result';
import { summarize, Summary } from './lib/stats';
import { lambdaEnvironment } from './lib/track-request';

const PROJECT_ROOT = join(__dirname, '..');
const OUT_DIR = join(__dirname, '.out');
const SHIPPED_BUNDLE = join(PROJECT_ROOT, 'assets', 'lambda', 'tracking', 'index', 'index.mjs');
const SHIPPED_BUNDLE_TASK = 'bundle:lambda/tracking/index';
const SAMPLE_TIMEOUT_MS = 60_000;
const DEFAULT_SAMPLES = 25;
/** Discarded rounds (one sample of each bundle) that fill the OS file cache before measuring. */
const DEFAULT_WARMUP_ROUNDS = 2;

/** The shipped bundle's esbuild flags (.projenrc.ts), without entry point and outfile. */
const SHIPPED_ESBUILD_FLAGS = [
  '--bundle',
  '--platform=node',
  '--target=node24',
  '--format=esm',
  '--minify',
  '--main-fields=module,main',
  '--legal-comments=none',
  "--banner:js=import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
];

const BUDGET = { bytes: 1.3, importMs: 1.15, firstResponseMs: 1.2 } as const;

type Target = 'reference' | 'shipped';

interface Options {
  readonly samples: number;
  readonly warmupRounds: number;
  readonly shippedBundle: string;
  readonly check: boolean;
}

/** One sample as the benchmark keeps it: the child's figures and the stub's request counts. */
interface Sample extends SampleResult {
  readonly requests: Record<string, number>;
}

/** A bundle staged for running: a copy in a directory of its own, outside the project. */
interface StagedBundle {
  readonly bundle: string;
  readonly bytes: number;
}

interface Harness {
  readonly node: NodeBinary;
  readonly sampleScript: string;
  readonly bundles: Record<Target, StagedBundle>;
  readonly env: NodeJS.ProcessEnv;
  readonly stub: AwsStub;
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

function positiveInteger(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer (got ${value})`);
  return parsed;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    // projen passes everything after the task name on, including a `--` separator.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      samples: { type: 'string', default: process.env.BENCH_SAMPLES ?? String(DEFAULT_SAMPLES) },
      warmup: { type: 'string', default: String(DEFAULT_WARMUP_ROUNDS) },
      shipped: { type: 'string', default: SHIPPED_BUNDLE },
      check: { type: 'boolean', default: false },
    },
  });
  return {
    samples: positiveInteger('--samples', values.samples),
    warmupRounds: Number(values.warmup) === 0 ? 0 : positiveInteger('--warmup', values.warmup),
    shippedBundle: resolve(values.shipped),
    check: values.check,
  };
}

// ---------------------------------------------------------------------------
// Bundles
// ---------------------------------------------------------------------------

function esbuild(args: string[]): void {
  execFileSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'esbuild'), [...args, '--log-level=warning'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
}

/** Warns when the projen bundle task no longer uses the flags the reference is built with. */
function checkShippedFlagsUnchanged(): void {
  const tasks = JSON.parse(readFileSync(join(PROJECT_ROOT, '.projen', 'tasks.json'), 'utf8')) as {
    tasks: Record<string, { steps?: Array<{ execArgs?: string[] }> }>;
  };
  const execArgs = tasks.tasks[SHIPPED_BUNDLE_TASK]?.steps?.find((step) => step.execArgs?.[0] === 'esbuild')?.execArgs;
  if (!execArgs) {
    console.warn(`WARNING: no esbuild step in projen task ${SHIPPED_BUNDLE_TASK}; cannot confirm the reference is built like the shipped bundle.`);
    return;
  }
  const shipped = new Set(execArgs.filter((arg) => arg.startsWith('--') && !arg.startsWith('--outfile=')));
  const ours = new Set(SHIPPED_ESBUILD_FLAGS);
  const differences = [...shipped].filter((flag) => !ours.has(flag)).map((flag) => `shipped only: ${flag}`)
    .concat([...ours].filter((flag) => !shipped.has(flag)).map((flag) => `reference only: ${flag}`));
  if (differences.length > 0) {
    console.warn(`WARNING: the reference is no longer built like the shipped bundle — update SHIPPED_ESBUILD_FLAGS:\n  ${differences.join('\n  ')}`);
  }
}

function bundleReference(): string {
  const outfile = join(OUT_DIR, 'reference', 'index.mjs');
  esbuild([join(__dirname, 'reference', 'handler.ts'), ...SHIPPED_ESBUILD_FLAGS, `--outfile=${outfile}`]);
  return outfile;
}

function bundleSampleScript(): string {
  const outfile = join(OUT_DIR, 'sample.mjs');
  esbuild([join(__dirname, 'lib', 'sample.ts'), '--bundle', '--platform=node', '--target=node24', '--format=esm', `--outfile=${outfile}`]);
  return outfile;
}

function requireShippedBundle(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`shipped bundle ${path} is missing: run npx projen bundle (or pass --shipped <bundle.mjs>)`);
  }
  return path;
}

/** Copies the bundle alone into stageDir/name: the design's bundle needs nothing beside it. */
function stage(bundle: string, stageDir: string, name: Target): StagedBundle {
  const directory = join(stageDir, name);
  mkdirSync(directory);
  const staged = join(directory, 'index.mjs');
  copyFileSync(bundle, staged);
  return { bundle: staged, bytes: statSync(staged).size };
}

// ---------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------

/** This process's environment without anything that could change how the child or its SDK behaves. */
function childEnvironment(stubEndpoint: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('POWERTOOLS_') && name !== 'NODE_OPTIONS'),
  );
  return { ...inherited, ...lambdaEnvironment(stubEndpoint) };
}

function collect(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), SAMPLE_TIMEOUT_MS);
  return new Promise((settle, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      settle({ code, stdout, stderr });
    });
  });
}

/**
 * Runs one cold start of the target in a fresh Node 24 process. Asynchronous on
 * purpose: the stub answering the child's AWS calls lives in this process.
 */
async function runSample(harness: Harness, target: Target): Promise<Sample> {
  const { bundle } = harness.bundles[target];
  harness.stub.takeCounts();
  const child = spawn(harness.node.path, [harness.sampleScript, bundle], {
    cwd: dirname(bundle),
    env: harness.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { code, stdout, stderr } = await collect(child);
  const result = parseSampleOutput(stdout);
  if (code !== 0 || result === undefined) {
    throw new Error(`${target} sample failed (exit ${code}):\n--- stdout\n${stdout.slice(-4000)}--- stderr\n${stderr.slice(-4000)}`);
  }
  return { ...result, requests: harness.stub.takeCounts() };
}

/** Reference first in even rounds, shipped first in odd ones. */
function roundOrder(round: number): Target[] {
  return round % 2 === 0 ? ['reference', 'shipped'] : ['shipped', 'reference'];
}

async function warmUp(harness: Harness, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const target of roundOrder(round)) await runSample(harness, target);
  }
}

async function measure(harness: Harness, samples: number): Promise<Record<Target, Sample[]>> {
  const results: Record<Target, Sample[]> = { reference: [], shipped: [] };
  for (let round = 0; round < samples; round++) {
    for (const target of roundOrder(round)) {
      const sample = await runSample(harness, target);
      results[target].push(sample);
      console.log(
        `  ${String(round + 1).padStart(3)}/${samples}  ${target.padEnd(9)}  import ${formatMs(sample.importMs).padStart(9)}` +
        `  first POST /track ${formatMs(sample.firstResponseMs).padStart(9)}  AWS calls: ${formatRequests(sample.requests)}`,
      );
    }
  }
  return results;
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

/** A path as the reader would type it: relative inside the project, absolute outside. */
function displayPath(path: string): string {
  const inProject = relative(PROJECT_ROOT, path);
  return inProject.startsWith('..') ? path : inProject;
}

function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

function formatKB(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB (${bytes.toLocaleString('en-US')} B)`;
}

function formatSummary(summary: Summary): string {
  return `${formatMs(summary.median)} [${summary.p25.toFixed(1)}–${summary.p75.toFixed(1)}]`;
}

function formatRequests(requests: Record<string, number>): string {
  const entries = Object.entries(requests).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([operation, count]) => `${operation}×${count}`).join(', ');
}

/** The distinct request mixes a target's samples made, e.g. `SSM.GetParameter×1, DynamoDB.PutItem×1 (25 samples)`. */
function requestMixes(samples: readonly Sample[]): string {
  const mixes = new Map<string, number>();
  for (const sample of samples) {
    const mix = formatRequests(sample.requests);
    mixes.set(mix, (mixes.get(mix) ?? 0) + 1);
  }
  return [...mixes].map(([mix, count]) => `${mix} (${count} sample${count === 1 ? '' : 's'})`).join('; ');
}

interface Verdict {
  readonly label: string;
  readonly reference: string;
  readonly shipped: string;
  /** shipped / reference of the medians (of the sizes for bytes): what the budget is checked against. */
  readonly ratio: number;
  /** The ratios within each round, whose spread shows how far the noise reaches (timings only). */
  readonly perRound?: Summary;
  readonly budget: number;
}

function verdicts(harness: Harness, results: Record<Target, Sample[]>): Verdict[] {
  const timing = (label: string, key: 'importMs' | 'firstResponseMs'): Verdict => {
    const reference = summarize(results.reference.map((sample) => sample[key]));
    const shipped = summarize(results.shipped.map((sample) => sample[key]));
    const ratio = shipped.median / reference.median;
    // Each round ran both bundles back to back, so its own ratio is free of slower drift on the machine.
    const perRound = summarize(results.shipped.map((sample, round) => sample[key] / results.reference[round][key]));
    return { label, reference: formatSummary(reference), shipped: formatSummary(shipped), ratio, perRound, budget: BUDGET[key] };
  };
  const { reference, shipped } = harness.bundles;
  return [
    { label: 'bundle bytes', reference: formatKB(reference.bytes), shipped: formatKB(shipped.bytes), ratio: shipped.bytes / reference.bytes, budget: BUDGET.bytes },
    timing('cold import', 'importMs'),
    timing('cold start to first POST /track', 'firstResponseMs'),
  ];
}

/** The command-line arguments that repeat this run. */
function reproduceArgs(options: Options): string {
  return [
    `--samples ${options.samples}`,
    options.warmupRounds === DEFAULT_WARMUP_ROUNDS ? '' : `--warmup ${options.warmupRounds}`,
    options.shippedBundle === SHIPPED_BUNDLE ? '' : `--shipped ${displayPath(options.shippedBundle)}`,
    options.check ? '--check' : '',
  ].filter(Boolean).join(' ');
}

function printReport(harness: Harness, options: Options, results: Record<Target, Sample[]>, verdictList: Verdict[]): void {
  const columns = [33, 28, 28, 8, 20, 9];
  const row = (cells: string[]): string => cells.map((cell, index) => cell.padEnd(columns[index])).join('').trimEnd();
  console.log(`\nCold start, shipped vs reference — Node ${harness.node.version}, ${options.samples} interleaved samples each; median [p25–p75]`);
  console.log(row(['', 'reference', 'shipped', 'ratio', 'per-round ratio', 'budget']));
  for (const verdict of verdictList) {
    const status = verdict.ratio <= verdict.budget ? 'PASS' : 'OVER';
    const perRound = verdict.perRound ? `${verdict.perRound.median.toFixed(2)} [${verdict.perRound.p25.toFixed(2)}–${verdict.perRound.p75.toFixed(2)}]` : '';
    console.log(row([verdict.label, verdict.reference, verdict.shipped, `${verdict.ratio.toFixed(2)}×`, perRound, `≤ ${verdict.budget.toFixed(2)}×`]) + `  ${status}`);
  }
  console.log('ratio = shipped median / reference median (checked against the budget); per-round ratio = shipped / reference within each round.');
  console.log('\nAWS calls per cold start (stub):');
  for (const target of ['reference', 'shipped'] as const) console.log(`  ${target.padEnd(9)}  ${requestMixes(results[target])}`);

  console.log('\nReproduce:');
  const args = reproduceArgs(options);
  if (options.shippedBundle === SHIPPED_BUNDLE) console.log(`  npx projen bench:cold-start ${args}`);
  console.log(`  NODE24_BIN=${harness.node.path} npx ts-node --project tsconfig.dev.json benchmarks/cold-start.ts ${args}`);
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions();
  checkShippedFlagsUnchanged();
  const referenceBundle = bundleReference();
  const shippedBundle = requireShippedBundle(options.shippedBundle);
  const sampleScript = bundleSampleScript();
  const node = resolveNode24();
  console.log(`Node ${node.version}: ${node.path} (${node.source})`);
  console.log(`reference: ${displayPath(referenceBundle)}\nshipped:   ${displayPath(shippedBundle)}`);

  const stageDir = mkdtempSync(join(tmpdir(), 'tracking-cold-start-'));
  const stub = new AwsStub();
  try {
    const harness: Harness = {
      node,
      sampleScript,
      bundles: { reference: stage(referenceBundle, stageDir, 'reference'), shipped: stage(shippedBundle, stageDir, 'shipped') },
      env: childEnvironment(await stub.start()),
      stub,
    };
    await warmUp(harness, options.warmupRounds);
    const results = await measure(harness, options.samples);
    const verdictList = verdicts(harness, results);
    printReport(harness, options, results, verdictList);
    if (options.check && verdictList.some((verdict) => verdict.ratio > verdict.budget)) {
      console.log('\n--check: over budget');
      process.exitCode = 1;
    }
  } finally {
    await stub.stop();
    rmSync(stageDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`cold-start benchmark: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
