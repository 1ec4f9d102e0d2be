/**
 * From what one request of each kind used to dollars: the usage of a request
 * (API requests, invocations and GB-seconds, request units, log bytes, events,
 * messages, traces) for a deployment variant, priced with prices.ts. The
 * construct's variants and the seed design go through the same `price`.
 */
import { dynamoUnits, DynamoUnits } from './dynamo-units';
import { platformLogBytes } from './lambda-logs';
import { dollars, PRICES } from './prices';
import type { DynamoCall } from './recorder';
import type { RequestKind } from './traffic';
import type { Item, TableDefinition } from './units';

export type Architecture = 'arm64' | 'x86_64';

/** The API Gateway flavour of a variant (the construct's `apiType`). */
export type ApiKind = 'REST' | 'HTTP';

/** Everything a request (or a share of one) bills for. */
export interface Usage {
  readonly apiRestRequests: number;
  readonly apiHttpRequests: number;
  readonly wafRequests: number;
  readonly lambdaInvocations: number;
  readonly gbSecondsArm64: number;
  readonly gbSecondsX86: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly logBytes: number;
  readonly events: number;
  readonly sqsRequests: number;
  readonly traces: number;
}

export const SERVICES = ['API Gateway', 'WAF', 'Lambda', 'DynamoDB writes', 'DynamoDB reads', 'CloudWatch Logs', 'EventBridge', 'SQS', 'X-Ray'] as const;
export type Service = (typeof SERVICES)[number];
export type Breakdown = Readonly<Record<Service, number>>;

export function price(usage: Usage): Breakdown {
  return {
    'API Gateway': dollars(PRICES.apiGatewayRest, usage.apiRestRequests) + dollars(PRICES.apiGatewayHttp, usage.apiHttpRequests),
    'WAF': dollars(PRICES.wafRequests, usage.wafRequests),
    'Lambda': dollars(PRICES.lambdaRequests, usage.lambdaInvocations)
      + dollars(PRICES.lambdaArm64GbSecond, usage.gbSecondsArm64)
      + dollars(PRICES.lambdaX86GbSecond, usage.gbSecondsX86),
    'DynamoDB writes': dollars(PRICES.dynamoDbWrite, usage.writeUnits),
    'DynamoDB reads': dollars(PRICES.dynamoDbRead, usage.readUnits),
    'CloudWatch Logs': dollars(PRICES.logsIngestion, usage.logBytes),
    'EventBridge': dollars(PRICES.eventBridgeCustomEvents, usage.events),
    'SQS': dollars(PRICES.sqsRequests, usage.sqsRequests),
    'X-Ray': dollars(PRICES.xrayTracesRecorded, usage.traces),
  };
}

export function total(breakdown: Breakdown): number {
  return SERVICES.reduce((sum, service) => sum + breakdown[service], 0);
}

/** Weighted sum of breakdowns. */
export function sumBreakdowns(parts: readonly { readonly breakdown: Breakdown; readonly weight: number }[]): Breakdown {
  const sum = (service: Service) => parts.reduce((subtotal, part) => subtotal + part.breakdown[service] * part.weight, 0);
  return Object.fromEntries(SERVICES.map((service) => [service, sum(service)])) as Breakdown;
}

/**
 * X-Ray's default sampling rule: the first request each second, then 5 %. At a
 * sustained rate well above 1 request/s (the rate a million updates a month is not:
 * 0.4/s, where nearly all would be traced), 5 % of requests and of stream batches.
 */
export const XRAY_SAMPLED_SHARE = 0.05;

/** One deployment variant of the construct, priced on the same measured traffic. */
export interface Variant {
  readonly name: string;
  /** What it changes, and what it gives up. */
  readonly note: string;
  /** `apiType`: which API Gateway API answers (and bills) each request. */
  readonly apiType: ApiKind;
  readonly handlerMemoryMb: number;
  readonly handlerArchitecture: Architecture;
  readonly processorMemoryMb: number;
  readonly processorArchitecture: Architecture;
  /** Lambda's START, END and REPORT lines reach CloudWatch Logs (not with the system log level WARN). */
  readonly handlerPlatformLogs: boolean;
  readonly processorPlatformLogs: boolean;
  /** `real_time_notifications`: status changes published to EventBridge. */
  readonly notifications: boolean;
  /** `eventRetention` set: event items carry the TTL attribute. */
  readonly eventRetention: boolean;
  /** `webAclArn` set: WAF inspects every request. */
  readonly webAcl: boolean;
}

/** What was measured for one kind of request on the construct's default stack. */
export interface KindFigures {
  readonly kind: RequestKind;
  readonly requests: number;
  /** Updates carried (batches: 100 per request). */
  readonly updates: number;
  /** Every DynamoDB call the handler made for these requests. */
  readonly calls: readonly DynamoCall[];
  /** Median Lambda duration of the handler per warm invocation, as measured (ms). */
  readonly handlerDurationMs: number;
  readonly handlerColdStarts: number;
  /** Means per request: the handler's own log lines, the access-log line in each API type's format. */
  readonly handlerLogBytes: number;
  readonly accessLogBytes: Readonly<Record<ApiKind, number>>;
  /** The seed design: its DynamoDB calls for these requests (undefined: it had no such route), its request log line (mean bytes). */
  readonly seedCalls?: readonly DynamoCall[];
  readonly seedLogBytes: number;
}

