/**
 * Cold-start and warm benchmark: the shipped tracking handler bundle against a reference.
 *
 * The performance budget, as ratios shipped / reference:
 *   bundle bytes ≤ 1.3×, cold import ≤ 1.15×, cold start to the first answered POST /track ≤ 1.2×,
 *   warm handler time per POST /track ≤ 1.3×.
 * The cold reference (benchmarks/reference/handler.ts) holds only the SDK clients the design
 * names and does one GetParameter and one PutItem per request; the cold ratios price what
 * the shipped handler adds on top of that. The warm reference (benchmarks/reference/warm-handler.ts)
 * makes the shipped handler's own DynamoDB calls — a conditional PutItem and a conditional
 * UpdateItem — and reads SSM once like it, so the warm ratio prices the shipped handler's own
 * per-request work (validation, ids, logging, metrics, deadline) and nothing it must do anyway.
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
 * - Warm (lib/warm-sample.ts), after the cold samples and against the same stub: a
 *   process per handler and round, as one Lambda execution environment, importing the
 *   bundle once and invoking the handler one request after another — warm-up calls
 *   first (the cold start, the SSM read, V8's optimization of the hot paths), then
 *   measured calls, each timed alone around the handler call. The round's two processes
 *   live side by side and take turns batch by batch (which goes first alternates), so a
 *   noisy moment on the machine hits both, not one process of the pair (with whole
 *   processes taking turns instead, three runs read 1.14×, 1.23× and 1.30×).
 *   The figures are the medians of all measured calls; the per-round ratio compares the
 *   two processes of a round (their medians).
 *   The row is in this script, not a task of its own, so that one run and one --check
 *   gate every budget, and the warm figure reuses the stub, Node and staged bundles.
 *
 * Usage:
 *   npx projen bench:cold-start [--samples 25] [--check]       (bundles the shipped handler first)
 *   npx ts-node --project tsconfig.dev.json benchmarks/cold-start.ts [--samples N] [--warmup N]
 *       [--warm-rounds N] [--warm-up-calls N] [--warm-calls N] [--warm-batch N] [--shipped <bundle.mjs>] [--check]
 *   --warm-rounds: pairs of warm processes (default 4); --warm-up-calls: unmeasured calls per
 *   process (default 1000); --warm-calls: measured calls per process (default 500);
 *   --warm-batch: calls a process makes in one turn (default 25).
 *   env: BENCH_SAMPLES (default for --samples), NODE24_BIN (Node 24 executable to use).
 * Exit code 0, or with --check 1 when a ratio is over budget. Any failed sample is an error.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AwsStub } from './lib/aws-stub';
import { parseSampleOutput, SampleResult, WarmBatch, WarmBatchResult } from './lib/sample-result';
import { summarize, Summary } from './lib/stats';
import { lambdaEnvironment } from './lib/track-request';
import { NodeBinary, resolveNode24 } from '../local/functions/node-binary';

const PROJECT_ROOT = join(__dirname, '..');
const OUT_DIR = join(__dirname, '.out');
const SHIPPED_BUNDLE = join(PROJECT_ROOT, 'assets', 'lambda', 'tracking', 'index', 'index.mjs');
const SHIPPED_BUNDLE_TASK = 'bundle:lambda/tracking/index';
const SAMPLE_TIMEOUT_MS = 60_000;
const DEFAULT_SAMPLES = 25;
/** Discarded rounds (one sample of each bundle) that fill the OS file cache before measuring. */
const DEFAULT_WARMUP_ROUNDS = 2;
/** Warm: rounds, each a fresh pair of processes (shipped and reference). */
const DEFAULT_WARM_ROUNDS = 4;
/**
 * Warm: unmeasured invocations per process. Timed in blocks of 250 and 500 calls over
 * 3,000 and 5,000 calls per process, the shipped handler's block median kept falling for
 * ≈ 1,000 calls (V8 optimizing a larger bundle's hot paths), the reference's for ≈ 500;
 * after that both only wander with the machine's noise.
 */
const DEFAULT_WARM_UP_CALLS = 1000;
/** Warm: measured invocations per process. */
const DEFAULT_WARM_CALLS = 500;
/** Warm: invocations a process makes in one turn before the other process's turn (≈ 40 ms here). */
const DEFAULT_WARM_BATCH = 25;

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

