import * as path from 'path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { AssemblyStack } from './cloud-assembly';
import { readEventSourceMappings, StreamMappingSpec } from './event-sources';
import type { HttpApiSpec } from './http-api';
import { IntrinsicResolver, LOCAL_ACCOUNT_ID, LOCAL_REGION, TemplateError } from './intrinsics';
import { resourcePathsOf } from './resource-names';
import type { RestApiSpec } from './rest-api';
import { readRules, RuleSpec } from './rules';
import { readSchedules, ScheduleSpec } from './schedules';
import { ApiSelection, readServedApi, withServedApi } from './served-api';
import { checkServedFunctions } from './served-functions';
import { chooseConstructApi, constructPathOfApi, readServedStack, StackSelection } from './served-stack';
import { readSecrets, readWebhooks, SecretSpec, WebhookSpec } from './webhooks';

/**
 * What the local runtime serves, read from a synthesized template: every value
 * here comes from the template's own resource properties (intrinsics resolved to
 * the local resources), so a change to the construct changes what runs locally
 * without a change to local/.
 */

export interface TableSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly createTable: CreateTableCommandInput;
  readonly timeToLiveAttribute?: string;
}

export interface ParameterSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly type: string;
  readonly value: string;
  readonly description?: string;
  readonly allowedPattern?: string;
  readonly dataType?: string;
}

export interface QueueSpec {
  readonly logicalId: string;
  readonly name: string;
  /** The queue URL on the emulator (what `Ref` resolves to). */
  readonly url: string;
  readonly arn: string;
  /** CreateQueue attributes (CloudFormation's properties as SQS's string attributes). */
  readonly attributes: Record<string, string>;
  /** Queues this one names in its redrive policy: they are created first. */
  readonly dependsOn: readonly string[];
}

export interface EventBusSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly description?: string;
}

export interface FunctionSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly runtime: string;
  /** `Handler`, e.g. `index.handler`. */
  readonly handler: string;
  /** The staged asset directory (the code Lambda would unzip into /var/task). */
  readonly codeDirectory: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** `Environment.Variables`, resolved to the local resources. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  /**
   * `LoggingConfig.LogFormat` is JSON: the application log level Lambda then tells the
   * code (`AWS_LAMBDA_LOG_LEVEL`, INFO unless `ApplicationLogLevel` says otherwise).
   * Absent for the default text format.
   */
  readonly jsonLogLevel?: string;
  /** `ReservedConcurrentExecutions`: more invocations at once are throttled (0: every one). Absent: no reservation. */
  readonly reservedConcurrency?: number;
  /** The construct path of the function (`MyStack/Tracking/Handler`), when the assembly says; for messages. */
  readonly constructPath?: string;
}

/** Everything a template holds but the API it serves. */
export interface LocalTemplateBase {
  readonly stackName: string;
  /**
   * The construct path of the LogisticsTrackingApi whose API is served (`MyStack/Tracking`),
   * when the assembly's tree.json shows one; absent for another API, or without tree.json.
   */
  readonly constructPath?: string;
  /** Construct path by logical id (`aws:cdk:path` metadata, else tree.json), for messages; absent when unknown. */
  readonly resourcePaths?: ReadonlyMap<string, string>;
  readonly region: string;
  readonly accountId: string;
  readonly tables: readonly TableSpec[];
  readonly parameters: readonly ParameterSpec[];
  readonly queues: readonly QueueSpec[];
  readonly eventBuses: readonly EventBusSpec[];
  /** EventBridge rules with their SQS targets (see template-rules.ts for what is left out). */
  readonly rules: readonly RuleSpec[];
  /** Scheduled rules that invoke functions of this template (template-schedules.ts). */
  readonly schedules: readonly ScheduleSpec[];
  readonly functions: ReadonlyMap<string, FunctionSpec>;
  /** Event source mappings on the streams of this template's tables, served by polling the stream. */
  readonly streamMappings: readonly StreamMappingSpec[];
  /** Secrets Manager secrets, created on the emulator (see template-webhooks.ts). */
  readonly secrets: readonly SecretSpec[];
  /** Rule targets that are API destinations, delivered by the local runtime (see local/events/webhooks.ts). */
  readonly webhooks: readonly WebhookSpec[];
  /** What the template has that the local runtime does not run, for the start-up report. */
  readonly notServed: readonly string[];
  /** What runs locally but not quite as on AWS, for the start-up report. */
  readonly warnings: readonly string[];
}

/** A template that serves a REST API (`AWS::ApiGateway::RestApi`). */
export interface RestLocalTemplate extends LocalTemplateBase {
  readonly protocol: 'REST';
  readonly api: RestApiSpec;
}

/** A template that serves an HTTP API (`AWS::ApiGatewayV2::Api`, ProtocolType HTTP). */
export interface HttpLocalTemplate extends LocalTemplateBase {
  readonly protocol: 'HTTP';
  readonly httpApi: HttpApiSpec;
}

/** What the local runtime serves: exactly one API, a REST API or an HTTP API (narrow on `protocol`). */
export type LocalTemplate = RestLocalTemplate | HttpLocalTemplate;

