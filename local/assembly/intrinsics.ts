import { createHash } from 'crypto';
import type { CfnResource, CfnTemplate } from './cloud-assembly';

/**
 * Resolves CloudFormation intrinsic functions against the *local* resources:
 * what `Ref` and `Fn::GetAtt` would return once each resource exists on the
 * emulator. Names are deterministic (CloudFormation adds a random suffix; the
 * local runtime needs none, and stable names make logs and tests readable).
 */

/** The account moto answers for; ARNs built here must agree with the ones moto builds. */
export const LOCAL_ACCOUNT_ID = '123456789012';
export const LOCAL_REGION = 'us-east-1';

export interface ResolveContext {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  /** The emulator's endpoint: SQS queue URLs point at it. */
  readonly emulatorEndpoint: string;
}

/** Thrown for a template the local runtime cannot serve; names where and why. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** `AWS::NoValue`: the property is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/** A short id shaped like API Gateway's (10 lowercase alphanumerics), stable per logical id. */
export function shortId(seed: string, length = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[digest[i] % alphabet.length];
  return id;
}

/** The physical name CloudFormation would generate, minus its random suffix, within `max` characters. */
function generatedName(stackName: string, logicalId: string, max: number): string {
  return `${stackName}-${logicalId}`.slice(0, max);
}

/** A bus name from a name or an event-bus ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`). */
export function eventBusNameOf(nameOrArn: string): string {
  const match = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return match ? match[1] : nameOrArn;
}

export class IntrinsicResolver {
  private readonly resources: Record<string, CfnResource>;
  private readonly conditionValues = new Map<string, boolean>();

  constructor(private readonly template: CfnTemplate, readonly context: ResolveContext) {
    this.resources = template.Resources ?? {};
  }

  /** Whether a resource exists under the template's conditions. */
  public isDeployed(logicalId: string): boolean {
    const condition = this.resources[logicalId]?.Condition;
    return condition === undefined || this.condition(condition, `Resources.${logicalId}.Condition`);
  }

  /** `value` with every intrinsic function replaced by its local value. */
  public resolve(value: unknown, where: string): any {
    const resolved = this.resolveAny(value, where);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** A resource's properties, resolved. */
  public properties(logicalId: string): Record<string, any> {
    return this.resolve(this.resources[logicalId]?.Properties ?? {}, `Resources.${logicalId}.Properties`);
  }

  /** What `Ref` returns for a resource. */
  public ref(logicalId: string, where: string): string {
    const resource = this.resources[logicalId];
    if (!resource) throw new TemplateError(`${where}: Ref to ${logicalId}, which is neither a resource nor a parameter`);
    const props = resource.Properties ?? {};
    const { stackName } = this.context;
    const named = (property: string, max: number) =>
      (props[property] !== undefined ? String(this.resolve(props[property], `Resources.${logicalId}.Properties.${property}`)) : generatedName(stackName, logicalId, max));
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return named('TableName', 255);
      case 'AWS::SSM::Parameter':
        return props.Name !== undefined ? named('Name', 2048) : `CFN-${logicalId}`;
      case 'AWS::Lambda::Function':
        return named('FunctionName', 64);
      case 'AWS::SQS::Queue':
        return `${this.context.emulatorEndpoint}/${this.context.accountId}/${this.queueName(logicalId)}`;
      case 'AWS::Events::EventBus':
        return named('Name', 256);
      case 'AWS::Events::Rule': {
        // A rule on a custom bus is referred to as `<bus>|<rule>`.
        const bus = this.ruleBusName(logicalId);
        return bus === 'default' ? this.ruleName(logicalId) : `${bus}|${this.ruleName(logicalId)}`;
      }
      case 'AWS::ApiGateway::Stage':
      case 'AWS::ApiGatewayV2::Stage':
        return named('StageName', 128);
      // HTTP API ids are API Gateway-generated short ids too.
      case 'AWS::ApiGatewayV2::Api':
      case 'AWS::ApiGatewayV2::Integration':
      case 'AWS::ApiGatewayV2::Route':
      case 'AWS::ApiGatewayV2::Authorizer':
        return shortId(`${resource.Type}/${logicalId}`);
      case 'AWS::ApiGateway::Model':
        return props.Name !== undefined ? named('Name', 128) : logicalId;
      case 'AWS::ApiGateway::RestApi':
      case 'AWS::ApiGateway::Resource':
      case 'AWS::ApiGateway::Deployment':
      case 'AWS::ApiGateway::RequestValidator':
        return shortId(`${resource.Type}/${logicalId}`);
      default:
        return generatedName(stackName, logicalId, 255);
    }
  }

