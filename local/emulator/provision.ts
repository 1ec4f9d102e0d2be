import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { LocalTemplate, QueueSpec } from '../assembly/template';
import type { LocalCredentials } from '../gateway/sigv4';

/**
 * Creates the template's stateful resources on the emulator, from the template's
 * own properties (see template.ts): tables, parameters, queues, event buses and
 * the rules that deliver from them to the queues.
 * Everything else (roles, log groups, alarms, the dashboard) has no behaviour
 * the local runtime needs.
 */

export interface ProvisionOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
}

export interface Provisioned {
  readonly tables: readonly string[];
  readonly parameters: readonly string[];
  readonly queues: readonly string[];
  readonly eventBuses: readonly string[];
  readonly rules: readonly string[];
}

/** Queues in an order where every dead-letter target exists before the queue that names it. */
function inDependencyOrder(queues: readonly QueueSpec[]): QueueSpec[] {
  const ordered: QueueSpec[] = [];
  const visit = (queue: QueueSpec, path: string[]) => {
    if (ordered.includes(queue)) return;
    if (path.includes(queue.name)) throw new Error(`queues ${path.join(' → ')} name each other as dead-letter queues`);
    for (const name of queue.dependsOn) {
      const target = queues.find((candidate) => candidate.name === name);
      if (target) visit(target, [...path, queue.name]);
    }
    ordered.push(queue);
  };
  for (const queue of queues) visit(queue, []);
  return ordered;
}

export async function provision(template: LocalTemplate, options: ProvisionOptions): Promise<Provisioned> {
  const config = { endpoint: options.endpoint, region: options.region, credentials: options.credentials, maxAttempts: 2 };
  const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw new Error(`creating ${what} on the emulator failed: ${(error as Error).name}: ${(error as Error).message}`);
    }
  };

  const dynamodb = new DynamoDBClient(config);
  const ssm = new SSMClient(config);
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  try {
    for (const table of template.tables) {
      await step(`table ${table.name} (${table.logicalId})`, () => dynamodb.send(new CreateTableCommand(table.createTable)));
      if (table.timeToLiveAttribute) {
        // Stored by moto, never applied (see shared/notes/moto.md).
        await step(`the TTL of ${table.name}`, () => dynamodb.send(new UpdateTimeToLiveCommand({
          TableName: table.name,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        })));
      }
    }
    for (const parameter of template.parameters) {
      await step(`parameter ${parameter.name} (${parameter.logicalId})`, () => ssm.send(new PutParameterCommand({
        Name: parameter.name,
        Type: parameter.type as 'String' | 'StringList',
        Value: parameter.value,
        Description: parameter.description,
        AllowedPattern: parameter.allowedPattern,
        DataType: parameter.dataType,
      })));
    }
    for (const queue of inDependencyOrder(template.queues)) {
      await step(`queue ${queue.name} (${queue.logicalId})`, () => sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: queue.attributes })));
    }
    for (const bus of template.eventBuses) {
      // Every account already has the bus named `default`.
      if (bus.name === 'default') continue;
      await step(`event bus ${bus.name} (${bus.logicalId})`, () => events.send(new CreateEventBusCommand({ Name: bus.name, Description: bus.description })));
    }
    for (const rule of template.rules) {
      await step(`rule ${rule.name} (${rule.logicalId})`, () => events.send(new PutRuleCommand({
        Name: rule.name,
        EventBusName: rule.eventBusName,
        EventPattern: rule.eventPattern,
        Description: rule.description,
        State: 'ENABLED',
      })));
      if (rule.targets.length === 0) continue;
      await step(`the targets of rule ${rule.name}`, () => events.send(new PutTargetsCommand({
        Rule: rule.name,
        EventBusName: rule.eventBusName,
        Targets: rule.targets.map((target) => ({
          Id: target.id,
          Arn: target.arn,
          Input: target.input,
          InputPath: target.inputPath,
          InputTransformer: target.inputTransformer,
          SqsParameters: target.sqsParameters,
        })),
      })));
    }
  } finally {
    for (const client of [dynamodb, ssm, sqs, events]) client.destroy();
  }
  return {
    tables: template.tables.map((table) => table.name),
    parameters: template.parameters.map((parameter) => parameter.name),
    queues: template.queues.map((queue) => queue.name),
    eventBuses: template.eventBuses.map((bus) => bus.name),
    rules: template.rules.map((rule) => rule.name),
  };
}
