import { randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { ScheduleSpec } from '../assembly/schedules';
import type { InvokeOptions, InvokeOutcome } from '../functions/workers';

/**
 * Scheduled rules, run by the local runtime itself: each ENABLED `rate()` schedule
 * invokes its functions at its rate while the runtime runs (as EventBridge would,
 * with the same "Scheduled Event"), and any schedule runs on demand:
 *
 *   POST /_local/schedules/<rule name or logical id>
 *
 * (unsigned, beside the stages like /openapi.json) answers with each target's
 * outcome, e.g. the stall sweep's report — so a test, or a developer with curl,
 * does not wait an hour for a sweep.
 */

export const SCHEDULES_PATH = '/_local/schedules/';

export interface ScheduleTargetRun {
  readonly target: string;
  readonly functionLogicalId: string;
  readonly outcome: InvokeOutcome;
}

export interface SchedulesOptions {
  readonly schedules: readonly ScheduleSpec[];
  readonly accountId: string;
  readonly region: string;
  readonly invoke: (functionLogicalId: string, event: unknown, options: InvokeOptions) => Promise<InvokeOutcome>;
  readonly log: (line: string) => void;
}

export class Schedules {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: SchedulesOptions) {}

  /** Starts the timers of the enabled rate() schedules. */
  public start(): void {
    for (const schedule of this.options.schedules) {
      if (!schedule.enabled || schedule.rateMs === undefined) continue;
      const timer = setInterval(() => {
        this.run(schedule.logicalId).catch((error) => this.options.log(`schedule ${schedule.name}: ${(error as Error).message}`));
      }, schedule.rateMs);
      // A schedule never keeps the process alive on its own.
      timer.unref();
      this.timers.push(timer);
    }
  }

  public stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  /** The schedule with this rule name or logical id. */
  public find(nameOrLogicalId: string): ScheduleSpec | undefined {
    return this.options.schedules.find((schedule) => schedule.name === nameOrLogicalId || schedule.logicalId === nameOrLogicalId);
  }

  /** Runs a schedule now: every target is invoked with the scheduled event (or its constant Input), one after another. */
  public async run(nameOrLogicalId: string): Promise<ScheduleTargetRun[]> {
    const schedule = this.find(nameOrLogicalId);
    if (!schedule) throw new Error(`no schedule named ${nameOrLogicalId}; the template's are: ${this.names().join(', ') || 'none'}`);
    const runs: ScheduleTargetRun[] = [];
    for (const target of schedule.targets) {
      const event = target.input !== undefined ? JSON.parse(target.input) : this.scheduledEvent(schedule);
      const outcome = await this.options.invoke(target.functionLogicalId, event, { requestId: randomUUID() });
      this.options.log(`schedule ${schedule.name} → ${target.functionLogicalId}: ${outcome.kind}`);
      runs.push({ target: target.id, functionLogicalId: target.functionLogicalId, outcome });
    }
    return runs;
  }

  public names(): string[] {
    return this.options.schedules.map((schedule) => schedule.name);
  }

  /** Whether this request is a run-on-demand request. */
  public matches(request: IncomingMessage): boolean {
    return (request.url ?? '').startsWith(SCHEDULES_PATH);
  }

  public serve(request: IncomingMessage, response: ServerResponse): void {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json', ...(status === 405 ? { Allow: 'POST' } : {}) });
      response.end(JSON.stringify(body));
    };
    // Drain the body (none is expected) so the connection can be reused.
    request.resume();
    if (request.method !== 'POST') return answer(405, { message: `POST ${SCHEDULES_PATH}<schedule> runs a schedule` });
    const name = decodeURIComponent((request.url ?? '').slice(SCHEDULES_PATH.length).split('?')[0]);
    if (!this.find(name)) return answer(404, { message: `no schedule named ${name}`, schedules: this.names() });
    this.run(name).then(
      (runs) => answer(200, {
        schedule: this.find(name)!.name,
        results: runs.map((run) => ({
          target: run.target,
          outcome: run.outcome.kind,
          ...(run.outcome.kind === 'result' ? { payload: parsePayload(run.outcome.payload) } : {}),
          ...(run.outcome.kind === 'error' ? { errorType: run.outcome.errorType, errorMessage: run.outcome.errorMessage } : {}),
        })),
      }),
      (error) => answer(500, { message: (error as Error).message }),
    );
  }

  /** EventBridge's "Scheduled Event" for this rule (its time has whole seconds, as EventBridge's does). */
  private scheduledEvent(schedule: ScheduleSpec): Record<string, unknown> {
    return {
      'version': '0',
      'id': randomUUID(),
      'detail-type': 'Scheduled Event',
      'source': 'aws.events',
      'account': this.options.accountId,
      'time': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'region': this.options.region,
      'resources': [schedule.arn],
      'detail': {},
    };
  }
}

function parsePayload(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}
