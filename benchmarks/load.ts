/**
 * Load benchmark: signed POST /track through the whole local stack (`npx projen
 * local`: gateway with SigV4 and the request model, the bundled handler in Node 24
 * workers, moto's DynamoDB and SSM), then a count of what the table holds.
 *
 * It proves no loss and no doubling under load, and prints throughput and latency.
 * Those figures are moto's, not the handler's or AWS's: moto is Python, whose
 * request threads share one core (the GIL), doing two conditional writes per
 * request, and its CPU share is printed to show it. The handler's own cost is measured by
 * `npx projen bench:cold-start`.
 *
 * Usage:
 *   npx projen bench:load [--requests 10000] [--concurrency 32] [--workers 8] [--shipments 500]
 * Exit code 1 unless every request was answered 200, every event was acknowledged
 * once, and the table holds exactly the acknowledged events.
 */
import { createWriteStream, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import autocannon from 'autocannon';
import { Runtime, startRuntime } from '../local/runtime';
import { KEY_PREFIX, TABLE_LAYOUT } from '../src/contract/table';

// The benchmark's own SDK client runs on the machine's Node; the functions run on Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '32' },
    workers: { type: 'string', default: '8' },
    shipments: { type: 'string', default: '500' },
  },
});
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const WORKERS = Number(args.workers);
const SHIPMENTS = Number(args.shipments);

interface SignedRequest {
  readonly method: 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Signed requests, each with its own event. autocannon asks for the next request
 * synchronously and the SDK signer is asynchronous, so requests are signed ahead
 * in the background; staying only a little ahead keeps every X-Amz-Date within
 * the 5 minutes the gateway allows, however slow the run.
 */
class SignedRequests {
  private readonly ready: SignedRequest[] = [];
  private made = 0;
  private filling?: Promise<void>;
  private readonly signer: SignatureV4;

  constructor(private readonly stack: Runtime, private readonly runId: string, private readonly total: number, private readonly ahead: number) {
    this.signer = new SignatureV4({ service: 'execute-api', region: stack.region, credentials: stack.credentials, sha256: Hash.bind(null, 'sha256') });
  }

  public async fill(): Promise<void> {
    while (this.ready.length < this.ahead && this.made < this.total) {
      const n = this.made++;
      const body = JSON.stringify({
        tracking_id: `LOAD-${this.runId}-${n % SHIPMENTS}`,
        event_id: `load-${this.runId}-${n}`,
        status: n % 7 === 6 ? 'out_for_delivery' : 'in_transit',
        location: { lat: 52 + (n % 100) / 100, lng: 13 + (n % 50) / 100 },
      });
      const path = `/${this.stack.stage}/track`;
      const signed = await this.signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: this.stack.host,
        port: this.stack.port,
        path,
        query: {},
        headers: { 'host': `${this.stack.host}:${this.stack.port}`, 'content-type': 'application/json' },
        body,
      });
      this.ready.push({ method: 'POST', path, headers: signed.headers as Record<string, string>, body });
    }
  }

  /** The next request; refills in the background. */
  public next(): SignedRequest {
    const request = this.ready.shift();
    if (this.ready.length < this.ahead / 2) this.filling ??= this.fill().finally(() => (this.filling = undefined));
    if (!request) throw new Error('the signer fell behind the load generator; raise `ahead`');
    return request;
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat; [0] here is field 3.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The function workers: this process's children other than moto. */
function workerPids(stack: Runtime): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === stack.emulator.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.split(') ')[1].split(' ')[1]) === process.pid) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function totalCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => {
    try {
      return sum + cpuSeconds(pid);
    } catch {
      return sum;
    }
  }, 0);
}

async function countStoredEvents(stack: Runtime, runId: string): Promise<number> {
  const client = new DynamoDBClient({ endpoint: stack.emulator.endpoint, region: stack.region, credentials: stack.credentials });
  let count = 0;
  try {
    for await (const page of paginateScan({ client }, {
      TableName: stack.provisioned.tables[0],
      Select: 'COUNT',
      FilterExpression: 'begins_with(#pk, :shipments) AND begins_with(#sk, :events)',
      ExpressionAttributeNames: { '#pk': TABLE_LAYOUT.partitionKey, '#sk': TABLE_LAYOUT.sortKey },
      ExpressionAttributeValues: { ':shipments': { S: `${KEY_PREFIX.shipment}LOAD-${runId}-` }, ':events': { S: KEY_PREFIX.event } },
    })) {
      count += page.Count ?? 0;
    }
  } finally {
    client.destroy();
  }
  return count;
}

