import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AssemblyStack, CfnTemplate, readAssemblyStack } from '../../../local/assembly/cloud-assembly';
import { IntrinsicResolver, TemplateError } from '../../../local/assembly/intrinsics';
import { restTemplate, toLocalTemplate } from '../../../local/assembly/template';
import { nodeForRuntime } from '../../../local/functions/node-runtime';
import { Router } from '../../../local/gateway/rest-router';
import { ApiType, LogisticsTrackingApi, TrackingStatus } from '../../../src';
import { ROUTES } from '../../../src/contract/routes';

/**
 * The local runtime serves what the synthesized template says, nothing kept by
 * hand: these tests feed the reader the construct's real template, then a
 * modified one, and check that what it would serve changes with it.
 */

const EMULATOR = 'http://127.0.0.1:4566';

function constructTemplate(): CfnTemplate {
  const app = new App();
  const stack = new Stack(app, 'ReaderTest');
  new LogisticsTrackingApi(stack, 'Tracking', { stageName: 'qa', apiType: ApiType.REST });
  return JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
}

function assembly(template: CfnTemplate): AssemblyStack {
  return { stackName: 'ReaderTest', template, directory: '/cdk.out', assetDirectoryByObjectKey: new Map() };
}

function idOf(template: CfnTemplate, type: string): string {
  const ids = Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type).map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
}

/** The function behind the API: the one POST /track integrates with. */
function apiFunctionId(template: CfnTemplate): string {
  const resources = Object.entries<any>(template.Resources ?? {});
  const track = resources.find(([, r]) => r.Type === 'AWS::ApiGateway::Resource' && r.Properties.PathPart === ROUTES.track.path.slice(1))![0];
  const post = resources.find(([, r]) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'POST' && r.Properties.ResourceId.Ref === track)![1];
  return post.Properties.Integration.Uri['Fn::Join'][1].find((part: any) => part['Fn::GetAtt'])['Fn::GetAtt'][0];
}

const original = constructTemplate();
const handlerId = apiFunctionId(original);

