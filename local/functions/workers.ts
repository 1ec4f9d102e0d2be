import { ChildProcess, fork } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';
import * as readline from 'readline';

/**
 * Execution environments for one function, managed like Lambda's: a worker
 * process runs one invocation at a time and stays warm for the next; when every
 * worker is busy a new one starts, up to `maxWorkers`, and invocations beyond
 * that wait in order. An invocation that outlives the function's timeout has its
 * worker killed (Lambda discards a timed-out environment); the next invocation
 * that needs one starts a fresh worker.
 *
 * With a reserved concurrency (the template's ReservedConcurrentExecutions), an
 * invocation that arrives while that many are in flight (running, starting or
 * waiting for a worker) is refused at once with a `throttled` outcome, as Lambda
 * answers a synchronous invoke with 429 TooManyRequestsException instead of
 * queueing it. A reservation of 0 refuses every invocation, as on AWS.
 * `maxWorkers` is the local stand-in for the account's concurrency: below the
 * reservation, invocations still wait for a worker rather than being refused.
 */

const WORKER_SCRIPT = path.join(__dirname, 'worker.mjs');

/** Lambda's init phase is limited to 10 s for on-demand functions. */
const INIT_TIMEOUT_MS = 10_000;

export interface WorkerPoolOptions {
  readonly functionName: string;
  readonly functionArn: string;
  readonly handler: string;
  readonly codeDirectory: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly logGroupName: string;
  /** The Node.js executable of the function's runtime. */
  readonly nodePath: string;
  /** The environment as Lambda would set it (see lambda-environment.ts), without the per-worker log stream. */
  readonly environment: Readonly<Record<string, string>>;
  readonly maxWorkers: number;
  /** At most this many invocations in flight; one more is throttled, not queued. @default - no limit but `maxWorkers` */
  readonly reservedConcurrency?: number;
  /** Each line the function prints, and the runtime's START/REPORT lines. */
  readonly log: (line: string) => void;
}

export type InvokeOutcome =
  | { readonly kind: 'result'; readonly payload: string }
  | { readonly kind: 'error'; readonly errorType: string; readonly errorMessage: string }
  | { readonly kind: 'timeout' }
  /** Refused before running: the function is at its reserved concurrency (Lambda's 429). */
  | { readonly kind: 'throttled' };

export interface InvokeOptions {
  readonly requestId: string;
  readonly traceId?: string;
  /** Aborted while still queued: the invocation never starts (the caller gave up). */
  readonly signal?: AbortSignal;
}

export interface PoolStats {
  readonly workers: number;
  readonly busy: number;
  readonly queued: number;
  readonly coldStarts: number;
  readonly invocations: number;
  /** Invocations refused at the reserved concurrency. */
  readonly throttles: number;
}

interface Job {
  readonly event: unknown;
  readonly options: InvokeOptions;
  readonly resolve: (outcome: InvokeOutcome) => void;
}

type InvocationMessage =
  | { type: 'result'; id: string; payload: string }
  | { type: 'error'; id: string; errorType: string; errorMessage: string };

type WorkerMessage =
  | { type: 'ready'; initMs: number }
  | { type: 'init-error'; errorType: string; errorMessage: string }
  | InvocationMessage;

class Worker {
  public readonly child: ChildProcess;
  public readonly logStreamName: string;
  public initMs?: number;
  /** Whether a REPORT line already carried this worker's Init Duration. */
  public initReported = false;
  public job?: Job & { readonly id: string; readonly started: number; readonly timer: NodeJS.Timeout };
  public dead = false;
  public readonly exited: Promise<void>;

