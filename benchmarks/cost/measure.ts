/**
 * Sorts what a run recorded into figures per kind of request: the DynamoDB calls
 * (by trace id), the handler's REPORT durations and log lines, the access-log
 * line each request makes, and the seed design's calls and log line for the same
 * request; and the stream processor's figures over the whole run.
 */
import { accessLogLine } from './access-log';
import type { ApiKind, KindFigures, ProcessorFigures } from './cost-model';
import type { SentRequest } from './driver';
import { FunctionLogs, linesBytes, Report } from './lambda-logs';
import type { DynamoCall } from './recorder';
import { seedCalls, seedRequestLogLine } from './seed';
import { REQUEST_KINDS, RequestKind } from './traffic';

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Warm invocations' durations, or every one when all were cold. */
function warmDurations(reports: readonly Report[]): number[] {
  const warm = reports.filter((report) => report.initMs === undefined);
  return (warm.length > 0 ? warm : reports).map((report) => report.durationMs);
}

export interface KindInput {
  readonly sent: readonly SentRequest[];
  readonly calls: readonly DynamoCall[];
  readonly logs: FunctionLogs;
  /** The access-log format of each API type's stage. */
  readonly accessLogFormats: Readonly<Record<ApiKind, string>>;
  readonly stage: string;
}

export function kindFigures(input: KindInput): KindFigures[] {
  const callsByTrace = new Map<string, DynamoCall[]>();
  for (const call of input.calls) {
    if (!call.trace) continue;
    callsByTrace.set(call.trace, [...(callsByTrace.get(call.trace) ?? []), call]);
  }
  const seed = seedCalls(input.sent);
  const sentKinds = new Set(input.sent.map((request) => request.planned.kind));
  const kinds = REQUEST_KINDS.filter((kind) => sentKinds.has(kind));
  return kinds.map((kind: RequestKind) => {
    const indexes = input.sent.flatMap((request, i) => (request.planned.kind === kind ? [i] : []));
    const requests = indexes.map((i) => input.sent[i]);
    const reports = requests.flatMap((request) => {
      const report = input.logs.reports.get(request.requestId);
      return report ? [report] : [];
    });
    const seedOfKind = indexes.map((i) => seed[i]);
    return {
      kind,
      requests: requests.length,
      updates: requests.reduce((sum, request) => sum + request.planned.updates, 0),
      calls: requests.flatMap((request) => callsByTrace.get(request.trace) ?? []),
      handlerDurationMs: median(warmDurations(reports)),
      handlerColdStarts: reports.filter((report) => report.initMs !== undefined).length,
      handlerLogBytes: mean(requests.map((request) => linesBytes(request.handlerLines))),
      accessLogBytes: accessLogBytesOf(requests, input.accessLogFormats),
      seedCalls: seedOfKind.every((calls) => calls !== undefined) ? seedOfKind.flatMap((calls) => calls!) : undefined,
      seedLogBytes: mean(requests.map((request) => linesBytes([seedRequestLogLine(request, input.stage)]))),
    };
  });
}

/** Mean bytes of the requests' access-log lines in each API type's format. */
function accessLogBytesOf(requests: readonly SentRequest[], formats: Readonly<Record<ApiKind, string>>): Record<ApiKind, number> {
  const bytes = (format: string) => mean(requests.map((request) => linesBytes([accessLogLine(format, {
    requestId: request.requestId,
    httpMethod: request.planned.method,
    resourcePath: request.planned.path,
    status: request.status,
    responseLength: request.responseBytes,
    requestTimeEpochMs: request.sentAtMs,
  })])));
  return { REST: bytes(formats.REST), HTTP: bytes(formats.HTTP) };
}

export interface ProcessorInput {
  readonly logs: FunctionLogs;
  /** Request ids of the API's invocations: every other REPORT line is the processor's. */
  readonly apiRequestIds: ReadonlySet<string>;
  readonly records: number;
  readonly events: number;
  readonly deadLetters: number;
  /** DynamoDB units of the processor's own calls (those no API request's trace id names). */
  readonly units: { readonly writeUnits: number; readonly readUnits: number };
}

const PUBLISHED = '"message":"status change published"';

export function processorFigures(input: ProcessorInput): ProcessorFigures {
  const reports = [...input.logs.reports.values()].filter((report) => !input.apiRequestIds.has(report.requestId));
  const published = input.logs.processorLines.filter((line) => line.includes(PUBLISHED));
  const other = input.logs.processorLines.filter((line) => !line.includes(PUBLISHED));
  return {
    invocations: reports.length,
    coldStarts: reports.filter((report) => report.initMs !== undefined).length,
    records: input.records,
    durationMs: median(warmDurations(reports)),
    logBytesPerInvocation: reports.length > 0 ? linesBytes(other) / reports.length : 0,
    publishedLineBytes: published.length > 0 ? linesBytes(published) / published.length : 0,
    events: input.events,
    deadLetters: input.deadLetters,
    writeUnits: input.units.writeUnits,
    readUnits: input.units.readUnits,
  };
}