/** The stream processor, measured over the whole run. */
export interface ProcessorFigures {
  readonly invocations: number;
  readonly coldStarts: number;
  /** Stream records it was handed (state item writes). */
  readonly records: number;
  readonly durationMs: number;
  /** Mean bytes per invocation of its own lines other than "status change published". */
  readonly logBytesPerInvocation: number;
  /** Mean bytes of one "status change published" line. */
  readonly publishedLineBytes: number;
  readonly events: number;
  readonly deadLetters: number;
  /**
   * DynamoDB units of the processor's own calls over the run (counting deliveries:
   * a history query and the delivery record's write; a removed shipment's record
   * delete), shared by its records like its invocations.
   */
  readonly writeUnits: number;
  readonly readUnits: number;
}

export interface ModelContext {
  readonly table: TableDefinition;
  readonly seedTable: TableDefinition;
  readonly isState: (item: Item) => boolean;
  readonly isEvent: (item: Item) => boolean;
  readonly processor: ProcessorFigures;
}

/** The TTL attribute `eventRetention` adds to each event item: epoch seconds, 10 digits. */
const TTL_ATTRIBUTE = { expires_at: { N: '1798761600' } };

export function unitsFor(figures: KindFigures, variant: Variant, context: ModelContext): DynamoUnits {
  const transform = variant.eventRetention ? (item: Item) => (context.isEvent(item) ? { ...item, ...TTL_ATTRIBUTE } : item) : undefined;
  return dynamoUnits(figures.calls, context.table, { transform, isState: context.isState });
}

function gbSeconds(durationMs: number, memoryMb: number): number {
  return (Math.max(1, Math.ceil(durationMs)) / 1000) * (memoryMb / 1024);
}

function platformBytes(durationMs: number, memoryMb: number, traced: boolean, written = true): number {
  if (!written) return 0;
  if (!traced) return platformLogBytes({ durationMs, memoryMb, sampled: false });
  return (1 - XRAY_SAMPLED_SHARE) * platformLogBytes({ durationMs, memoryMb, sampled: false })
    + XRAY_SAMPLED_SHARE * platformLogBytes({ durationMs, memoryMb, sampled: true });
}

/** What one request of a kind uses on a variant of the construct (its share of the stream processor included). */
export function constructUsage(figures: KindFigures, variant: Variant, context: ModelContext): Usage {
  const units = unitsFor(figures, variant, context);
  const perRequest = (n: number) => n / figures.requests;
  const processor = context.processor;
  // Each state write is one stream record; the processor's invocations are shared by the records of a batch.
  const records = perRequest(units.stateWrites);
  const statusChanges = perRequest(units.statusChanges);
  const perRecord = (runTotal: number) => (processor.records > 0 ? runTotal / processor.records : 0);
  const invocationsPerRecord = perRecord(processor.invocations);
  const processorInvocations = records * invocationsPerRecord;
  const gb = {
    arm64: 0,
    x86_64: 0,
  };
  gb[variant.handlerArchitecture] += gbSeconds(figures.handlerDurationMs, variant.handlerMemoryMb);
  gb[variant.processorArchitecture] += processorInvocations * gbSeconds(processor.durationMs, variant.processorMemoryMb);
  const processorPlatformBytes = platformBytes(processor.durationMs, variant.processorMemoryMb, true, variant.processorPlatformLogs);
  const logBytes = figures.handlerLogBytes
    + platformBytes(figures.handlerDurationMs, variant.handlerMemoryMb, true, variant.handlerPlatformLogs)
    + figures.accessLogBytes[variant.apiType]
    + processorInvocations * (processor.logBytesPerInvocation + processorPlatformBytes)
    + (variant.notifications ? statusChanges * processor.publishedLineBytes : 0);
  return {
    apiRestRequests: variant.apiType === 'REST' ? 1 : 0,
    apiHttpRequests: variant.apiType === 'HTTP' ? 1 : 0,
    wafRequests: variant.webAcl ? 1 : 0,
    lambdaInvocations: 1 + processorInvocations,
    gbSecondsArm64: gb.arm64,
    gbSecondsX86: gb.x86_64,
    writeUnits: perRequest(units.writeUnits) + records * perRecord(processor.writeUnits),
    readUnits: perRequest(units.readUnits) + records * perRecord(processor.readUnits),
    logBytes,
    events: variant.notifications ? statusChanges : 0,
    sqsRequests: processor.records > 0 ? records * (processor.deadLetters / processor.records) : 0,
    traces: XRAY_SAMPLED_SHARE * (1 + processorInvocations),
  };
}

/** The seed's function: Lambda on x86_64 with 512 MB, REST API, no tracing, no access logs, no events. */
export const SEED_LAMBDA = { memoryMb: 512, architecture: 'x86_64' as Architecture };

/**
 * What one request of a kind used on the seed design, or undefined where it had no
 * such route. Its function's duration is taken to be the construct's handler's for
 * the same request (see the README: both make two round trips per update, the seed
 * an SSM read and a put).
 */
export function seedUsage(figures: KindFigures, context: ModelContext): Usage | undefined {
  if (!figures.seedCalls) return undefined;
  const units = dynamoUnits(figures.seedCalls, context.seedTable);
  const seconds = gbSeconds(figures.handlerDurationMs, SEED_LAMBDA.memoryMb);
  return {
    apiRestRequests: 1,
    apiHttpRequests: 0,
    wafRequests: 0,
    lambdaInvocations: 1,
    gbSecondsArm64: SEED_LAMBDA.architecture === 'arm64' ? seconds : 0,
    gbSecondsX86: SEED_LAMBDA.architecture === 'x86_64' ? seconds : 0,
    writeUnits: units.writeUnits / figures.requests,
    readUnits: units.readUnits / figures.requests,
    logBytes: figures.seedLogBytes + platformBytes(figures.handlerDurationMs, SEED_LAMBDA.memoryMb, false),
    events: 0,
    sqsRequests: 0,
    traces: 0,
  };
}