  constructor(public readonly id: number, options: WorkerPoolOptions) {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    this.logStreamName = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
    this.child = fork(WORKER_SCRIPT, [options.codeDirectory, options.handler], {
      execPath: options.nodePath,
      // Never inherit this process's flags (ts-node, jest): the worker is a bare Node.
      execArgv: [],
      cwd: options.codeDirectory,
      env: { ...options.environment, AWS_LAMBDA_LOG_STREAM_NAME: this.logStreamName },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      // Its own process group: a Ctrl-C in the terminal reaches the runtime, which
      // then stops the workers in order, instead of killing them mid-request.
      detached: true,
    });
    const prefix = `[${options.functionName}#${id}]`;
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) readline.createInterface({ input: stream }).on('line', (line) => options.log(`${prefix} ${line}`));
    }
    // A binary that cannot be spawned emits 'error' and never 'exit'.
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve());
    });
  }

  public kill(): void {
    this.dead = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export class WorkerPool {
  private readonly workers = new Set<Worker>();
  /** Warm and free, most recently used last: reuse the warmest. */
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private nextWorkerId = 1;
  private nextInvocationId = 1;
  private coldStarts = 0;
  private invocations = 0;
  private throttles = 0;
  /** Accepted and not yet answered: queued, starting a worker or running. */
  private inFlight = 0;
  private stopping = false;

  constructor(private readonly options: WorkerPoolOptions) {
    const reserved = options.reservedConcurrency;
    if (reserved !== undefined && !(Number.isInteger(reserved) && reserved >= 0)) {
      throw new Error(`${options.functionName}: reservedConcurrency must be a whole number of at least 0 (got ${reserved})`);
    }
  }

  public invoke(event: unknown, options: InvokeOptions): Promise<InvokeOutcome> {
    if (this.stopping) return Promise.resolve({ kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'the local runtime is stopping' });
    const reserved = this.options.reservedConcurrency;
    if (reserved !== undefined && this.inFlight >= reserved) {
      this.throttles++;
      return Promise.resolve({ kind: 'throttled' });
    }
    this.inFlight++;
    return new Promise((answer) => {
      // A job can be answered more than once (an init failure, then its worker's exit):
      // only the first answer frees its place.
      let answered = false;
      const resolve = (outcome: InvokeOutcome) => {
        if (answered) return;
        answered = true;
        this.inFlight--;
        answer(outcome);
      };
      const job: Job = { event, options, resolve };
      this.queue.push(job);
      options.signal?.addEventListener('abort', () => {
        const index = this.queue.indexOf(job);
        if (index >= 0) {
          this.queue.splice(index, 1);
          resolve({ kind: 'error', errorType: 'Runtime.Aborted', errorMessage: 'the caller stopped waiting' });
        }
      }, { once: true });
      this.dispatch();
    });
  }

  public stats(): PoolStats {
    return {
      workers: this.workers.size,
      busy: [...this.workers].filter((worker) => worker.job).length,
      queued: this.queue.length,
      coldStarts: this.coldStarts,
      invocations: this.invocations,
      throttles: this.throttles,
    };
  }

  /** Fails what is queued or running, kills every worker and waits until each has exited. */
  public async stop(): Promise<void> {
    this.stopping = true;
    for (const job of this.queue.splice(0)) job.resolve({ kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'the local runtime is stopping' });
    const workers = [...this.workers];
    for (const worker of workers) {
      const job = worker.job;
      if (job) {
        clearTimeout(job.timer);
        worker.job = undefined;
        job.resolve({ kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'the local runtime stopped during the invocation' });
      }
      worker.kill();
    }
    await Promise.all(workers.map((worker) => worker.exited));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.stopping) {
      const warm = this.idle.pop();
      if (warm) {
        this.run(warm, this.queue.shift()!);
      } else if (this.workers.size < this.options.maxWorkers) {
        this.start(this.queue.shift()!);
      } else {
        return;
      }
    }
  }

  /** A cold start: the job that caused it waits for this worker's init, as on Lambda. */
  private start(job: Job): void {
    const worker = new Worker(this.nextWorkerId++, this.options);
    this.workers.add(worker);
    this.coldStarts++;
    const initTimer = setTimeout(() => {
      job.resolve({ kind: 'error', errorType: 'Runtime.InitTimeout', errorMessage: `init did not finish within ${INIT_TIMEOUT_MS} ms` });
      this.retire(worker);
    }, INIT_TIMEOUT_MS);

    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'ready') {
        clearTimeout(initTimer);
        worker.initMs = message.initMs;
        this.run(worker, job);
      } else if (message.type === 'init-error') {
        clearTimeout(initTimer);
        this.retire(worker);
        job.resolve({ kind: 'error', errorType: message.errorType, errorMessage: message.errorMessage });
      } else {
        this.finish(worker, message);
      }
    };
    worker.child.on('message', onMessage);
    worker.child.on('error', (error) => {
      // Spawning failed, or a message could not be sent to a worker that is exiting
      // (its 'exit' then answers the invocation).
      clearTimeout(initTimer);
      this.options.log(`[${this.options.functionName}#${worker.id}] ${error.message}`);
      if (worker.initMs === undefined && !worker.dead) {
        job.resolve({ kind: 'error', errorType: 'Runtime.StartError', errorMessage: `${this.options.nodePath}: ${error.message}` });
        this.retire(worker);
        // A binary that cannot be spawned never emits 'exit'.
        this.dispatch();
      }
    });
    worker.child.once('exit', (code, signal) => {
      clearTimeout(initTimer);
      const wasDead = worker.dead;
      this.retire(worker);
      const status = signal ? `signal ${signal}` : `exit status ${code}`;
      if (worker.initMs === undefined) {
        // Never became ready. (If its job already failed, resolving again is a no-op.)
        job.resolve(this.stopping
          ? { kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'the local runtime stopped during init' }
          : { kind: 'error', errorType: 'Runtime.ExitError', errorMessage: `Runtime exited during init with ${status}` });
      }
      const current = worker.job;
      if (current && !wasDead) {
        clearTimeout(current.timer);
        worker.job = undefined;
        current.resolve({ kind: 'error', errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${current.options.requestId} Error: Runtime exited with error: ${status}` });
      }
      // A worker fewer: something queued may start one now.
      this.dispatch();
    });
  }

  private run(worker: Worker, job: Job): void {
    if (job.options.signal?.aborted) {
      // The caller gave up while this worker was starting: keep the worker warm.
      job.resolve({ kind: 'error', errorType: 'Runtime.Aborted', errorMessage: 'the caller stopped waiting' });
      this.release(worker);
      return;
    }
    const id = String(this.nextInvocationId++);
    const started = Date.now();
    const timer = setTimeout(() => this.timeOut(worker), this.options.timeoutMs);
    worker.job = { ...job, id, started, timer };
    this.invocations++;
    this.options.log(`START RequestId: ${job.options.requestId} Version: $LATEST`);
    worker.child.send({
      type: 'invoke',
      id,
      event: job.event,
      context: {
        functionName: this.options.functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: this.options.functionArn,
        memoryLimitInMB: String(this.options.memoryMb),
        awsRequestId: job.options.requestId,
        logGroupName: this.options.logGroupName,
        logStreamName: worker.logStreamName,
        deadlineMs: started + this.options.timeoutMs,
        traceId: job.options.traceId,
      },
    });
  }

  private finish(worker: Worker, message: InvocationMessage): void {
    const job = worker.job;
    if (!job || job.id !== message.id) return;
    clearTimeout(job.timer);
    worker.job = undefined;
    this.report(worker, job);
    job.resolve(message.type === 'result'
      ? { kind: 'result', payload: message.payload }
      : { kind: 'error', errorType: message.errorType, errorMessage: message.errorMessage });
    this.release(worker);
  }

  private timeOut(worker: Worker): void {
    const job = worker.job;
    if (!job) return;
    worker.job = undefined;
    this.report(worker, job, 'Status: timeout');
    this.options.log(`${new Date().toISOString()} ${job.options.requestId} Task timed out after ${(this.options.timeoutMs / 1000).toFixed(2)} seconds`);
    this.retire(worker);
    job.resolve({ kind: 'timeout' });
    this.dispatch();
  }

  private report(worker: Worker, job: { readonly started: number; readonly options: InvokeOptions }, suffix = ''): void {
    const init = worker.initMs !== undefined && !worker.initReported ? ` Init Duration: ${worker.initMs.toFixed(2)} ms` : '';
    worker.initReported = true;
    this.options.log(`REPORT RequestId: ${job.options.requestId} Duration: ${(Date.now() - job.started).toFixed(2)} ms${init} ${suffix}`.trimEnd());
  }

  private release(worker: Worker): void {
    if (worker.dead || this.stopping) return;
    this.idle.push(worker);
    this.dispatch();
  }

  private retire(worker: Worker): void {
    worker.kill();
    this.workers.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
  }
}