describe("reading the construct's synthesized template", () => {
  const local = restTemplate(toLocalTemplate(assembly(original), { emulatorEndpoint: EMULATOR }));

  test('the table is created from the template: key schema, attributes, LSI, GSI and stream', () => {
    expect(local.tables).toHaveLength(1);
    const { createTable, timeToLiveAttribute, name } = local.tables[0];
    const props = original.Resources![idOf(original, 'AWS::DynamoDB::Table')].Properties!;
    expect(createTable.TableName).toBe(name);
    expect(createTable.KeySchema).toEqual(props.KeySchema);
    expect(createTable.AttributeDefinitions).toEqual(props.AttributeDefinitions);
    expect(createTable.LocalSecondaryIndexes).toEqual(props.LocalSecondaryIndexes);
    expect(createTable.GlobalSecondaryIndexes).toEqual(props.GlobalSecondaryIndexes);
    expect(createTable.BillingMode).toBe('PAY_PER_REQUEST');
    expect(createTable.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(timeToLiveAttribute).toBe('expires_at');
  });

  test('parameters carry their names and values, references resolved to the local table', () => {
    const byName = new Map(local.parameters.map((p) => [p.name, p]));
    expect([...byName.keys()].sort()).toEqual(['/logistics-tracking/qa/config', '/logistics-tracking/qa/feature-flags', '/logistics-tracking/qa/table-name']);
    expect(byName.get('/logistics-tracking/qa/table-name')!.value).toBe(local.tables[0].name);
    expect(JSON.parse(byName.get('/logistics-tracking/qa/feature-flags')!.value)).toEqual({ enhanced_tracking: true, batch_processing: false, real_time_notifications: true });
  });

  test('the function keeps its runtime, handler, timeout, memory and an environment that points at the local resources', () => {
    const fn = local.functions.get(handlerId)!;
    expect(fn).toMatchObject({ runtime: 'nodejs24.x', handler: 'index.handler', timeoutSeconds: 10, memoryMb: 512 });
    expect(fn.codeDirectory).toMatch(/^\/cdk\.out\/asset\.[0-9a-f]{64}$/);
    expect(fn.environment.TABLE_NAME).toBe(local.tables[0].name);
    expect(fn.environment.CONFIG_PARAMETER_NAME).toBe('/logistics-tracking/qa/config');
    expect(fn.environment.FLAGS_PARAMETER_NAME).toBe('/logistics-tracking/qa/feature-flags');
    expect(fn.arn).toBe(`arn:aws:lambda:us-east-1:123456789012:function:${fn.name}`);
  });

  test('the API has the stage, the resource tree, each method with its authorization, validator and integration', () => {
    const { api } = local;
    expect([...api.stages.keys()]).toEqual(['qa']);
    // Every contract route, the ANY fallbacks the construct adds, and the intermediate resources.
    const routes = Object.values(ROUTES);
    const ancestors = (routePath: string) => routePath.split('/').slice(1).map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`);
    const expectedPaths = new Set(['/', '/{proxy+}', ...routes.flatMap((route) => ancestors(route.path))]);
    expect(api.resources.map((r) => r.path).sort()).toEqual([...expectedPaths].sort());
    const methods = new Map(api.resources.flatMap((r) => [...r.methods.values()]).map((m) => [`${m.httpMethod} ${m.resourcePath}`, m]));
    const expectedMethods = ['ANY /', 'ANY /{proxy+}', ...routes.flatMap((route) => [`${route.method} ${route.path}`, `ANY ${route.path}`])];
    expect([...methods.keys()].sort()).toEqual(expectedMethods.sort());

    const fn = local.functions.get(handlerId)!;
    for (const method of methods.values()) {
      expect(method.authorizationType).toBe('AWS_IAM');
      expect(method.integration).toEqual({ kind: 'lambda-proxy', functionLogicalId: fn.logicalId, timeoutMs: 29_000 });
    }
    for (const route of routes) {
      const method = methods.get(`${route.method} ${route.path}`)!;
      expect(method.requiredParameters).toEqual(route.requiredQueryParameters.map((name) => ({ location: 'querystring', name })));
      expect(method.validateParameters).toBe(true);
      // Bodies are the handler's to validate, on AWS and here (see src/private/rest-api.ts).
      expect(method.validateBody).toBe(false);
      expect(Object.keys(method.requestModels)).toEqual('bodyModel' in route ? ['application/json'] : []);
      expect(methods.get(`ANY ${route.path}`)!.validateBody).toBe(false);
    }
    expect(methods.get(`POST ${ROUTES.track.path}`)!.requestModels['application/json'])
      .toMatchObject({ $schema: 'http://json-schema.org/draft-04/schema#', required: ['tracking_id', 'status', 'location'] });
    expect(api.gatewayResponses.get('DEFAULT_4XX')!.templates['application/json']).toBe('{"error":$context.error.messageString}');
  });
});

describe('a changed construct changes what is served, with no change to local/', () => {
  const modified: any = JSON.parse(JSON.stringify(original));
  const tableId = idOf(modified, 'AWS::DynamoDB::Table');
  const apiId = idOf(modified, 'AWS::ApiGateway::RestApi');
  const trackId = Object.entries<any>(modified.Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Resource' && r.Properties.PathPart === 'track')![0];
  const postTrack = Object.values<any>(modified.Resources)
    .find((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'POST' && r.Properties.ResourceId.Ref === trackId)!;
  // A different key schema...
  modified.Resources[tableId].Properties.KeySchema = [{ AttributeName: 'shipment', KeyType: 'HASH' }, { AttributeName: 'seq', KeyType: 'RANGE' }];
  modified.Resources[tableId].Properties.AttributeDefinitions = [{ AttributeName: 'shipment', AttributeType: 'S' }, { AttributeName: 'seq', AttributeType: 'N' }];
  delete modified.Resources[tableId].Properties.LocalSecondaryIndexes;
  delete modified.Resources[tableId].Properties.GlobalSecondaryIndexes;
  // ...a new open route below /track with a path parameter...
  modified.Resources.ItemResource = { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: trackId }, PathPart: '{item}', RestApiId: { Ref: apiId } } };
  modified.Resources.ItemGet = {
    Type: 'AWS::ApiGateway::Method',
    Properties: { HttpMethod: 'GET', AuthorizationType: 'NONE', ResourceId: { Ref: 'ItemResource' }, RestApiId: { Ref: apiId }, Integration: { ...postTrack.Properties.Integration, TimeoutInMillis: 5000 } },
  };
  // ...and a shorter function timeout.
  modified.Resources[handlerId].Properties.Timeout = 3;
  const local = restTemplate(toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }));

  test('the table is created with the new key schema', () => {
    expect(local.tables[0].createTable.KeySchema).toEqual([{ AttributeName: 'shipment', KeyType: 'HASH' }, { AttributeName: 'seq', KeyType: 'RANGE' }]);
    expect(local.tables[0].createTable.AttributeDefinitions).toContainEqual({ AttributeName: 'seq', AttributeType: 'N' });
    expect(local.tables[0].createTable.LocalSecondaryIndexes).toBeUndefined();
  });

  test('the new route is served, open, with its own integration timeout', () => {
    const match = new Router(local.api.resources).match('GET', '/track/parcel-7');
    expect(match).toBeDefined();
    expect(match!.resource.path).toBe('/track/{item}');
    expect(match!.pathParameters).toEqual({ item: 'parcel-7' });
    expect(match!.method).toMatchObject({ httpMethod: 'GET', authorizationType: 'NONE', integration: { kind: 'lambda-proxy', timeoutMs: 5000 } });
  });

  test('the function timeout follows the template', () => {
    expect(local.functions.get(handlerId)!.timeoutSeconds).toBe(3);
  });
});

describe('reserved concurrency, from ReservedConcurrentExecutions', () => {
  const reserved = (props: object) => {
    const app = new App();
    const stack = new Stack(app, 'ReaderTest');
    new LogisticsTrackingApi(stack, 'Tracking', { stageName: 'qa', apiType: ApiType.REST, ...props });
    const template: CfnTemplate = JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
    const functions = toLocalTemplate(assembly(template), { emulatorEndpoint: EMULATOR }).functions;
    return Object.fromEntries([...functions.values()].map((fn) => [fn.logicalId.replace(/[0-9A-F]{8}$/, ''), fn.reservedConcurrency]));
  };

  test("the construct's props reach each function; without them there is no reservation but the sweep's own", () => {
    expect(reserved({})).toEqual({ TrackingHandler: undefined, TrackingStreamProcessor: undefined, TrackingSweep: 1 });
    expect(reserved({ handlerReservedConcurrency: 3, streamProcessorReservedConcurrency: 2 }))
      .toEqual({ TrackingHandler: 3, TrackingStreamProcessor: 2, TrackingSweep: 1 });
  });

  const withValue = (value: unknown) => {
    const modified: any = JSON.parse(JSON.stringify(original));
    modified.Resources[handlerId].Properties.ReservedConcurrentExecutions = value;
    return () => toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }).functions.get(handlerId)!.reservedConcurrency;
  };

  test.each<[string, unknown, number]>([
    ['0 (every invocation throttled, as on AWS)', 0, 0],
    ['a number as a string', '5', 5],
  ])('%s', (_name, value, expected) => {
    expect(withValue(value)()).toBe(expected);
  });

  test.each([-1, 2.5, 'many'])('%p fails at start-up, naming the property', (value) => {
    expect(withValue(value)).toThrow(`Resources.${handlerId}.Properties.ReservedConcurrentExecutions must be a whole number of at least 0`);
  });
});

describe('the log format, from LoggingConfig', () => {
  const withLogging = (loggingConfig: unknown) => {
    const modified: any = JSON.parse(JSON.stringify(original));
    modified.Resources[handlerId].Properties.LoggingConfig = loggingConfig;
    return toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }).functions.get(handlerId)!.jsonLogLevel;
  };

  test("the construct's functions log in JSON at Lambda's default application level", () => {
    expect(toLocalTemplate(assembly(original), { emulatorEndpoint: EMULATOR }).functions.get(handlerId)!.jsonLogLevel).toBe('INFO');
  });

  test('a stated application level is kept; the text format has none', () => {
    expect(withLogging({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG' })).toBe('DEBUG');
    expect(withLogging({ LogFormat: 'Text' })).toBeUndefined();
    expect(withLogging(undefined)).toBeUndefined();
  });
});

describe("the request validator's flags, read as CloudFormation reads booleans", () => {
  const validatorId = idOf(original, 'AWS::ApiGateway::RequestValidator');
  const postTrack = (validator: Record<string, unknown>) => {
    const modified: any = JSON.parse(JSON.stringify(original));
    Object.assign(modified.Resources[validatorId].Properties, validator);
    const { api } = restTemplate(toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }));
    return api.resources.find((resource) => resource.path === ROUTES.track.path)!.methods.get(ROUTES.track.method)!;
  };

  test.each<[string, unknown, boolean]>([
    ['true', true, true],
    ['false', false, false],
    ['the string "true"', 'true', true],
    ['the string "false"', 'false', false],
  ])('ValidateRequestBody %s', (_name, value, expected) => {
    expect(postTrack({ ValidateRequestBody: value }).validateBody).toBe(expected);
  });

  test.each<[string, unknown, boolean]>([
    ['the string "true"', 'true', true],
    ['the string "false"', 'false', false],
  ])('ValidateRequestParameters %s', (_name, value, expected) => {
    expect(postTrack({ ValidateRequestParameters: value }).validateParameters).toBe(expected);
  });
});

describe('queues and event buses, when a template has them', () => {
  const modified: any = JSON.parse(JSON.stringify(original));
  modified.Resources.Dlq = { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } };
  modified.Resources.Work = {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: 'work', VisibilityTimeout: 30, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 3 } },
  };
  modified.Resources.Bus = { Type: 'AWS::Events::EventBus', Properties: { Name: 'shipments', Description: 'status changes' } };
  modified.Resources[handlerId].Properties.Environment.Variables.QUEUE_URL = { Ref: 'Work' };
  modified.Resources[handlerId].Properties.Environment.Variables.BUS_ARN = { 'Fn::GetAtt': ['Bus', 'Arn'] };
  const local = restTemplate(toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }));

  test('queue attributes come from the properties, the redrive policy names the dead-letter queue it depends on', () => {
    const work = local.queues.find((queue) => queue.logicalId === 'Work')!;
    expect(work).toEqual({
      logicalId: 'Work',
      name: 'work',
      url: `${EMULATOR}/123456789012/work`,
      arn: 'arn:aws:sqs:us-east-1:123456789012:work',
      attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:ReaderTest-Dlq', maxReceiveCount: 3 }) },
      dependsOn: ['ReaderTest-Dlq'],
    });
    expect(local.queues.find((queue) => queue.logicalId === 'Dlq')).toMatchObject({ name: 'ReaderTest-Dlq', attributes: { MessageRetentionPeriod: '1209600' } });
  });

  test('the bus, and the function environment pointing at both', () => {
    expect(local.eventBuses.find((bus) => bus.logicalId === 'Bus')).toEqual({ logicalId: 'Bus', name: 'shipments', description: 'status changes' });
    expect(local.functions.get(handlerId)!.environment).toMatchObject({
      QUEUE_URL: `${EMULATOR}/123456789012/work`,
      BUS_ARN: 'arn:aws:events:us-east-1:123456789012:event-bus/shipments',
    });
  });
});

describe('status-change events: the stream mapping, the rules and their targets', () => {
  const app = new App();
  const stack = new Stack(app, 'ReaderTest');
  const tracking = new LogisticsTrackingApi(stack, 'Tracking', { stageName: 'qa', apiType: ApiType.REST });
  tracking.onStatusChanged('Delivered', new targets.SqsQueue(new sqs.Queue(stack, 'Deliveries')), { statuses: [TrackingStatus.DELIVERED] });
  const notifier = new lambda.Function(stack, 'Notifier', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
  tracking.onStatusChanged('Notify', new targets.LambdaFunction(notifier));
  const template: CfnTemplate = JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
  const local = restTemplate(toLocalTemplate(assembly(template), { emulatorEndpoint: EMULATOR }));
  const mappingId = idOf(template, 'AWS::Lambda::EventSourceMapping');
  const processorId = Object.entries<any>(template.Resources ?? {}).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.EVENT_BUS_NAME)![0];

  test("the mapping on the table's stream is served, with the template's batching, retries, filter and on-failure queue", () => {
    expect(local.streamMappings).toHaveLength(1);
    const [mapping] = local.streamMappings;
    const dlq = local.queues.find((queue) => queue.logicalId.startsWith('TrackingDeadLetterQueue'))!;
    expect(mapping).toMatchObject({
      logicalId: mappingId,
      functionLogicalId: processorId,
      tableName: local.tables[0].name,
      batchSize: 100,
      startingPosition: 'TRIM_HORIZON',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
      reportBatchItemFailures: true,
      onFailure: { queueLogicalId: dlq.logicalId, arn: dlq.arn },
    });
    expect(mapping.filter.patterns).toEqual([template.Resources![mappingId].Properties!.FilterCriteria.Filters[0].Pattern]);
    expect(mapping.filter.matches({ eventName: 'MODIFY', dynamodb: { Keys: { sk: { S: 'STATE' } } } })).toBe(true);
    expect(mapping.filter.matches({ eventName: 'INSERT', dynamodb: { Keys: { sk: { S: 'EVENT#1' } } } })).toBe(false);
    expect(local.notServed.join('\n')).not.toMatch(new RegExp(mappingId));
  });

  test('the processor points at the local bus and dead-letter queue', () => {
    const dlq = local.queues.find((queue) => queue.logicalId.startsWith('TrackingDeadLetterQueue'))!;
    expect(local.functions.get(processorId)!.environment).toMatchObject({ EVENT_BUS_NAME: local.eventBuses[0].name, DEAD_LETTER_QUEUE_URL: dlq.url });
  });

  test('a rule is created on the bus with its pattern and its SQS target; a Lambda target is skipped with a warning', () => {
    const deliveries = local.queues.find((queue) => queue.logicalId.startsWith('Deliveries'))!;
    const delivered = local.rules.find((rule) => rule.logicalId.startsWith('TrackingStatusChangedDelivered'))!;
    expect(delivered).toMatchObject({
      eventBusName: local.eventBuses[0].name,
      targets: [{ arn: deliveries.arn, queueLogicalId: deliveries.logicalId }],
    });
    expect(JSON.parse(delivered.eventPattern)).toEqual({ 'source': ['logistics.tracking'], 'detail-type': ['Tracking Status Changed'], 'detail': { status: ['delivered'] } });
    const notify = local.rules.find((rule) => rule.logicalId.startsWith('TrackingStatusChangedNotify'))!;
    expect(notify.targets).toEqual([]);
    expect(local.warnings).toEqual([expect.stringMatching(new RegExp(`^target Target0 of rule ${notify.logicalId} \\(arn:aws:lambda:.*\\) is not an SQS queue: skipped`))]);
  });

  test('a disabled rule is not created (moto would deliver to it anyway)', () => {
    const modified: any = JSON.parse(JSON.stringify(template));
    const ruleId = local.rules[0].logicalId;
    modified.Resources[ruleId].Properties.State = 'DISABLED';
    const read = restTemplate(toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }));
    expect(read.rules.map((rule) => rule.logicalId)).not.toContain(ruleId);
    expect(read.notServed).toContainEqual(expect.stringMatching(new RegExp(`^${ruleId} \\(State DISABLED`)));
  });

  test('a mapping on another kind of source is listed as not served', () => {
    const modified: any = JSON.parse(JSON.stringify(template));
    modified.Resources[mappingId].Properties.EventSourceArn = 'arn:aws:sqs:us-east-1:123456789012:jobs';
    const read = restTemplate(toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }));
    expect(read.streamMappings).toEqual([]);
    expect(read.notServed).toContainEqual(`${mappingId} (an event source mapping for arn:aws:sqs:us-east-1:123456789012:jobs: only DynamoDB streams run locally)`);
  });

  test('a filter rule the local runtime cannot evaluate fails at start-up, naming it', () => {
    const modified: any = JSON.parse(JSON.stringify(template));
    modified.Resources[mappingId].Properties.FilterCriteria.Filters[0].Pattern = '{"dynamodb":{"Keys":{"sk":{"S":[{"prefix":"STATE"}]}}}}';
    expect(() => toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }))
      .toThrow(`Resources.${mappingId}.Properties.FilterCriteria.Filters[0].Pattern.dynamodb.Keys.sk.S[0]: the content filter {"prefix":"STATE"} is not supported by the local runtime, which filters on exact values only`);
  });

  test('tumbling windows fail at start-up', () => {
    const modified: any = JSON.parse(JSON.stringify(template));
    modified.Resources[mappingId].Properties.TumblingWindowInSeconds = 60;
    expect(() => toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR })).toThrow(/TumblingWindowInSeconds: tumbling windows .* are not served/);
  });
});

describe('templates the local runtime cannot serve fail with a message that says where and why', () => {
  test('an environment variable imported from another stack names its path', () => {
    const modified: any = JSON.parse(JSON.stringify(original));
    modified.Resources[handlerId].Properties.Environment.Variables.SHARED = { 'Fn::ImportValue': 'OtherStack:Thing' };
    expect(() => toLocalTemplate(assembly(modified), { emulatorEndpoint: EMULATOR }))
      .toThrow(/Environment\.Variables\.SHARED\.Fn::ImportValue: Fn::ImportValue is not supported/);
  });

  test('a template without a RestApi', () => {
    expect(() => toLocalTemplate(assembly({ Resources: {} }), { emulatorEndpoint: EMULATOR })).toThrow(/no AWS::ApiGateway::RestApi/);
  });

  test('a runtime without a matching Node.js major', () => {
    expect(() => nodeForRuntime('python3.12', 'fn')).toThrow(/function fn has runtime python3\.12: the local runtime runs Node\.js functions only/);
    expect(() => nodeForRuntime('nodejs16.x', 'fn')).toThrow(/function fn has runtime nodejs16\.x, which the local runtime cannot serve: no Node 16 here/);
  });

  test('an assembly that was never synthesized points at the synth command', () => {
    expect(() => readAssemblyStack(path.join(os.tmpdir(), 'no-such-cdk-out'))).toThrow(/cloud assembly manifest not found .* synthesize the app first/);
  });

  test('an assembly with several stacks asks which one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-'));
    try {
      const app = new App({ outdir: dir });
      new Stack(app, 'One');
      new Stack(app, 'Two');
      app.synth();
      expect(() => readAssemblyStack(dir)).toThrow(/holds several stacks \(One, Two\); choose one with --stack/);
      expect(readAssemblyStack(dir, 'Two').stackName).toBe('Two');
      expect(() => readAssemblyStack(dir, 'Three')).toThrow(/stack Three is not in .*; it holds: One, Two/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('intrinsic functions', () => {
  const template: CfnTemplate = {
    Parameters: { Env: { Type: 'String', Default: 'qa' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
    Mappings: { Sizes: { qa: { memory: 256 } } },
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'tracking' } },
      Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { 'Fn::GetAtt': ['Bus', 'Arn'] } } },
      DefaultBusRule: { Type: 'AWS::Events::Rule', Properties: { Name: 'nightly' } },
      ProdOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsProd' },
    },
  };
  const resolver = new IntrinsicResolver(template, { stackName: 'S', region: 'us-east-1', accountId: '123456789012', emulatorEndpoint: EMULATOR });

  test.each<[string, unknown, unknown]>([
    ['Fn::Sub with pseudo parameters, attributes and a literal', { 'Fn::Sub': '${AWS::Region}/${Bus.Arn}/${!Literal}' }, 'us-east-1/arn:aws:events:us-east-1:123456789012:event-bus/tracking/${Literal}'],
    ['Fn::Sub with variables', { 'Fn::Sub': ['${A}-${Env}', { A: { Ref: 'Bus' } }] }, 'tracking-qa'],
    ['Fn::If on a condition', { 'Fn::If': ['IsProd', 'big', 'small'] }, 'small'],
    ['Condition references', { 'Fn::If': ['NotProd', 'yes', 'no'] }, 'yes'],
    ['Fn::Select over Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] }, 'b'],
    ['Fn::FindInMap', { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'memory'] }, 256],
    ['a FIFO queue URL on the emulator', { Ref: 'Queue' }, `${EMULATOR}/123456789012/S-Queue.fifo`],
    ['a rule on a custom bus (named by its ARN): bus|rule, and its ARN', [{ Ref: 'Rule' }, { 'Fn::GetAtt': ['Rule', 'Arn'] }], ['tracking|S-Rule', 'arn:aws:events:us-east-1:123456789012:rule/tracking/S-Rule']],
    ['a rule on the default bus', [{ Ref: 'DefaultBusRule' }, { 'Fn::GetAtt': ['DefaultBusRule', 'Arn'] }], ['nightly', 'arn:aws:events:us-east-1:123456789012:rule/nightly']],
    ['AWS::NoValue removes a property', { keep: 1, drop: { Ref: 'AWS::NoValue' } }, { keep: 1 }],
  ])('%s', (_name, value, expected) => {
    expect(resolver.resolve(value, 'test')).toEqual(expected);
  });

  test('a resource whose condition is false is not deployed', () => {
    expect(resolver.isDeployed('ProdOnly')).toBe(false);
    expect(resolver.isDeployed('Queue')).toBe(true);
  });

  test('a Ref to nothing is an error naming the path', () => {
    expect(() => resolver.resolve({ Ref: 'Nope' }, 'Resources.X.Properties.Y')).toThrow(TemplateError);
    expect(() => resolver.resolve({ Ref: 'Nope' }, 'Resources.X.Properties.Y')).toThrow(/Resources\.X\.Properties\.Y\.Ref: Ref to Nope/);
  });
});