  public queueName(logicalId: string): string {
    const props = this.resources[logicalId]?.Properties ?? {};
    if (props.QueueName !== undefined) return String(this.resolve(props.QueueName, `Resources.${logicalId}.Properties.QueueName`));
    const fifo = this.resolve(props.FifoQueue, `Resources.${logicalId}.Properties.FifoQueue`);
    const base = generatedName(this.context.stackName, logicalId, fifo ? 75 : 80);
    return fifo ? `${base}.fifo` : base;
  }

  public ruleName(logicalId: string): string {
    const props = this.resources[logicalId]?.Properties ?? {};
    if (props.Name !== undefined) return String(this.resolve(props.Name, `Resources.${logicalId}.Properties.Name`));
    return generatedName(this.context.stackName, logicalId, 64);
  }

  /** The name of the bus a rule is on (`EventBusName` may be a name or an ARN; none is the default bus). */
  public ruleBusName(logicalId: string): string {
    const bus = this.resources[logicalId]?.Properties?.EventBusName;
    if (bus === undefined) return 'default';
    return eventBusNameOf(String(this.resolve(bus, `Resources.${logicalId}.Properties.EventBusName`)));
  }

  /** What `Fn::GetAtt` returns. */
  public getAtt(logicalId: string, attribute: string, where: string): unknown {
    const resource = this.resources[logicalId];
    if (!resource) throw new TemplateError(`${where}: Fn::GetAtt on ${logicalId}, which is not a resource`);
    const { region, accountId } = this.context;
    const ref = () => this.ref(logicalId, where);
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::DynamoDB::Table.Arn':
      case 'AWS::DynamoDB::GlobalTable.Arn':
        return `arn:aws:dynamodb:${region}:${accountId}:table/${ref()}`;
      case 'AWS::DynamoDB::Table.StreamArn':
      case 'AWS::DynamoDB::GlobalTable.StreamArn':
        // DynamoDB labels a stream with its creation time; a fixed label stands in for it.
        return `arn:aws:dynamodb:${region}:${accountId}:table/${ref()}/stream/1970-01-01T00:00:00.000`;
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${region}:${accountId}:function:${ref()}`;
      case 'AWS::SQS::Queue.Arn':
        return `arn:aws:sqs:${region}:${accountId}:${this.queueName(logicalId)}`;
      case 'AWS::SQS::Queue.QueueName':
        return this.queueName(logicalId);
      case 'AWS::SQS::Queue.QueueUrl':
        return ref();
      case 'AWS::Events::EventBus.Arn':
        return `arn:aws:events:${region}:${accountId}:event-bus/${ref()}`;
      case 'AWS::Events::EventBus.Name':
        return ref();
      case 'AWS::Events::Rule.Arn': {
        const bus = this.ruleBusName(logicalId);
        return `arn:aws:events:${region}:${accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${this.ruleName(logicalId)}`;
      }
      case 'AWS::SSM::Parameter.Type':
      case 'AWS::SSM::Parameter.Value':
        return this.resolve(resource.Properties?.[attribute], `Resources.${logicalId}.Properties.${attribute}`);
      case 'AWS::ApiGateway::RestApi.RootResourceId':
        return shortId(`AWS::ApiGateway::RestApi/${logicalId}/root`);
      default: {
        // Any other attribute: an ARN-shaped or name-shaped stand-in, enough for
        // environment variables and policies that are never evaluated locally.
        const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
        const kind = resource.Type.split('::')[2]?.toLowerCase() ?? 'resource';
        return attribute.endsWith('Arn')
          ? `arn:aws:${service}:${region}:${accountId}:${kind}/${ref()}`
          : `${ref()}-${attribute}`;
      }
    }
  }

  private pseudo(name: string, where: string): unknown {
    const { region, accountId, stackName } = this.context;
    switch (name) {
      case 'AWS::Region': return region;
      case 'AWS::AccountId': return accountId;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return stackName;
      case 'AWS::StackId': return `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${shortId(stackName, 8)}`;
      case 'AWS::NotificationARNs': return [];
      case 'AWS::NoValue': return NO_VALUE;
      default: throw new TemplateError(`${where}: unknown pseudo parameter ${name}`);
    }
  }

  private refAny(name: string, where: string): unknown {
    if (name.startsWith('AWS::')) return this.pseudo(name, where);
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined) throw new TemplateError(`${where}: Ref to template parameter ${name}, which has no Default`);
      return parameter.Default;
    }
    return this.ref(name, where);
  }

  private condition(name: string, where: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new TemplateError(`${where}: unknown condition ${name}`);
    const value = Boolean(this.resolve(definition, `Conditions.${name}`));
    this.conditionValues.set(name, value);
    return value;
  }

  private resolveAny(value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
      return value.map((item, i) => this.resolveAny(item, `${where}[${i}]`)).filter((item) => item !== NO_VALUE);
    }
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::') || entries[0][0] === 'Condition')) {
      return this.intrinsic(entries[0][0], entries[0][1], `${where}.${entries[0][0]}`);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolveAny(item, `${where}.${key}`);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private intrinsic(name: string, argument: any, where: string): unknown {
    const arg = (value: unknown, suffix = '') => this.resolveAny(value, `${where}${suffix}`);
    switch (name) {
      case 'Ref':
        return this.refAny(String(argument), where);
      case 'Condition':
        return this.condition(String(argument), where);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof argument === 'string'
          ? [argument.slice(0, argument.indexOf('.')), argument.slice(argument.indexOf('.') + 1)]
          : (argument as [string, unknown]).map((part, i) => (i === 1 ? String(arg(part, '[1]')) : String(part)));
        return this.getAtt(logicalId, attribute, where);
      }
      case 'Fn::Join': {
        const [separator, items] = argument as [string, unknown];
        const list = arg(items, '[1]');
        if (!Array.isArray(list)) throw new TemplateError(`${where}: Fn::Join needs a list`);
        return list.map(String).join(separator);
      }
      case 'Fn::Sub':
        return this.sub(argument, where);
      case 'Fn::Select': {
        const index = Number(arg(argument[0], '[0]'));
        const list = arg(argument[1], '[1]');
        if (!Array.isArray(list) || !(index >= 0 && index < list.length)) throw new TemplateError(`${where}: Fn::Select index ${index} is out of range`);
        return list[index];
      }
      case 'Fn::Split':
        return String(arg(argument[1], '[1]')).split(String(argument[0]));
      case 'Fn::Base64':
        return Buffer.from(String(arg(argument)), 'utf8').toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.context.region}${zone}`);
      case 'Fn::FindInMap': {
        const [map, top, second] = (argument as unknown[]).map((part, i) => String(arg(part, `[${i}]`)));
        const found = this.template.Mappings?.[map]?.[top]?.[second];
        if (found === undefined) throw new TemplateError(`${where}: Fn::FindInMap found nothing at ${map}.${top}.${second}`);
        return found;
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(arg(argument));
      case 'Fn::If': {
        const [conditionName, whenTrue, whenFalse] = argument as [string, unknown, unknown];
        return this.condition(conditionName, where) ? arg(whenTrue, '[1]') : arg(whenFalse, '[2]');
      }
      case 'Fn::Equals': {
        const [left, right] = (argument as unknown[]).map((part, i) => arg(part, `[${i}]`));
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::Not':
        return !arg(argument[0], '[0]');
      case 'Fn::And':
        return (argument as unknown[]).every((part, i) => arg(part, `[${i}]`));
      case 'Fn::Or':
        return (argument as unknown[]).some((part, i) => arg(part, `[${i}]`));
      default:
        throw new TemplateError(`${where}: ${name} is not supported by the local runtime (e.g. Fn::ImportValue needs the other stack deployed)`);
    }
  }

  /** `Fn::Sub`: `${Name}`, `${Resource.Attribute}`, `${!Literal}`, with optional variables. */
  private sub(argument: unknown, where: string): string {
    const [text, variables] = typeof argument === 'string' ? [argument, {}] : (argument as [string, Record<string, unknown>]);
    return text.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (variables && name in variables) return String(this.resolveAny(variables[name], `${where}.${name}`));
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return String(this.getAtt(name.slice(0, dot), name.slice(dot + 1), where));
      return String(this.refAny(name, where));
    });
  }
}
