import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nodeForRuntime } from '../../../local/functions/node-runtime';
import { InvokeOutcome, WorkerPool, WorkerPoolOptions } from '../../../local/functions/workers';

/**
 * Execution environments: warm reuse, growth up to the cap, queueing beyond it,
 * timeouts that kill and replace, crashes and errors as Lambda reports them.
 * The fixtures are tiny handlers written to a temp directory.
 */

jest.setTimeout(30_000);

const code = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-fixtures-'));
fs.writeFileSync(path.join(code, 'index.mjs'), `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const handler = async (event, context) => {
  switch (event.action) {
    case 'sleep': await sleep(event.ms); return { pid: process.pid };
    case 'throw': throw new TypeError('boom');
    case 'exit': process.exit(3);
    case 'unserializable': return { big: 1n };
    case 'context': return {
      version: process.version,
      requestId: context.awsRequestId,
      remaining: context.getRemainingTimeInMillis(),
      functionName: context.functionName,
      env: { custom: process.env.CUSTOM, stream: process.env.AWS_LAMBDA_LOG_STREAM_NAME, trace: process.env._X_AMZN_TRACE_ID },
      cwd: process.cwd(),
    };
    default: return { pid: process.pid };
  }
};
export const nested = { handler: async () => 'nested' };
`);
fs.writeFileSync(path.join(code, 'broken.mjs'), "throw new Error('cannot initialize');\n");
fs.writeFileSync(path.join(code, 'legacy.js'), 'exports.handler = async () => ({ style: "commonjs" });\n');

const pools: WorkerPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((created) => created.stop()));
  fs.rmSync(code, { recursive: true, force: true });
});

function pool(options: Partial<WorkerPoolOptions> = {}): WorkerPool {
  const created = new WorkerPool({
    functionName: 'fixture',
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fixture',
    handler: 'index.handler',
    codeDirectory: code,
    timeoutMs: 5_000,
    memoryMb: 128,
    logGroupName: '/aws/lambda/fixture',
    nodePath: process.execPath,
    environment: { CUSTOM: 'from-template' },
    maxWorkers: 2,
    log: () => undefined,
    ...options,
  });
  pools.push(created);
  return created;
}

let requests = 0;
function invoke(target: WorkerPool, event: object): Promise<InvokeOutcome> {
  return target.invoke(event, { requestId: `req-${++requests}`, traceId: 'Root=1-abc' });
}

