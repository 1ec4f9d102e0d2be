/**
 * Cost benchmark: what a million tracking updates cost on the construct's
 * defaults, on each cost option it has, and on the seed design, from one run
 * of a realistic, seeded mix of requests through the local runtime.
 *
 *   npx projen bench:cost [--seed N] [--shipments 60] [--batches 5]
 *
 * It synthesizes the construct (defaults, plus the batch_processing flag so
 * `POST /track/batch` answers), serves it locally (moto, the REST gateway, the
 * bundled functions in Node 24 workers, the stream mapping), points the
 * functions' AWS calls at a recording proxy (benchmarks/cost/recorder.ts) and
 * sends the mix one request at a time (benchmarks/cost/traffic.ts). Then, per
 * kind of request:
 *
 * - DynamoDB request units from the items and index entries written and read
 *   (benchmarks/cost/units.ts: DynamoDB's documented on-demand rules; the
 *   emulator's ConsumedCapacity is a constant);
 * - Lambda billed duration from the local REPORT lines (medians of warm
 *   invocations), at the template's memory and architecture — a local machine
 *   only estimates it; invocations of both functions (the stream processor's
 *   shared among the stream records each request caused);
 * - log bytes: the functions' own lines as printed, Lambda's START/END/REPORT
 *   lines, and the access-log line the stage's format gives for the request;
 * - EventBridge events, SQS messages (the dead-letter queue), X-Ray traces at
 *   the default sampling rule (5 % at scale);
 *
 * and prices them with benchmarks/cost/prices.ts. The seed design is priced
 * from the same requests by benchmarks/cost/seed.ts. The last line is the summary.
 */
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { accessLogFormat } from './cost/access-log';
import {
  ApiKind, Breakdown, constructUsage, KindFigures, ModelContext, price, SEED_LAMBDA, seedUsage, SERVICES, sumBreakdowns, total, unitsFor, Variant,
  XRAY_SAMPLED_SHARE,
} from './cost/cost-model';
import { drive, SentRequest } from './cost/driver';
import { dynamoUnits, tableDefinitionFromTemplate } from './cost/dynamo-units';
import { FunctionLogs } from './cost/lambda-logs';
import { kindFigures, median, processorFigures } from './cost/measure';
import { PRICES, PRICES_AS_OF, PRICES_REGION } from './cost/prices';
import { Recorder } from './cost/recorder';
import { fixed, ratio, table, usd } from './cost/report';
import { SEED_TABLE } from './cost/seed';
import { restAccessLogFormat, startCostStack, synthCostApp } from './cost/stack';
import { DEFAULT_TRAFFIC, planTraffic, RequestKind, SINGLE_UPDATE_KINDS } from './cost/traffic';
import { Item, itemBytes } from './cost/units';
import type { Runtime } from '../local/runtime';
import { KEY_PREFIX, TABLE_LAYOUT } from '../src/contract/table';

// The benchmark's own SDK clients run on the machine's Node; the functions run on Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: String(DEFAULT_TRAFFIC.seed) },
    shipments: { type: 'string', default: String(DEFAULT_TRAFFIC.shipments) },
    batches: { type: 'string', default: String(DEFAULT_TRAFFIC.batches) },
  },
});