/** `template`, which must serve a REST API (for callers that only handle one). */
export function restTemplate(template: LocalTemplate): RestLocalTemplate {
  if (template.protocol !== 'REST') throw new Error(`the template serves an HTTP API (${template.httpApi.logicalId}), not a REST API`);
  return template;
}

export interface ReadTemplateOptions extends ApiSelection {
  /** The emulator's endpoint (queue URLs point at it). */
  readonly emulatorEndpoint: string;
  /**
   * Which LogisticsTrackingApi to serve when the stack holds several: its construct
   * path (`MyStack/Tracking`) or a unique ending of it (`Tracking`). Its API is
   * served (as `api` would choose it). Needs the assembly's tree.json.
   */
  readonly construct?: string;
}

/**
 * Reads the stack to serve from the cloud assembly `cdkOut` (the stack holding the
 * LogisticsTrackingApi, or `stackName`; see served-stack.ts) into a
 * {@link LocalTemplate}, and checks that the functions it runs can run here
 * (served-functions.ts). `constructPath` says which LogisticsTrackingApi is served.
 */
export function readLocalTemplate(cdkOut: string, options: ReadTemplateOptions & StackSelection): LocalTemplate {
  const stack = readServedStack(cdkOut, { stackName: options.stackName, construct: options.construct });
  const template = toLocalTemplate(stack, options);
  checkServedFunctions(template, stack);
  return template;
}

/**
 * A stack's template as the local runtime serves it. The API served is the one
 * `options` chooses (`construct`, `api`), else the one of the stack's only
 * LogisticsTrackingApi (`stack.constructs`), else the stack's only API.
 */
export function toLocalTemplate(stack: AssemblyStack, options: ReadTemplateOptions): LocalTemplate {
  const resolver = new IntrinsicResolver(stack.template, {
    stackName: stack.stackName,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    emulatorEndpoint: options.emulatorEndpoint,
  });
  const byType = (...types: string[]) => Object.entries(stack.template.Resources ?? {})
    .filter(([id, resource]) => types.includes(resource.Type) && resolver.isDeployed(id))
    .map(([id]) => id);

  const notServed: string[] = [];
  const warnings: string[] = [];
  const resourcePaths = resourcePathsOf(stack);
  const functions = new Map(byType('AWS::Lambda::Function').map((id) => [id, readFunction(id, stack, resolver, resourcePaths)]));
  const served = readServedApi(byType, resolver, functions, chooseConstructApi(stack, options), notServed);
  const constructPath = constructPathOfApi(stack, served.protocol === 'REST' ? served.api.logicalId : served.httpApi.logicalId);
  const tables = byType('AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable').map((id) => readTable(id, resolver));
  const queues = byType('AWS::SQS::Queue').map((id) => readQueue(id, resolver));
  const rules = readRules(byType('AWS::Events::Rule'), resolver, queues, notServed, warnings);

  return withServedApi({
    stackName: stack.stackName,
    ...(constructPath !== undefined ? { constructPath } : {}),
    resourcePaths,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    tables,
    parameters: byType('AWS::SSM::Parameter').map((id) => readParameter(id, resolver)),
    queues,
    eventBuses: byType('AWS::Events::EventBus').map((id) => readEventBus(id, resolver)),
    rules,
    schedules: readSchedules(byType('AWS::Events::Rule'), resolver, functions, notServed),
    functions,
    streamMappings: readEventSourceMappings(byType('AWS::Lambda::EventSourceMapping'), resolver, tables, functions, queues, notServed, warnings),
    secrets: readSecrets(byType('AWS::SecretsManager::Secret'), resolver),
    webhooks: readWebhooks(rules, byType, resolver, queues, notServed, warnings),
    notServed,
    warnings,
  }, served);
}

function pick<T extends object>(source: T, keys: readonly (keyof T)[]): Partial<T> {
  const result: Partial<T> = {};
  for (const key of keys) if (source[key] !== undefined) result[key] = source[key];
  return result;
}

function readTable(id: string, resolver: IntrinsicResolver): TableSpec {
  const props = resolver.properties(id);
  const name = resolver.ref(id, `Resources.${id}`);
  // CloudFormation's default billing mode is PROVISIONED; GlobalTable's is too.
  const billingMode = props.BillingMode ?? 'PROVISIONED';
  const provisioned = billingMode === 'PROVISIONED';
  const throughput = (value: any) => (provisioned ? value ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } : undefined);
  // Index properties beyond these (contributor insights, warm/on-demand throughput)
  // configure capacity, which the emulator does not model.
  const index = (definition: any) => ({ ...pick(definition, ['IndexName', 'KeySchema', 'Projection']) });
  const createTable: CreateTableCommandInput = {
    TableName: name,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    BillingMode: billingMode,
    ProvisionedThroughput: throughput(props.ProvisionedThroughput),
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes?.map((gsi: any) => ({
      ...index(gsi),
      ProvisionedThroughput: throughput(gsi.ProvisionedThroughput),
    })),
    LocalSecondaryIndexes: props.LocalSecondaryIndexes?.map(index),
    // CloudFormation names only the view type; the API also wants StreamEnabled.
    StreamSpecification: props.StreamSpecification?.StreamViewType
      ? { StreamEnabled: true, StreamViewType: props.StreamSpecification.StreamViewType }
      : undefined,
    TableClass: props.TableClass,
    DeletionProtectionEnabled: props.DeletionProtectionEnabled,
    // SSESpecification is left out: the emulator does not encrypt, and a KMS key
    // from the template would not exist on it.
  };
  if (!createTable.KeySchema || !createTable.AttributeDefinitions) {
    throw new TemplateError(`Resources.${id}: a table needs KeySchema and AttributeDefinitions`);
  }
  const ttl = props.TimeToLiveSpecification;
  return {
    logicalId: id,
    name,
    createTable: JSON.parse(JSON.stringify(createTable)),
    timeToLiveAttribute: ttl?.Enabled ? ttl.AttributeName : undefined,
  };
}

