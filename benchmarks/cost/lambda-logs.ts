/**
 * What the functions write to CloudWatch Logs, and how long they ran: the local
 * runtime's worker pools print every line a function writes (prefixed with
 * `[<function name>#<worker>]`) and Lambda-style `START` / `REPORT` lines
 * (local/functions/workers.ts). This module sorts those lines by function and invocation,
 * and renders the platform lines Lambda itself adds to every invocation's log.
 */

export interface Report {
  readonly requestId: string;
  readonly durationMs: number;
  /** Present on an execution environment's first invocation. */
  readonly initMs?: number;
}

const REPORT_LINE = /^REPORT RequestId: (\S+) Duration: ([0-9.]+) ms(?: Init Duration: ([0-9.]+) ms)?/;
const FUNCTION_LINE = /^\[(.+)#\d+\] (.*)$/;

/** A REPORT line of the local runtime, or undefined. */
export function parseReport(line: string): Report | undefined {
  const match = REPORT_LINE.exec(line);
  if (!match) return undefined;
  return { requestId: match[1], durationMs: Number(match[2]), ...(match[3] ? { initMs: Number(match[3]) } : {}) };
}

/** Lambda bills the duration rounded up to the next millisecond. */
export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export interface PlatformLineOptions {
  readonly durationMs: number;
  readonly memoryMb: number;
  /** Whether X-Ray sampled the invocation (Lambda then adds an XRAY line). */
  readonly sampled: boolean;
}

/**
 * The bytes of the lines Lambda writes around every invocation in its default
 * text log format: START, END and REPORT (plus XRAY when the invocation was
 * traced), with a 36-character request id, e.g.
 *
 *     START RequestId: 3f1c…e9 Version: $LATEST
 *     END RequestId: 3f1c…e9
 *     REPORT RequestId: 3f1c…e9	Duration: 12.34 ms	Billed Duration: 13 ms	Memory Size: 512 MB	Max Memory Used: 98 MB
 *     XRAY TraceId: 1-…	SegmentId: …	Sampled: true
 */
export function platformLogBytes(options: PlatformLineOptions): number {
  const requestId = '3f1c2a7e-5b8d-4c61-9f0a-2d7e8b4c91e9';
  const lines = [
    `START RequestId: ${requestId} Version: $LATEST`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${options.durationMs.toFixed(2)} ms\tBilled Duration: ${billedMs(options.durationMs)} ms\t`
      + `Memory Size: ${options.memoryMb} MB\tMax Memory Used: 98 MB\t`,
  ];
  const xray = 'XRAY TraceId: 1-674c8a1e-5f0b2c3d4e5f6a7b8c9d0e1f\tSegmentId: 6b7c8d9e0f1a2b3c\tSampled: true\t';
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  return options.sampled ? bytes + Buffer.byteLength(xray) + 1 : bytes;
}

/**
 * Sorts the runtime's lines: REPORT lines by request id, the handler's own lines
 * to the request being sent (the benchmark sends one request at a time), the
 * stream processor's to its total.
 */
export class FunctionLogs {
  public readonly reports = new Map<string, Report>();
  public readonly processorLines: string[] = [];
  /** Handler lines printed while no request was being sent (there should be none). */
  public strayHandlerLines = 0;
  private current?: string[];

  constructor(private readonly handlerName: string, private readonly processorName: string, private readonly sink?: (line: string) => void) {}

  public readonly line = (line: string): void => {
    this.sink?.(line);
    const report = parseReport(line);
    if (report) {
      this.reports.set(report.requestId, report);
      return;
    }
    const own = FUNCTION_LINE.exec(line);
    if (!own) return;
    if (own[1] === this.handlerName) {
      if (this.current) this.current.push(own[2]);
      else this.strayHandlerLines++;
    } else if (own[1] === this.processorName) {
      this.processorLines.push(own[2]);
    }
  };

  /** Starts collecting the handler's lines for the next request. */
  public begin(): void {
    this.current = [];
  }

  /** The handler's lines since `begin()`. */
  public end(): string[] {
    const lines = this.current ?? [];
    this.current = undefined;
    return lines;
  }
}

/** The bytes a list of log lines takes as CloudWatch log events (UTF-8, one newline each). */
export function linesBytes(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
}