const BUDGET = { bytes: 1.3, importMs: 1.15, firstResponseMs: 1.2, warmHandlerMs: 1.3 } as const;

type Target = 'reference' | 'shipped';

interface Options {
  readonly samples: number;
  readonly warmupRounds: number;
  readonly warmRounds: number;
  readonly warmupCalls: number;
  readonly warmCalls: number;
  readonly warmBatch: number;
  readonly shippedBundle: string;
  readonly check: boolean;
}

/** One sample as the benchmark keeps it: the child's figures and the stub's request counts. */
interface Sample extends SampleResult {
  readonly requests: Record<string, number>;
}

/** One warm process as the benchmark keeps it: the measured call times and the stub's request counts. */
interface WarmSample {
  readonly handlerMs: readonly number[];
  readonly median: number;
  readonly requests: Record<string, number>;
  /** Bytes the handler wrote to stdout (log lines, metrics) per invocation, over the whole process. */
  readonly stdoutBytesPerCall: number;
}

/** A bundle staged for running: a copy in a directory of its own, outside the project. */
interface StagedBundle {
  readonly bundle: string;
  readonly bytes: number;
}

interface Harness {
  readonly node: NodeBinary;
  readonly sampleScript: string;
  readonly warmSampleScript: string;
  readonly bundles: Record<Target, StagedBundle>;
  /** The warm row's: the same staged shipped bundle, and the warm reference. */
  readonly warmBundles: Record<Target, StagedBundle>;
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
      'samples': { type: 'string', default: process.env.BENCH_SAMPLES ?? String(DEFAULT_SAMPLES) },
      'warmup': { type: 'string', default: String(DEFAULT_WARMUP_ROUNDS) },
      'warm-rounds': { type: 'string', default: String(DEFAULT_WARM_ROUNDS) },
      'warm-up-calls': { type: 'string', default: String(DEFAULT_WARM_UP_CALLS) },
      'warm-calls': { type: 'string', default: String(DEFAULT_WARM_CALLS) },
      'warm-batch': { type: 'string', default: String(DEFAULT_WARM_BATCH) },
      'shipped': { type: 'string', default: SHIPPED_BUNDLE },
      'check': { type: 'boolean', default: false },
    },
  });
  return {
    samples: positiveInteger('--samples', values.samples),
    warmupRounds: Number(values.warmup) === 0 ? 0 : positiveInteger('--warmup', values.warmup),
    warmRounds: positiveInteger('--warm-rounds', values['warm-rounds']),
    // At least one: the first call is the cold start, never a warm figure.
    warmupCalls: positiveInteger('--warm-up-calls', values['warm-up-calls']),
    warmCalls: positiveInteger('--warm-calls', values['warm-calls']),
    warmBatch: positiveInteger('--warm-batch', values['warm-batch']),
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

/** Bundles reference/<source>.ts like the shipped bundle, to .out/<name>/index.mjs. */
function bundleReference(source: string, name: string): string {
  const outfile = join(OUT_DIR, name, 'index.mjs');
  esbuild([join(__dirname, 'reference', `${source}.ts`), ...SHIPPED_ESBUILD_FLAGS, `--outfile=${outfile}`]);
  return outfile;
}

/** Bundles lib/<name>.ts, a sample process's script, to .out/<name>.mjs. */
function bundleSampleScript(name: string): string {
  const outfile = join(OUT_DIR, `${name}.mjs`);
  esbuild([join(__dirname, 'lib', `${name}.ts`), '--bundle', '--platform=node', '--target=node24', '--format=esm', `--outfile=${outfile}`]);
  return outfile;
}

function requireShippedBundle(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`shipped bundle ${path} is missing: run npx projen bundle (or pass --shipped <bundle.mjs>)`);
  }
  return path;
}