async function main(): Promise<void> {
  // The function's own duration per invocation (Lambda's REPORT line): mostly time spent waiting on moto.
  const durations: number[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'bench-load-'));
  const functionLog = createWriteStream(join(logDir, 'functions.log'));
  const stack = await startRuntime({
    cdkOut: join(__dirname, '..', 'example', 'cdk.out'),
    maxWorkersPerFunction: WORKERS,
    // The API path alone: the stream processor would compete for moto (one core) and
    // its REPORT lines would mix into the function durations measured here.
    eventSourceMappings: false,
    logDir,
    functionLog: (line) => {
      const report = /^REPORT .* Duration: ([0-9.]+) ms/.exec(line);
      if (report) durations.push(Number(report[1]));
      functionLog.write(`${line}\n`);
    },
  });
  try {
    const runId = Date.now().toString(36);
    const requests = new SignedRequests(stack, runId, REQUESTS + CONCURRENCY * 2, 1_000);
    await requests.fill();

    const acknowledged = new Set<string>();
    const duplicates: string[] = [];
    const statuses = new Map<number, number>();
    process.stdout.write(`${REQUESTS} signed POST /track, concurrency ${CONCURRENCY}, up to ${WORKERS} Node 24 workers, ${SHIPMENTS} shipments → ${stack.url}\n`);
    // This benchmark starts its own moto (no emulatorEndpoint), so the runtime knows its pid.
    const motoPid = stack.emulator.pid!;
    const motoCpuBefore = cpuSeconds(motoPid);
    const runtimeCpuBefore = process.cpuUsage();
    const started = Date.now();
    const result = await autocannon({
      url: `http://${stack.host}:${stack.port}`,
      connections: CONCURRENCY,
      amount: REQUESTS,
      timeout: 30,
      requests: [{
        method: 'POST',
        path: `/${stack.stage}/track`,
        setupRequest: () => requests.next() as unknown as autocannon.Request,
        onResponse: (status: number, body: string) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== 200) return;
          const answer = JSON.parse(body) as { tracking_id: string; event_id: string; duplicate: boolean };
          const key = `${answer.tracking_id}/${answer.event_id}`;
          if (answer.duplicate || acknowledged.has(key)) duplicates.push(key);
          acknowledged.add(key);
        },
      }],
    });
    const seconds = (Date.now() - started) / 1000;
    const motoCpu = cpuSeconds(motoPid) - motoCpuBefore;
    // Workers start during the run and stay warm after it; their CPU from start-up is a small overcount.
    const workersCpu = totalCpuSeconds(workerPids(stack));
    const runtimeCpu = process.cpuUsage(runtimeCpuBefore);

    const stored = await countStoredEvents(stack, runId);
    const pools = Object.values(stack.poolStats());
    const report = [
      '',
      `answered         ${[...statuses].map(([status, n]) => `${n} × ${status}`).join(', ')}`,
      `errors           ${result.errors} connection errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
      `acknowledged     ${acknowledged.size} events (${duplicates.length} answered as duplicates)`,
      `stored           ${stored} events in the table`,
      `throughput       ${(result.requests.total / seconds).toFixed(0)} requests/s (${result.requests.total} in ${seconds.toFixed(1)} s)`,
      `latency          p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
      `in the function  p50 ${percentile(durations, 50)} ms, p99 ${percentile(durations, 99)} ms (Lambda REPORT Duration; the rest is waiting for a free worker)`,
      `workers          ${pools.map((p) => `${p.coldStarts} cold starts, ${p.invocations} invocations`).join('; ')}`,
      `CPU (% of 1 core) moto ${(100 * motoCpu / seconds).toFixed(0)}%, function workers ${(100 * workersCpu / seconds).toFixed(0)}%, `
        + `gateway + load generator ${(100 * (runtimeCpu.user + runtimeCpu.system) / 1e6 / seconds).toFixed(0)}% (the machine has ${cpus().length} cores)`,
      `logs             ${stack.logDir}`,
      '',
    ];
    process.stdout.write(report.join('\n'));

    const problems: string[] = [];
    if (result.errors || result.timeouts || result.non2xx) problems.push('some requests failed');
    if (acknowledged.size !== REQUESTS || duplicates.length > 0) problems.push(`${REQUESTS} distinct events sent, ${acknowledged.size} acknowledged, ${duplicates.length} duplicates`);
    if (stored !== acknowledged.size) problems.push(`the table holds ${stored} events for ${acknowledged.size} acknowledged: ${stored > acknowledged.size ? 'doubled' : 'lost'} events`);
    if (problems.length > 0) {
      process.stderr.write(`\nFAILED: ${problems.join('; ')}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write('OK: zero errors; every acknowledged event stored exactly once\n');
    }
  } finally {
    await stack.stop();
    functionLog.end();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:load: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