const OUT_DIR = join(__dirname, '.out', 'cost');

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Waits until the stream processor has been handed every state write (or 30 s pass). */
async function drainStream(stack: Runtime, expected: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const records = Object.values(stack.streamStats()).reduce((sum, stats) => sum + stats.records, 0);
    const busy = Object.values(stack.poolStats()).reduce((sum, stats) => sum + stats.busy + stats.queued, 0);
    if (records !== last) {
      last = records;
      stableSince = Date.now();
    }
    if ((records >= expected && busy === 0 && Date.now() - stableSince > 1_000) || Date.now() > deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function deadLetterCount(stack: Runtime): Promise<number> {
  const client = new SQSClient({ endpoint: stack.emulator.endpoint, region: stack.region, credentials: stack.credentials });
  try {
    let count = 0;
    for (const queue of stack.template.queues.filter((candidate) => /DeadLetter/i.test(candidate.logicalId))) {
      const output = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages'] }));
      count += Number(output.Attributes?.ApproximateNumberOfMessages ?? 0);
    }
    return count;
  } finally {
    client.destroy();
  }
}

interface FunctionSettings {
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  /** Lambda writes its START, END and REPORT lines: unless the JSON log format's system log level is WARN. */
  readonly platformLogs: boolean;
}

function functionSettings(template: any, logicalIdPrefix: string): FunctionSettings {
  const entry = Object.entries<any>(template.Resources).find(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith(logicalIdPrefix));
  if (!entry) throw new Error(`no function ${logicalIdPrefix}* in the template`);
  const properties = entry[1].Properties;
  const logging = properties.LoggingConfig ?? {};
  return {
    memoryMb: Number(properties.MemorySize ?? 128),
    architecture: properties.Architectures?.[0] ?? 'x86_64',
    platformLogs: !(logging.LogFormat === 'JSON' && logging.SystemLogLevel === 'WARN'),
  };
}

interface Row {
  readonly name: string;
  readonly breakdown: Breakdown;
  readonly note: string;
}

/** Cost per million updates of the single-update kinds, weighted as the mix sent them. */
function perMillionUpdates(figures: readonly KindFigures[], usageOf: (kind: KindFigures) => Breakdown): Breakdown {
  const singles = figures.filter((kind) => SINGLE_UPDATE_KINDS.includes(kind.kind));
  const updates = singles.reduce((sum, kind) => sum + kind.updates, 0);
  return sumBreakdowns(singles.map((kind) => ({ breakdown: usageOf(kind), weight: (kind.requests / updates) * 1e6 })));
}

async function main(): Promise<void> {
  const started = Date.now();
  const plan = planTraffic({ ...DEFAULT_TRAFFIC, seed: Number(args.seed), shipments: Number(args.shipments), batches: Number(args.batches) });
  mkdirSync(OUT_DIR, { recursive: true });

  const recorder = new Recorder({ partitionKey: TABLE_LAYOUT.partitionKey, sortKey: TABLE_LAYOUT.sortKey }, { accessKeyId: 'local', secretAccessKey: 'local' }, 'us-east-1');
  const recorderEndpoint = await recorder.start();
  let stack: Runtime | undefined;
  let functionLog: WriteStream | undefined;
  try {
    log('bench:cost: synthesizing the construct (defaults + batch_processing) …');
    const app = synthCostApp(join(OUT_DIR, 'cdk.out'), recorderEndpoint);
    const format = accessLogFormat(app.template);
    if (!format) throw new Error('the stage has no access-log format');
    const apiType: ApiKind = Object.values<any>(app.template.Resources).some((resource) => resource.Type === 'AWS::ApiGatewayV2::Api') ? 'HTTP' : 'REST';
    if (apiType !== 'HTTP') throw new Error('bench:cost prices the REST variants from the default stack, which it expects to be an HTTP API');
    const accessLogFormats = { HTTP: format, REST: restAccessLogFormat() };
    const handlerSettings = functionSettings(app.template, 'TrackingHandler');
    const processorSettings = functionSettings(app.template, 'TrackingStreamProcessor');
    const tableDefinition = tableDefinitionFromTemplate(app.template);

    // Function names are known once the template is read; the sink sorts lines as they come.
    let logs: FunctionLogs | undefined;
    const early: string[] = [];
    mkdirSync(join(OUT_DIR, 'logs'), { recursive: true });
    functionLog = createWriteStream(join(OUT_DIR, 'logs', 'functions.log'));
    const file = functionLog;
    stack = await startCostStack(app.cdkOut, join(OUT_DIR, 'logs'), (line) => (logs ? logs.line(line) : early.push(line)));
    const functionName = (prefix: string) => [...stack!.template.functions.values()].find((fn) => fn.logicalId.startsWith(prefix))!.name;
    logs = new FunctionLogs(functionName('TrackingHandler'), functionName('TrackingStreamProcessor'), (line) => file.write(`${line}\n`));
    early.forEach(logs.line);
    recorder.setUpstream(stack.emulator.endpoint);

    log(`bench:cost: ${plan.length} requests, one at a time, against ${stack.url} (logs in ${stack.logDir})`);
    const sent = await drive(stack, plan, logs, (done) => {
      if (done % 100 === 0) log(`  ${done}/${plan.length} sent, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });

    const isState = (item: Item) => item[TABLE_LAYOUT.sortKey]?.S === TABLE_LAYOUT.stateSortKey;
    const isEvent = (item: Item) => item[TABLE_LAYOUT.sortKey]?.S?.startsWith(KEY_PREFIX.event) === true;
    const stateWrites = recorder.dynamoCalls.filter((call) => call.ok && call.after && isState(call.after)).length;
    const streamRecords = await drainStream(stack, stateWrites);
    const figures = kindFigures({ sent, calls: recorder.dynamoCalls, logs, accessLogFormats, stage: stack.stage });
    const unmatched = figures.filter((kind) => Number.isNaN(kind.handlerDurationMs)).map((kind) => kind.kind);
    if (unmatched.length > 0) throw new Error(`no handler REPORT line matched the API request ids of: ${unmatched.join(', ')}`);
    // Records beyond the state writes would be moto's stream artifacts that got past the
    // local mapping (a bare-key INSERT of an UpdateItem on a new item; local/events/stream-records.ts
    // holds them back), which the processor would dead-letter as malformed: AWS writes no such
    // record, so neither they nor their dead letters are billed, and the output says so.
    const artifacts = Math.max(0, streamRecords - stateWrites);
    const deadLetters = await deadLetterCount(stack);
    // The processor's own DynamoDB calls (counting deliveries) carry its invocations' trace ids, none of the API's.
    const apiTraces = new Set(sent.map((request) => request.trace));
    const processorCalls = recorder.dynamoCalls.filter((call) => call.trace === undefined || !apiTraces.has(call.trace));
    const processorUnits = dynamoUnits(processorCalls, tableDefinition);
    const processor = processorFigures({
      logs,
      apiRequestIds: new Set(sent.map((request) => request.requestId)),
      records: stateWrites,
      events: recorder.events().entries,
      deadLetters: Math.max(0, deadLetters - artifacts),
      units: processorUnits,
    });
    const context: ModelContext = { table: tableDefinition, seedTable: SEED_TABLE, isState, isEvent, processor };
    const stored = recorder.items();
    const itemSizes = {
      event: median(stored.filter(isEvent).map(itemBytes)),
      state: median(stored.filter(isState).map(itemBytes)),
      seed: median(figures.flatMap((kind) => kind.seedCalls ?? []).flatMap((call) => (call.after ? [itemBytes(call.after)] : []))),
    };
    const seconds = (Date.now() - started) / 1000;

    process.stdout.write(render({
      sent,
      figures,
      context,
      apiType,
      handlerSettings,
      processorSettings,
      streamRecords,
      artifacts,
      deadLetters,
      seconds,
      itemSizes,
      strayLines: logs.strayHandlerLines,
      otherCalls: recorder.otherCalls,
    }));
  } finally {
    await stack?.stop();
    await recorder.stop();
    functionLog?.end();
  }
}

interface RenderInput {
  readonly sent: readonly SentRequest[];
  readonly figures: readonly KindFigures[];
  readonly context: ModelContext;
  readonly handlerSettings: FunctionSettings;
  readonly processorSettings: FunctionSettings;
  /** The default stack's API type. */
  readonly apiType: ApiKind;
  /** Records the local mapping handed the processor, of which `artifacts` were moto's; dead letters in the queue. */
  readonly streamRecords: number;
  readonly artifacts: number;
  readonly deadLetters: number;
  readonly strayLines: number;
  readonly seconds: number;
  /** Median bytes of the items stored: the construct's event and state items, the seed's item. */
  readonly itemSizes: { readonly event: number; readonly state: number; readonly seed: number };
  readonly otherCalls: ReadonlyMap<string, number>;
}

function render(input: RenderInput): string {
  const { sent, figures, context, handlerSettings, processorSettings } = input;
  const processor = context.processor;
  const byKind = (kind: RequestKind) => figures.find((candidate) => candidate.kind === kind);
  const out: string[] = [];
  const statuses = new Map<number, number>();
  for (const request of sent) statuses.set(request.status, (statuses.get(request.status) ?? 0) + 1);

  const defaults: Variant = {
    name: 'default',
    apiType: input.apiType,
    note: `${input.apiType} API, handler ${handlerSettings.memoryMb} MB ${handlerSettings.architecture}, processor ${processorSettings.memoryMb} MB ${processorSettings.architecture}`,
    handlerMemoryMb: handlerSettings.memoryMb,
    handlerArchitecture: handlerSettings.architecture,
    processorMemoryMb: processorSettings.memoryMb,
    processorArchitecture: processorSettings.architecture,
    handlerPlatformLogs: handlerSettings.platformLogs,
    processorPlatformLogs: processorSettings.platformLogs,
    notifications: true,
    eventRetention: false,
    webAcl: false,
  };
  const variants: Variant[] = [
    { ...defaults, name: 'handlerMemorySize: 256', note: 'same measured duration, half the GB (the CPU-bound part would run ~2× longer)', handlerMemoryMb: 256 },
    { ...defaults, name: 'handlerMemorySize: 1024', note: 'same measured duration, twice the GB (shorter cold starts)', handlerMemoryMb: 1024 },
    { ...defaults, name: 'realTimeNotifications: false', note: 'gives up status-change events; the processor still runs per stream batch', notifications: false },
    { ...defaults, name: 'eventRetention: 90 days', note: 'adds expires_at to each event item; TTL deletes are free; cuts storage, not this', eventRetention: true },
    {
      ...defaults,
      name: 'apiType: REST',
      note: 'a REST API: WAF, usage plans, X-Ray on the API, parameters checked and gateway errors in the contract shape',
      apiType: 'REST',
    },
    { ...defaults, name: 'REST + webAclArn (AWS WAF)', note: 'adds WAF per request, plus $5/ACL and $1/rule a month', apiType: 'REST', webAcl: true },
  ];

  // --- What was sent and measured --------------------------------------------------
  out.push(`Cost per million tracking updates — ${sent.length} requests carrying ${sent.reduce((sum, request) => sum + request.planned.updates, 0)} updates, `
    + `one at a time through the local runtime in ${input.seconds.toFixed(0)} s; answers: ${[...statuses].map(([status, n]) => `${n} × ${status}`).join(', ')}`);
  out.push('');
  out.push('Measured on the default stack, per request (DynamoDB units computed from the items; handler ms = median of the warm local invocations, '
    + 'which only estimates what Lambda bills on AWS):');
  out.push('');
  out.push(table(
    ['request', 'sent', 'WRU', 'RRU', 'table WRU', ...context.table.indexes.map((index) => `${index.name} WRU`), 'handler ms', 'handler log B', 'access log B', 'stream records', 'events', 'seed WRU', 'seed RRU'],
    figures.map((kind) => {
      const units = unitsFor(kind, defaults, context);
      const seedUnits = kind.seedCalls ? unitsFor({ ...kind, calls: kind.seedCalls }, defaults, { ...context, table: context.seedTable }) : undefined;
      const per = (n: number) => fixed(n / kind.requests);
      return [
        kind.kind, String(kind.requests), per(units.writeUnits), per(units.readUnits), per(units.tableWriteUnits),
        ...context.table.indexes.map((index) => per(units.indexWriteUnits[index.name] ?? 0)),
        fixed(kind.handlerDurationMs, 0), fixed(kind.handlerLogBytes, 0), fixed(kind.accessLogBytes[input.apiType], 0),
        per(units.stateWrites), per(units.statusChanges),
        seedUnits ? per(seedUnits.writeUnits) : 'n/a', seedUnits ? per(seedUnits.readUnits) : 'n/a',
      ];
    }),
    (column) => column > 0,
  ));
  out.push('');
  const handlerInvocations = figures.reduce((sum, kind) => sum + kind.requests, 0);
  out.push(`Invocations: handler ${handlerInvocations} (one per API request); stream processor ${processor.invocations} for ${processor.records} state writes `
    + `(${fixed(processor.records / Math.max(1, processor.invocations), 1)} records per invocation; the local mapping polls every 250 ms and has no batching window), `
    + `median ${fixed(processor.durationMs, 0)} ms, ${fixed(processor.logBytesPerInvocation, 0)} log B per invocation + ${fixed(processor.publishedLineBytes, 0)} B per event; `
    + `${processor.events} events published, ${processor.deadLetters} dead letters; `
    + `its own DynamoDB calls (counting deliveries) ${fixed(processor.writeUnits, 1)} WRU and ${fixed(processor.readUnits, 1)} RRU in all, `
    + 'shared by its records in the figures below'
    + (input.artifacts > 0 ? ` (not counted: ${input.artifacts} of the ${input.streamRecords} stream records were moto artifacts, ${input.deadLetters} dead-lettered in all)` : '')
    + '. Cold starts (left out of the medians): handler '
    + `${figures.reduce((sum, kind) => sum + kind.handlerColdStarts, 0)}, processor ${processor.coldStarts}. `
    + `Other calls: ${[...input.otherCalls].map(([name, n]) => `${n} × ${name}`).join(', ') || 'none'}.`);
  const singles = figures.filter((kind) => SINGLE_UPDATE_KINDS.includes(kind.kind));
  out.push(`Item sizes (median): event ${fixed(input.itemSizes.event, 0)} B, state ${fixed(input.itemSizes.state, 0)} B; `
    + `the seed's item ${fixed(input.itemSizes.seed, 0)} B. The seed's log line per update (the whole API Gateway event): `
    + `${fixed(median(singles.map((kind) => kind.seedLogBytes)), 0)} B.`);
  out.push('');

  // --- Dollars per million updates ---------------------------------------------------
  const seedRow = perMillionUpdates(figures, (kind) => price(seedUsage(kind, context)!));
  const seedTotal = total(seedRow);
  const rows: Row[] = [
    { name: 'seed design', breakdown: seedRow, note: `REST, Lambda x86_64 ${SEED_LAMBDA.memoryMb} MB, GSI on raw status (ALL), whole request logged` },
    ...[defaults, ...variants].map((variant) => ({
      name: variant.name,
      breakdown: perMillionUpdates(figures, (kind) => price(constructUsage(kind, variant, context))),
      note: variant.note,
    })),
  ];
  const batch = byKind('batch of 100');
  if (batch) {
    const perUpdate = (variant: Variant) => sumBreakdowns([{
      breakdown: price(constructUsage(batch, variant, context)),
      weight: (batch.requests / batch.updates) * 1e6,
    }]);
    rows.push({ name: 'batch of 100 (default)', breakdown: perUpdate(defaults), note: `${fixed(batch.updates / batch.requests, 0)} updates per POST /track/batch` });
    rows.push({ name: 'batch of 100, handler 256 MB', breakdown: perUpdate(variants[0]), note: 'handlerMemorySize: 256 on the batch route' });
  }
  const services = SERVICES;
  out.push(`$ per million updates, by service (${PRICES_REGION} list prices of ${PRICES_AS_OF}; the single-update mix: new shipments, scans, status changes, `
    + 'deliveries, retries, duplicates):');
  out.push('');
  out.push(table(
    ['variant', ...services, 'total', 'vs seed', 'what it changes'],
    rows.map((row) => [
      row.name,
      ...services.map((service) => usd(row.breakdown[service])),
      usd(total(row.breakdown)),
      ratio(total(row.breakdown) / seedTotal),
      row.note,
    ]),
    (column) => column > 0 && column <= services.length + 2,
  ));
  out.push('');

  // --- Reads ------------------------------------------------------------------------
  const reads = (['GET /status', 'GET /shipments'] as RequestKind[]).flatMap((kind) => {
    const figure = byKind(kind);
    if (!figure) return [];
    const ours = total(price(constructUsage(figure, defaults, context))) * 1e6;
    const seed = seedUsage(figure, context);
    return [[kind, String(figure.requests), usd(ours), seed ? usd(total(price(seed)) * 1e6) : 'n/a', seed ? ratio(ours / (total(price(seed)) * 1e6)) : 'n/a']];
  });
  if (reads.length > 0) {
    out.push('$ per million reads (default stack; the seed had no GET /shipments: modelled as one query of its status index):');
    out.push('');
    out.push(table(['read', 'sent', 'default', 'seed design', 'vs seed'], reads));
    out.push('');
  }

  out.push('Assumptions: Lambda durations are local measurements against moto, not AWS (they only estimate the bill); the memory variants reuse them. '
    + `X-Ray: the default rule (1/s + 5 %) at a rate well above 1 request/s, so ${XRAY_SAMPLED_SHARE * 100} % of API requests and stream batches. `
    + 'Logs: bytes of each line (function output, Lambda START/END/REPORT, the stage\'s access-log line), not the 26-byte per-event overhead. '
    + 'The seed\'s function is priced at the construct handler\'s measured duration. '
    + `Free tiers, storage, PITR, alarms, dashboard, custom metrics and data transfer are left out. Prices (${PRICES_REGION}): `
    + `REST $${PRICES.apiGatewayRest.usd}/M, Lambda $${PRICES.lambdaRequests.usd}/M + $${PRICES.lambdaArm64GbSecond.usd}/GB-s arm64 ($${PRICES.lambdaX86GbSecond.usd} x86), `
    + `DynamoDB $${PRICES.dynamoDbWrite.usd}/M WRU, $${PRICES.dynamoDbRead.usd}/M RRU, logs $${PRICES.logsIngestion.usd}/GB, EventBridge $${PRICES.eventBridgeCustomEvents.usd}/M, `
    + `SQS $${PRICES.sqsRequests.usd}/M, X-Ray $${PRICES.xrayTracesRecorded.usd}/M traces, WAF $${PRICES.wafRequests.usd}/M (benchmarks/cost/prices.ts).`);
  if (input.strayLines > 0) out.push(`Note: ${input.strayLines} handler log lines arrived outside any request and were not counted.`);
  out.push('');

  // --- Summary --------------------------------------------------------------------
  const defaultTotal = total(rows.find((row) => row.name === 'default')!.breakdown);
  const cheapest = rows.filter((row) => row.name === 'default' || variants.some((variant) => variant.name === row.name))
    .reduce((best, row) => (total(row.breakdown) < total(best.breakdown) ? row : best));
  const batchRow = rows.find((row) => row.name === 'batch of 100 (default)');
  out.push(`cheapest option: ${cheapest.name} (${cheapest.note})`);
  out.push(`cost per million updates vs the seed design: default ${(defaultTotal / seedTotal).toFixed(2)}×, `
    + `cheapest option ${(total(cheapest.breakdown) / seedTotal).toFixed(2)}×, `
    + `batch of 100 ${batchRow ? (total(batchRow.breakdown) / seedTotal).toFixed(2) : 'n/a'}×`);
  return `${out.join('\n')}\n`;
}

main().catch((error) => {
  process.stderr.write(`bench:cost: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