function payload(outcome: InvokeOutcome): any {
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${JSON.stringify(outcome)}`);
  return JSON.parse(outcome.payload);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('warm reuse and growth', () => {
  test('sequential invocations reuse one warm worker', async () => {
    const target = pool();
    const first = payload(await invoke(target, {}));
    const second = payload(await invoke(target, {}));
    expect(second.pid).toBe(first.pid);
    expect(target.stats()).toMatchObject({ workers: 1, coldStarts: 1, invocations: 2 });
  });

  test('concurrent invocations start workers up to the cap, and the rest wait for a free one', async () => {
    const target = pool({ maxWorkers: 2 });
    const running = [1, 2, 3].map(() => invoke(target, { action: 'sleep', ms: 300 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.stats().queued).toBe(1);
    const pids = (await Promise.all(running)).map((outcome) => payload(outcome).pid);
    expect(new Set(pids).size).toBe(2);
    expect(target.stats()).toMatchObject({ workers: 2, coldStarts: 2, busy: 0, queued: 0 });
  });

  test('a queued invocation whose caller gave up never runs', async () => {
    const target = pool({ maxWorkers: 1 });
    const busy = invoke(target, { action: 'sleep', ms: 300 });
    const abort = new AbortController();
    const queued = target.invoke({}, { requestId: 'given-up', signal: abort.signal });
    abort.abort();
    expect(await queued).toMatchObject({ kind: 'error', errorType: 'Runtime.Aborted' });
    await busy;
    expect(target.stats().invocations).toBe(1);
  });
});

describe('what the function sees', () => {
  test('the Lambda context, the configured environment and the code directory as cwd', async () => {
    const result = payload(await invoke(pool(), { action: 'context' }));
    expect(result).toMatchObject({ requestId: `req-${requests}`, functionName: 'fixture', cwd: fs.realpathSync(code) });
    expect(result.remaining).toBeGreaterThan(4_000);
    expect(result.remaining).toBeLessThanOrEqual(5_000);
    expect(result.env).toEqual({ custom: 'from-template', stream: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/), trace: 'Root=1-abc' });
  });

  test('handlers by Lambda\'s naming: a nested export and a CommonJS module', async () => {
    expect(payload(await invoke(pool({ handler: 'index.nested.handler' }), {}))).toBe('nested');
    expect(payload(await invoke(pool({ handler: 'legacy.handler' }), {}))).toEqual({ style: 'commonjs' });
  });

  test('nodejs24.x runs on Node 24, not on the Node that runs the pool', async () => {
    const node24 = nodeForRuntime('nodejs24.x', 'fixture');
    const result = payload(await invoke(pool({ nodePath: node24.path }), { action: 'context' }));
    expect(result.version).toBe(node24.version);
    expect(result.version).toMatch(/^v24\./);
  });
});

describe('failures, as Lambda reports them', () => {
  test('a thrown error is a function error, and the worker stays warm', async () => {
    const target = pool();
    const first = payload(await invoke(target, {}));
    expect(await invoke(target, { action: 'throw' })).toEqual({ kind: 'error', errorType: 'TypeError', errorMessage: 'boom' });
    expect(payload(await invoke(target, {})).pid).toBe(first.pid);
  });

  test('an invocation past the timeout kills its worker; the next invocation gets a fresh one', async () => {
    const target = pool({ timeoutMs: 300 });
    const first = payload(await invoke(target, {}));
    expect(await invoke(target, { action: 'sleep', ms: 5_000 })).toEqual({ kind: 'timeout' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(first.pid)).toBe(false);
    const next = payload(await invoke(target, {}));
    expect(next.pid).not.toBe(first.pid);
    expect(target.stats()).toMatchObject({ workers: 1, coldStarts: 2 });
  });

  test('a worker that exits mid-invocation is a Runtime.ExitError and is replaced', async () => {
    const target = pool();
    expect(await invoke(target, { action: 'exit' })).toMatchObject({ kind: 'error', errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/exit status 3/) });
    expect(payload(await invoke(target, {})).pid).toEqual(expect.any(Number));
  });

  test('a result that is not JSON is a Runtime.MarshalError', async () => {
    expect(await invoke(pool(), { action: 'unserializable' })).toMatchObject({ kind: 'error', errorType: 'Runtime.MarshalError' });
  });

  test('a module that throws while loading fails the invocation with its error', async () => {
    expect(await invoke(pool({ handler: 'broken.handler' }), {})).toEqual({ kind: 'error', errorType: 'Error', errorMessage: 'cannot initialize' });
  });

  test('a handler that is not exported, or a module that does not exist', async () => {
    expect(await invoke(pool({ handler: 'index.missing' }), {})).toMatchObject({ kind: 'error', errorType: 'Runtime.HandlerNotFound' });
    expect(await invoke(pool({ handler: 'nothing.handler' }), {})).toMatchObject({ kind: 'error', errorType: 'Runtime.ImportModuleError' });
  });

  test('stop() kills every worker and fails what is queued', async () => {
    const target = pool({ maxWorkers: 1 });
    const running = invoke(target, { action: 'sleep', ms: 10_000 });
    const queued = invoke(target, {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    await target.stop();
    expect(await queued).toMatchObject({ kind: 'error', errorType: 'Runtime.Stopped' });
    expect(await running).toMatchObject({ kind: 'error', errorType: 'Runtime.Stopped' });
    expect(target.stats().workers).toBe(0);
  });
});

describe('a failed init does not stall the queue', () => {
  test('with one worker allowed, every queued invocation still gets an answer', async () => {
    const target = pool({ handler: 'broken.handler', maxWorkers: 1 });
    const outcomes = await Promise.all([1, 2, 3].map(() => invoke(target, {})));
    expect(outcomes).toEqual(outcomes.map(() => ({ kind: 'error', errorType: 'Error', errorMessage: 'cannot initialize' })));
  });

  test('a Node executable that does not exist is a start error, not a hang', async () => {
    const target = pool({ nodePath: path.join(code, 'no-such-node'), maxWorkers: 1 });
    const outcomes = await Promise.all([1, 2].map(() => invoke(target, {})));
    expect(outcomes).toEqual(outcomes.map(() => expect.objectContaining({ kind: 'error', errorType: 'Runtime.StartError' })));
  });
});

describe('reserved concurrency: beyond it, an invocation is throttled at once, not queued', () => {
  test('with 1 reserved and one invocation in flight, the next is throttled; once the first is done, another runs', async () => {
    // Two workers allowed: without the reservation, the second would simply start a worker and run.
    const target = pool({ reservedConcurrency: 1, maxWorkers: 2 });
    const first = invoke(target, { action: 'sleep', ms: 500 });
    // Still in its cold start here: an invocation waiting for its worker holds its place too.
    const started = Date.now();
    expect(await invoke(target, {})).toEqual({ kind: 'throttled' });
    expect(Date.now() - started).toBeLessThan(100);
    const firstPid = payload(await first).pid;
    expect(payload(await invoke(target, {})).pid).toBe(firstPid);
    expect(target.stats()).toMatchObject({ workers: 1, coldStarts: 1, invocations: 2, throttles: 1 });
  });

  test('an invocation waiting for a worker (at maxWorkers) counts against the reservation', async () => {
    const target = pool({ reservedConcurrency: 2, maxWorkers: 1 });
    const running = invoke(target, { action: 'sleep', ms: 300 });
    const waiting = invoke(target, {});
    expect(await invoke(target, {})).toEqual({ kind: 'throttled' });
    expect(target.stats()).toMatchObject({ queued: 1, throttles: 1 });
    payload(await running);
    payload(await waiting);
  });

  test('a place is freed however the invocation ends: an error, a timeout, a caller that gave up while it waited', async () => {
    const target = pool({ reservedConcurrency: 2, maxWorkers: 1, timeoutMs: 300 });
    expect(await invoke(target, { action: 'throw' })).toMatchObject({ kind: 'error' });
    expect(await invoke(target, { action: 'sleep', ms: 5_000 })).toEqual({ kind: 'timeout' });
    const running = invoke(target, { action: 'sleep', ms: 100 });
    const abort = new AbortController();
    const givenUp = target.invoke({}, { requestId: 'given-up', signal: abort.signal });
    abort.abort();
    expect(await givenUp).toMatchObject({ kind: 'error', errorType: 'Runtime.Aborted' });
    // Two places again: one running, one free.
    const second = invoke(target, {});
    expect(await invoke(target, {})).toEqual({ kind: 'throttled' });
    payload(await running);
    payload(await second);
    expect(target.stats().throttles).toBe(1);
  });

  test('0 reserved throttles every invocation, and no worker is ever started', async () => {
    const target = pool({ reservedConcurrency: 0 });
    expect(await Promise.all([invoke(target, {}), invoke(target, {})])).toEqual([{ kind: 'throttled' }, { kind: 'throttled' }]);
    expect(target.stats()).toMatchObject({ workers: 0, coldStarts: 0, invocations: 0, throttles: 2 });
  });

  test.each([-1, 1.5, Number.NaN])('%p is refused when the pool is made', (reservedConcurrency) => {
    expect(() => pool({ reservedConcurrency })).toThrow(/reservedConcurrency must be a whole number of at least 0/);
  });
});