function readParameter(id: string, resolver: IntrinsicResolver): ParameterSpec {
  const props = resolver.properties(id);
  if (props.Value === undefined) throw new TemplateError(`Resources.${id}.Properties.Value is missing`);
  return {
    logicalId: id,
    name: resolver.ref(id, `Resources.${id}`),
    type: props.Type ?? 'String',
    value: String(props.Value),
    description: props.Description,
    allowedPattern: props.AllowedPattern,
    dataType: props.DataType,
  };
}

/** CloudFormation's queue properties that are not CreateQueue attributes. */
const NOT_QUEUE_ATTRIBUTES = new Set(['QueueName', 'Tags']);

function readQueue(id: string, resolver: IntrinsicResolver): QueueSpec {
  const props = resolver.properties(id);
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) {
    if (NOT_QUEUE_ATTRIBUTES.has(key) || value === undefined) continue;
    // SQS takes every attribute as a string; policies as JSON documents.
    attributes[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  const redriveTarget = props.RedrivePolicy?.deadLetterTargetArn as string | undefined;
  return {
    logicalId: id,
    name: resolver.queueName(id),
    url: resolver.ref(id, `Resources.${id}`),
    arn: String(resolver.getAtt(id, 'Arn', `Resources.${id}`)),
    attributes,
    dependsOn: redriveTarget ? [redriveTarget.split(':').pop()!] : [],
  };
}

function readEventBus(id: string, resolver: IntrinsicResolver): EventBusSpec {
  const props = resolver.properties(id);
  return { logicalId: id, name: resolver.ref(id, `Resources.${id}`), description: props.Description };
}

function readFunction(id: string, stack: AssemblyStack, resolver: IntrinsicResolver, resourcePaths: ReadonlyMap<string, string>): FunctionSpec {
  const props = resolver.properties(id);
  const where = `Resources.${id}`;
  const name = resolver.ref(id, where);
  const s3Key = props.Code?.S3Key as string | undefined;
  let codeDirectory: string | undefined;
  if (s3Key) {
    // The asset manifest maps the object key to the staged directory; by the CDK's
    // naming convention that is `asset.<hash>` for `<hash>.zip`.
    codeDirectory = stack.assetDirectoryByObjectKey.get(s3Key) ?? path.join(stack.directory, `asset.${s3Key.replace(/\.zip$/, '')}`);
  }
  const logGroup = props.LoggingConfig?.LogGroup as string | undefined;
  // CloudFormation takes the number as a string too; 0 is valid (it stops the function).
  const reserved = props.ReservedConcurrentExecutions;
  const reservedConcurrency = reserved === undefined ? undefined : Number(reserved);
  if (reservedConcurrency !== undefined && !(Number.isInteger(reservedConcurrency) && reservedConcurrency >= 0)) {
    throw new TemplateError(`${where}.Properties.ReservedConcurrentExecutions must be a whole number of at least 0, got ${JSON.stringify(reserved)}`);
  }
  return {
    logicalId: id,
    name,
    arn: String(resolver.getAtt(id, 'Arn', where)),
    runtime: props.Runtime ?? (props.PackageType === 'Image' ? 'container image' : 'unknown'),
    handler: props.Handler ?? '',
    // Unusable code is reported when the function is needed, not here: a template
    // may hold functions the local runtime never invokes.
    codeDirectory: codeDirectory ?? (props.Code?.ZipFile !== undefined ? '<inline ZipFile>' : '<no staged asset>'),
    // CloudFormation's defaults: 3 s and 128 MB.
    timeoutSeconds: Number(props.Timeout ?? 3),
    memoryMb: Number(props.MemorySize ?? 128),
    environment: Object.fromEntries(Object.entries(props.Environment?.Variables ?? {}).map(([key, value]) => [key, String(value)])),
    logGroupName: logGroup ?? `/aws/lambda/${name}`,
    ...(props.LoggingConfig?.LogFormat === 'JSON' ? { jsonLogLevel: String(props.LoggingConfig.ApplicationLogLevel ?? 'INFO') } : {}),
    reservedConcurrency,
    ...(resourcePaths.has(id) ? { constructPath: resourcePaths.get(id)!.replace(/\/Resource$/, '') } : {}),
  };
}