/** Copies the bundle alone into stageDir/name: the design's bundle needs nothing beside it. */
function stage(bundle: string, stageDir: string, name: string): StagedBundle {
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

/**
 * One warm sample's process (lib/warm-sample.ts), which makes the batches of invocations
 * it is sent over IPC. Its stdout (the handler's log lines) goes to a file, read once it
 * has exited: the lines cost the child its writes, as on Lambda, and cost this process —
 * the stub's — nothing while it runs. Only one process runs a batch at a time, so the
 * stub's request counts between sending a batch and its answer are that process's.
 */
class WarmProcess {
  public readonly handlerMs: number[] = [];
  public readonly requests: Record<string, number> = {};
  private readonly child: ChildProcess;
  private readonly stdoutFile: string;
  private readonly stdoutFd: number;
  private stderr = '';
  private ended?: string;
  /** The stdout bytes, once the process is gone and its file removed. */
  private discarded?: number;

  constructor(private readonly harness: Harness, private readonly target: Target, round: number) {
    const { bundle } = harness.warmBundles[target];
    this.stdoutFile = join(dirname(bundle), '..', `${target}-warm-${round}.stdout`);
    this.stdoutFd = openSync(this.stdoutFile, 'w');
    this.child = spawn(harness.node.path, [harness.warmSampleScript, bundle], {
      cwd: dirname(bundle),
      env: harness.env,
      stdio: ['ignore', this.stdoutFd, 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.child.on('exit', (code, signal) => { this.ended = `exit ${code ?? signal}`; });
    this.child.on('error', (error) => { this.ended = error.message; });
  }

  /** Resolves once the process has imported the bundle. */
  public async ready(): Promise<void> {
    await this.answer();
  }

  public async run(batch: WarmBatch): Promise<void> {
    this.harness.stub.takeCounts();
    const answered = this.answer();
    this.child.send(batch);
    this.handlerMs.push(...await answered);
  }

  /** Ends the process (it exits when the IPC channel closes); resolves to the bytes its handler wrote to stdout. */
  public async stop(): Promise<number> {
    if (this.ended === undefined) {
      const exited = new Promise((settle) => this.child.once('exit', settle));
      this.child.disconnect();
      await exited;
    }
    return this.discard();
  }

  /** Kills the process if it still runs and removes its stdout file (once); the bytes the handler wrote. */
  public discard(): number {
    if (this.discarded !== undefined) return this.discarded;
    if (this.ended === undefined) this.child.kill('SIGKILL');
    closeSync(this.stdoutFd);
    this.discarded = statSync(this.stdoutFile).size;
    rmSync(this.stdoutFile, { force: true });
    return this.discarded;
  }

  /** The process's next answer; its AWS calls since the last one are added to `requests`. */
  private answer(): Promise<readonly number[]> {
    return new Promise((settle, reject) => {
      const failed = (why: string): void => {
        done();
        const stderr = this.stderr ? `\n--- stderr\n${this.stderr.slice(-4000)}` : '';
        reject(new Error(`${this.target} warm sample failed: ${why}${stderr}`));
      };
      const onMessage = (result: WarmBatchResult): void => {
        done();
        for (const [operation, count] of Object.entries(this.harness.stub.takeCounts())) {
          this.requests[operation] = (this.requests[operation] ?? 0) + count;
        }
        if (result.ok) settle(result.handlerMs);
        else failed(result.error);
      };
      const onExit = (): void => failed(this.ended ?? 'exited');
      const timer = setTimeout(() => failed(`no answer in ${SAMPLE_TIMEOUT_MS / 1000} s`), SAMPLE_TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      if (this.ended !== undefined) return failed(this.ended);
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
    });
  }
}

/** `total` calls in batches of at most `size`. */
function batches(total: number, size: number, measured: boolean): WarmBatch[] {
  return Array.from({ length: Math.ceil(total / size) }, (_, index) => ({ calls: Math.min(size, total - index * size), measure: measured }));
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

/**
 * The warm rounds: each a fresh pair of processes, shipped and reference, taking turns
 * batch by batch (which goes first alternates), so that a noisy moment on the machine
 * lands on both. Warm-up batches first, then measured ones. No discarded rounds: the cold
 * samples before them have filled the file cache, and each process warms itself up.
 */
async function measureWarm(harness: Harness, options: Options): Promise<Record<Target, WarmSample[]>> {
  const results: Record<Target, WarmSample[]> = { reference: [], shipped: [] };
  const rounds = options.warmRounds;
  const plan = [...batches(options.warmupCalls, options.warmBatch, false), ...batches(options.warmCalls, options.warmBatch, true)];
  console.log(
    `\nWarm: per round a shipped and a reference process take turns in batches of ${options.warmBatch} POST /track;` +
    ` ${options.warmupCalls} warm-up + ${options.warmCalls} measured calls each`,
  );
  for (let round = 0; round < rounds; round++) {
    const processes: Record<Target, WarmProcess> = {
      reference: new WarmProcess(harness, 'reference', round),
      shipped: new WarmProcess(harness, 'shipped', round),
    };
    try {
      for (const target of roundOrder(round)) await processes[target].ready();
      for (const [index, batch] of plan.entries()) {
        for (const target of roundOrder(round + index)) await processes[target].run(batch);
      }
      for (const target of ['reference', 'shipped'] as const) {
        const warmProcess = processes[target];
        const stdoutBytes = await warmProcess.stop();
        const sample: WarmSample = {
          handlerMs: warmProcess.handlerMs,
          median: summarize(warmProcess.handlerMs).median,
          requests: warmProcess.requests,
          stdoutBytesPerCall: stdoutBytes / (options.warmupCalls + options.warmCalls),
        };
        results[target].push(sample);
        const { p25, p75 } = summarize(sample.handlerMs);
        console.log(
          `  ${String(round + 1).padStart(3)}/${rounds}  ${target.padEnd(9)}  handler median ${formatMs(sample.median, 3).padStart(9)}` +
          ` [${p25.toFixed(3)}–${p75.toFixed(3)}]  stdout ${Math.round(sample.stdoutBytesPerCall)} B/call  AWS calls: ${formatRequests(sample.requests)}`,
        );
      }
    } finally {
      for (const warmProcess of Object.values(processes)) warmProcess.discard();
    }
  }
  return results;
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

function formatMs(ms: number, digits = 1): string {
  return `${ms.toFixed(digits)} ms`;
}

function formatKB(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB (${bytes.toLocaleString('en-US')} B)`;
}

function formatSummary(summary: Summary, digits = 1): string {
  return `${formatMs(summary.median, digits)} [${summary.p25.toFixed(digits)}–${summary.p75.toFixed(digits)}]`;
}

function formatRequests(requests: Record<string, number>): string {
  const entries = Object.entries(requests).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([operation, count]) => `${operation}×${count}`).join(', ');
}

/** The distinct request mixes a target's samples made, e.g. `SSM.GetParameter×1, DynamoDB.PutItem×1 (25 samples)`. */
function requestMixes(samples: readonly { readonly requests: Record<string, number> }[]): string {
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

function verdicts(harness: Harness, results: Record<Target, Sample[]>, warm: Record<Target, WarmSample[]>): Verdict[] {
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
    warmVerdict(warm),
  ];
}

/** Handler time per warm POST /track: medians over every measured call of every process. */
function warmVerdict(warm: Record<Target, WarmSample[]>): Verdict {
  const reference = summarize(warm.reference.flatMap((sample) => sample.handlerMs));
  const shipped = summarize(warm.shipped.flatMap((sample) => sample.handlerMs));
  // The two processes of a round ran back to back: the ratio of their medians.
  const perRound = summarize(warm.shipped.map((sample, round) => sample.median / warm.reference[round].median));
  return {
    label: 'warm POST /track, handler time',
    reference: formatSummary(reference, 3),
    shipped: formatSummary(shipped, 3),
    ratio: shipped.median / reference.median,
    perRound,
    budget: BUDGET.warmHandlerMs,
  };
}

/** The command-line arguments that repeat this run. */
function reproduceArgs(options: Options): string {
  return [
    `--samples ${options.samples}`,
    options.warmupRounds === DEFAULT_WARMUP_ROUNDS ? '' : `--warmup ${options.warmupRounds}`,
    options.warmRounds === DEFAULT_WARM_ROUNDS ? '' : `--warm-rounds ${options.warmRounds}`,
    options.warmupCalls === DEFAULT_WARM_UP_CALLS ? '' : `--warm-up-calls ${options.warmupCalls}`,
    options.warmCalls === DEFAULT_WARM_CALLS ? '' : `--warm-calls ${options.warmCalls}`,
    options.warmBatch === DEFAULT_WARM_BATCH ? '' : `--warm-batch ${options.warmBatch}`,
    options.shippedBundle === SHIPPED_BUNDLE ? '' : `--shipped ${displayPath(options.shippedBundle)}`,
    options.check ? '--check' : '',
  ].filter(Boolean).join(' ');
}

function printReport(
  harness: Harness, options: Options, results: Record<Target, Sample[]>, warm: Record<Target, WarmSample[]>, verdictList: Verdict[],
): void {
  const columns = [33, 28, 28, 8, 20, 9];
  const row = (cells: string[]): string => cells.map((cell, index) => cell.padEnd(columns[index])).join('').trimEnd();
  console.log(`\nShipped vs reference — Node ${harness.node.version}; median [p25–p75]`);
  console.log(`  cold: ${options.samples} interleaved samples each (one process per sample)`);
  console.log(
    `  warm: ${options.warmRounds} rounds, each a shipped and a reference process taking turns in batches of ${options.warmBatch};` +
    ` ${options.warmCalls} measured calls per process after ${options.warmupCalls} warm-up (the warm reference makes the shipped handler's DynamoDB calls)`,
  );
  console.log(row(['', 'reference', 'shipped', 'ratio', 'per-round ratio', 'budget']));
  for (const verdict of verdictList) {
    const status = verdict.ratio <= verdict.budget ? 'PASS' : 'OVER';
    const perRound = verdict.perRound ? `${verdict.perRound.median.toFixed(2)} [${verdict.perRound.p25.toFixed(2)}–${verdict.perRound.p75.toFixed(2)}]` : '';
    console.log(row([verdict.label, verdict.reference, verdict.shipped, `${verdict.ratio.toFixed(2)}×`, perRound, `≤ ${verdict.budget.toFixed(2)}×`]) + `  ${status}`);
  }
  console.log('ratio = shipped median / reference median (checked against the budget); per-round ratio = shipped / reference within each round.');
  console.log('\nAWS calls per cold start (stub):');
  for (const target of ['reference', 'shipped'] as const) console.log(`  ${target.padEnd(9)}  ${requestMixes(results[target])}`);
  console.log(`AWS calls per warm process (stub; ${options.warmupCalls + options.warmCalls} POST /track each):`);
  for (const target of ['reference', 'shipped'] as const) console.log(`  ${target.padEnd(9)}  ${requestMixes(warm[target])}`);

  console.log('\nReproduce:');
  const args = reproduceArgs(options);
  if (options.shippedBundle === SHIPPED_BUNDLE) console.log(`  npx projen bench:cold-start ${args}`);
  console.log(`  NODE24_BIN=${harness.node.path} npx ts-node --project tsconfig.dev.json benchmarks/cold-start.ts ${args}`);
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions();
  checkShippedFlagsUnchanged();
  const referenceBundle = bundleReference('handler', 'reference');
  const warmReferenceBundle = bundleReference('warm-handler', 'reference-warm');
  const shippedBundle = requireShippedBundle(options.shippedBundle);
  const sampleScript = bundleSampleScript('sample');
  const warmSampleScript = bundleSampleScript('warm-sample');
  const node = resolveNode24();
  console.log(`Node ${node.version}: ${node.path} (${node.source})`);
  console.log(`reference: ${displayPath(referenceBundle)} (cold), ${displayPath(warmReferenceBundle)} (warm)\nshipped:   ${displayPath(shippedBundle)}`);

  const stageDir = mkdtempSync(join(tmpdir(), 'tracking-cold-start-'));
  const stub = new AwsStub();
  try {
    const shipped = stage(shippedBundle, stageDir, 'shipped');
    const harness: Harness = {
      node,
      sampleScript,
      warmSampleScript,
      bundles: { reference: stage(referenceBundle, stageDir, 'reference'), shipped },
      warmBundles: { reference: stage(warmReferenceBundle, stageDir, 'reference-warm'), shipped },
      env: childEnvironment(await stub.start()),
      stub,
    };
    await warmUp(harness, options.warmupRounds);
    const results = await measure(harness, options.samples);
    const warm = await measureWarm(harness, options);
    const verdictList = verdicts(harness, results, warm);
    printReport(harness, options, results, warm, verdictList);
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
