import { IntrinsicResolver, TemplateError } from './intrinsics';
import type { FunctionSpec } from './template';

/**
 * Scheduled EventBridge rules (`ScheduleExpression`) whose targets are functions of
 * the template: the local runtime invokes them itself (moto runs no schedules), at
 * their rate while it runs and on demand (schedules.ts). Targets that are not
 * functions of this template are reported as not served.
 */

export interface ScheduleTargetSpec {
  readonly id: string;
  readonly functionLogicalId: string;
  /** A constant `Input` (JSON) the target sends instead of the scheduled event. */
  readonly input?: string;
}

export interface ScheduleSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** As the template has it: `rate(1 hour)`, `cron(...)`. */
  readonly expression: string;
  /** The period of a `rate()` expression; undefined for `cron()`, which runs on demand only. */
  readonly rateMs?: number;
  /** Whether the rule is ENABLED (a disabled one runs on demand only, as a test may still want it). */
  readonly enabled: boolean;
  readonly targets: readonly ScheduleTargetSpec[];
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The period of `rate(N unit)`, or undefined for any other expression. */
export function rateMilliseconds(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (!match || Number(match[1]) < 1) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
}

export function readSchedules(
  ids: readonly string[],
  resolver: IntrinsicResolver,
  functions: ReadonlyMap<string, FunctionSpec>,
  notServed: string[],
): ScheduleSpec[] {
  const schedules: ScheduleSpec[] = [];
  for (const id of ids) {
    const props = resolver.properties(id);
    if (props.ScheduleExpression === undefined) continue;
    const expression = String(props.ScheduleExpression);
    const targets: ScheduleTargetSpec[] = [];
    for (const [i, target] of ((props.Targets ?? []) as Record<string, any>[]).entries()) {
      const arn = String(target.Arn);
      const fn = [...functions.values()].find((candidate) => candidate.arn === arn);
      if (!fn) {
        notServed.push(`target ${target.Id ?? i} of schedule ${id} (${arn}): only functions of this template are invoked locally`);
        continue;
      }
      if (target.Input !== undefined && typeof target.Input !== 'string') {
        throw new TemplateError(`Resources.${id}.Properties.Targets[${i}].Input must be a JSON string`);
      }
      targets.push({ id: String(target.Id ?? i), functionLogicalId: fn.logicalId, input: target.Input });
    }
    if (targets.length === 0) continue;
    const rateMs = rateMilliseconds(expression);
    if (rateMs === undefined) notServed.push(`${id} on its schedule (${expression}: only rate() runs by itself locally; it runs on demand)`);
    schedules.push({
      logicalId: id,
      name: resolver.ruleName(id),
      arn: String(resolver.getAtt(id, 'Arn', `Resources.${id}`)),
      expression,
      rateMs,
      enabled: props.State === undefined || props.State === 'ENABLED',
      targets,
    });
  }
  return schedules;
}
