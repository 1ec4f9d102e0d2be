import { IntrinsicResolver, TemplateError } from './intrinsics';
import type { QueueSpec } from './template';
import { API_DESTINATION_ARN } from './webhooks';

/**
 * EventBridge rules, read for moto: moto matches a rule's pattern and delivers to
 * SQS targets inside the PutEvents call, so a rule whose targets are the
 * template's queues behaves locally as on AWS. What moto would get wrong is left
 * out, with a start-up warning, rather than created:
 *
 * - targets other than SQS queues: a Lambda, SNS or Step Functions target makes
 *   moto's PutEvents fail (HTTP 500) for *every* event on the bus;
 * - SQS targets that are not queues of this template (nothing would receive them);
 * - DISABLED rules: moto delivers to them anyway.
 *
 * API destination targets (webhooks) are read, and delivered, apart: see
 * template-webhooks.ts.
 *
 * moto ignores a target's `Input` and `InputPath` (the queue gets the whole event):
 * such a target is kept, with a warning. `InputTransformer` works.
 */

export interface RuleTargetSpec {
  readonly id: string;
  readonly arn: string;
  /** The queue (logical id) the target delivers to. */
  readonly queueLogicalId: string;
  /** PutTargets' optional fields, as the template has them. */
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: { readonly InputPathsMap?: Record<string, string>; readonly InputTemplate: string };
  readonly sqsParameters?: { readonly MessageGroupId?: string };
}

export interface RuleSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly eventBusName: string;
  readonly description?: string;
  /** The pattern as JSON (PutRule's form). */
  readonly eventPattern: string;
  readonly targets: readonly RuleTargetSpec[];
}

export function readRules(
  ids: readonly string[],
  resolver: IntrinsicResolver,
  queues: readonly QueueSpec[],
  notServed: string[],
  warnings: string[],
): RuleSpec[] {
  const rules: RuleSpec[] = [];
  for (const id of ids) {
    const props = resolver.properties(id);
    const where = `Resources.${id}.Properties`;
    // Schedules are template-schedules.ts's: the runtime invokes their functions itself.
    if (props.ScheduleExpression !== undefined && props.EventPattern === undefined) continue;
    if (props.EventPattern === undefined) {
      notServed.push(`${id} (a rule without an event pattern or a schedule)`);
      continue;
    }
    if (props.State !== undefined && props.State !== 'ENABLED') {
      notServed.push(`${id} (State ${props.State}: moto would deliver to a disabled rule anyway)`);
      continue;
    }
    const eventPattern = typeof props.EventPattern === 'string' ? props.EventPattern : JSON.stringify(props.EventPattern);
    try {
      JSON.parse(eventPattern);
    } catch (error) {
      throw new TemplateError(`${where}.EventPattern: not valid JSON (${(error as Error).message})`);
    }

    const targets: RuleTargetSpec[] = [];
    for (const [i, target] of ((props.Targets ?? []) as Record<string, any>[]).entries()) {
      const arn = String(target.Arn);
      const label = `target ${target.Id ?? i} of rule ${id} (${arn})`;
      if (API_DESTINATION_ARN.test(arn)) continue;
      if (!/^arn:[^:]+:sqs:/.test(arn)) {
        warnings.push(`${label} is not an SQS queue: skipped (moto's PutEvents fails on Lambda, SNS and Step Functions targets)`);
        continue;
      }
      const queue = queues.find((candidate) => candidate.arn === arn);
      if (!queue) {
        warnings.push(`${label} is not a queue of this template: skipped`);
        continue;
      }
      if (target.Input !== undefined || target.InputPath !== undefined) {
        warnings.push(`${label} has Input or InputPath, which moto ignores: the queue receives the whole event`);
      }
      targets.push({
        id: String(target.Id),
        arn,
        queueLogicalId: queue.logicalId,
        input: target.Input,
        inputPath: target.InputPath,
        inputTransformer: target.InputTransformer,
        sqsParameters: target.SqsParameters,
      });
    }
    rules.push({
      logicalId: id,
      name: resolver.ruleName(id),
      eventBusName: resolver.ruleBusName(id),
      description: props.Description,
      eventPattern,
      targets,
    });
  }
  return rules;
}
