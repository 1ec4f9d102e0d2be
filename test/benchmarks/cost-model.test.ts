import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { accessLogFormat, accessLogLine } from '../../benchmarks/cost/access-log';
import { constructUsage, KindFigures, ModelContext, price, total, Usage, Variant } from '../../benchmarks/cost/cost-model';
import { billedMs, FunctionLogs, parseReport, platformLogBytes } from '../../benchmarks/cost/lambda-logs';
import { PRICES } from '../../benchmarks/cost/prices';
import { traceRoot } from '../../benchmarks/cost/recorder';
import { seedCalls, seedItem } from '../../benchmarks/cost/seed';
import { DEFAULT_TRAFFIC, planTraffic, SINGLE_UPDATE_KINDS } from '../../benchmarks/cost/traffic';

const NOTHING: Usage = {
  apiRestRequests: 0,
  apiHttpRequests: 0,
  wafRequests: 0,
  lambdaInvocations: 0,
  gbSecondsArm64: 0,
  gbSecondsX86: 0,
  writeUnits: 0,
  readUnits: 0,
  logBytes: 0,
  events: 0,
  sqsRequests: 0,
  traces: 0,
};

describe('price table', () => {
  test('every price is dated by the module and names its source', () => {
    for (const entry of Object.values(PRICES)) {
      expect(entry.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(entry.usd).toBeGreaterThan(0);
    }
  });

  test('a million of each unit costs its list price', () => {
    const breakdown = price({ ...NOTHING, apiRestRequests: 1e6, writeUnits: 1e6, readUnits: 1e6, logBytes: 2 ** 30, events: 1e6, traces: 1e6 });
    expect(breakdown['API Gateway']).toBeCloseTo(3.5);
    expect(breakdown['DynamoDB writes']).toBeCloseTo(0.625);
    expect(breakdown['DynamoDB reads']).toBeCloseTo(0.125);
    expect(breakdown['CloudWatch Logs']).toBeCloseTo(0.5);
    expect(breakdown.EventBridge).toBeCloseTo(1);
    expect(breakdown['X-Ray']).toBeCloseTo(5);
    expect(total(breakdown)).toBeCloseTo(3.5 + 0.625 + 0.125 + 0.5 + 1 + 5);
  });

  test('Lambda is requests plus GB-seconds at the architecture\'s price', () => {
    expect(price({ ...NOTHING, lambdaInvocations: 1e6, gbSecondsArm64: 1e6 }).Lambda).toBeCloseTo(0.2 + 13.3334);
    expect(price({ ...NOTHING, gbSecondsX86: 1e6 }).Lambda).toBeCloseTo(16.6667);
  });
});

describe('access log line', () => {
  test('the construct\'s format (jsonWithStandardFields) renders to one JSON object with the request\'s values', () => {
    const line = accessLogLine(AccessLogFormat.jsonWithStandardFields().toString(), {
      requestId: '3f1c2a7e-5b8d-4c61-9f0a-2d7e8b4c91e9',
      httpMethod: 'POST',
      resourcePath: '/track',
      status: 200,
      responseLength: 161,
      requestTimeEpochMs: Date.UTC(2026, 11, 1, 15, 26, 34),
    });
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ requestId: '3f1c2a7e-5b8d-4c61-9f0a-2d7e8b4c91e9', httpMethod: 'POST', resourcePath: '/track', status: '200', responseLength: '161' });
    expect(parsed.requestTime).toBe('01/Dec/2026:15:26:34 +0000');
    expect(line).not.toContain('$context');
  });

  test("the HTTP API stage's format renders the route key, and an empty variable as API Gateway's '-'", () => {
    const format = JSON.stringify({ requestId: '$context.requestId', routeKey: '$context.routeKey', integrationError: '$context.integrationErrorMessage' });
    const parsed = JSON.parse(accessLogLine(format, {
      requestId: 'Fq1x2hGzoAMEb0A=', httpMethod: 'GET', resourcePath: '/status', status: 200, responseLength: 90, requestTimeEpochMs: 0,
    }));
    expect(parsed).toEqual({ requestId: 'Fq1x2hGzoAMEb0A=', routeKey: 'GET /status', integrationError: '-' });
  });

  test('the format is read from a REST or an HTTP stage of a template', () => {
    const stage = (type: string, properties: object) => ({ Resources: { Stage: { Type: type, Properties: properties } } });
    expect(accessLogFormat(stage('AWS::ApiGateway::Stage', { AccessLogSetting: { Format: 'rest' } }))).toBe('rest');
    expect(accessLogFormat(stage('AWS::ApiGatewayV2::Stage', { AccessLogSettings: { Format: 'http' } }))).toBe('http');
    expect(accessLogFormat(stage('AWS::ApiGatewayV2::Stage', {}))).toBeUndefined();
  });
});

describe('Lambda log lines', () => {
  test('REPORT lines of the local runtime, with and without an init duration', () => {
    expect(parseReport('REPORT RequestId: abc Duration: 56.00 ms')).toEqual({ requestId: 'abc', durationMs: 56 });
    expect(parseReport('REPORT RequestId: abc Duration: 138.00 ms Init Duration: 137.38 ms')).toEqual({ requestId: 'abc', durationMs: 138, initMs: 137.38 });
    expect(parseReport('START RequestId: abc Version: $LATEST')).toBeUndefined();
    expect(billedMs(12.1)).toBe(13);
    expect(billedMs(0)).toBe(1);
  });

  test('platform lines: START, END and REPORT, and an XRAY line when traced', () => {
    const plain = platformLogBytes({ durationMs: 12.3, memoryMb: 512, sampled: false });
    expect(plain).toBeGreaterThan(200);
    expect(platformLogBytes({ durationMs: 12.3, memoryMb: 512, sampled: true })).toBeGreaterThan(plain + 80);
  });

  test('lines are sorted by function, the handler\'s to the request being sent', () => {
    const logs = new FunctionLogs('handler', 'processor');
    logs.line('[handler#1] before any request');
    logs.begin();
    logs.line('START RequestId: r1 Version: $LATEST');
    logs.line('[handler#1] {"message":"recorded"}');
    logs.line('[processor#1] {"message":"status change published"}');
    logs.line('REPORT RequestId: r1 Duration: 5.00 ms');
    expect(logs.end()).toEqual(['{"message":"recorded"}']);
    expect(logs.processorLines).toEqual(['{"message":"status change published"}']);
    expect(logs.reports.get('r1')).toEqual({ requestId: 'r1', durationMs: 5 });
    expect(logs.strayHandlerLines).toBe(1);
  });

  test('the trace id root of an X-Amzn-Trace-Id header', () => {
    expect(traceRoot('Root=1-674c8a1e-000000000000000000000001;Parent=abc;Sampled=1')).toBe('1-674c8a1e-000000000000000000000001');
    expect(traceRoot(undefined)).toBeUndefined();
  });
});

describe('traffic', () => {
  const plan = planTraffic(DEFAULT_TRAFFIC);

  test('the same seed gives the same requests; another seed others', () => {
    expect(JSON.stringify(planTraffic(DEFAULT_TRAFFIC))).toBe(JSON.stringify(plan));
    expect(JSON.stringify(planTraffic({ ...DEFAULT_TRAFFIC, seed: 1 }))).not.toBe(JSON.stringify(plan));
  });

  test('every kind of request is in the mix', () => {
    const kinds = new Set(plan.map((request) => request.kind));
    for (const kind of [...SINGLE_UPDATE_KINDS, 'batch of 100', 'GET /status', 'GET /shipments'] as const) expect(kinds).toContain(kind);
  });

  test('batches carry 100 updates within the default 32 KB body limit', () => {
    const batches = plan.filter((request) => request.kind === 'batch of 100');
    expect(batches).toHaveLength(DEFAULT_TRAFFIC.batches);
    for (const batch of batches) {
      expect((batch.body!.updates as unknown[]).length).toBe(100);
      expect(Buffer.byteLength(JSON.stringify(batch.body))).toBeLessThan(32_768);
    }
  });

  test('a retry resends the very update before it', () => {
    const index = plan.findIndex((request) => request.kind === 'client retry');
    expect(plan[index].body).toEqual(plan[index - 1].body);
  });
});

describe('what a variant pays for its logs', () => {
  const variant: Variant = {
    name: 'v',
    note: '',
    apiType: 'HTTP',
    handlerMemoryMb: 512,
    handlerArchitecture: 'arm64',
    processorMemoryMb: 256,
    processorArchitecture: 'arm64',
    handlerPlatformLogs: true,
    processorPlatformLogs: true,
    notifications: false,
    eventRetention: false,
    webAcl: false,
  };
  const figures = {
    kind: 'GET /status',
    requests: 1,
    updates: 0,
    calls: [],
    handlerDurationMs: 20,
    handlerColdStarts: 0,
    handlerLogBytes: 100,
    accessLogBytes: { HTTP: 300, REST: 350 },
    seedLogBytes: 0,
  } as unknown as KindFigures;
  const context = {
    table: { indexes: [] },
    seedTable: { indexes: [] },
    isState: () => false,
    isEvent: () => false,
    processor: {
      invocations: 0,
      coldStarts: 0,
      records: 0,
      durationMs: 10,
      logBytesPerInvocation: 0,
      publishedLineBytes: 0,
      events: 0,
      deadLetters: 0,
      writeUnits: 0,
      readUnits: 0,
    },
  } as unknown as ModelContext;

  test("Lambda's START, END and REPORT lines count unless the system log level leaves them out", () => {
    const withPlatform = constructUsage(figures, variant, context).logBytes;
    const without = constructUsage(figures, { ...variant, handlerPlatformLogs: false }, context).logBytes;
    expect(without).toBe(400);
    expect(withPlatform - without).toBeGreaterThan(200);
  });

  test("a state write carries its share of the stream processor's own DynamoDB units (delivery analytics)", () => {
    const stateWrite = {
      operation: 'PutItem',
      ok: true,
      after: { pk: { S: 'TRACK#A1' }, sk: { S: 'STATE' }, status: { S: 'delivered' } },
    };
    const withWrite = { ...figures, calls: [stateWrite] } as unknown as KindFigures;
    const processor = { ...context.processor, records: 10, writeUnits: 5, readUnits: 2 };
    const isState = (item: Record<string, { S?: string }>) => item.sk?.S === 'STATE';
    const without = constructUsage(withWrite, variant, { ...context, isState } as unknown as ModelContext);
    const shared = constructUsage(withWrite, variant, { ...context, isState, processor } as unknown as ModelContext);
    expect(shared.writeUnits - without.writeUnits).toBeCloseTo(0.5);
    expect(shared.readUnits - without.readUnits).toBeCloseTo(0.2);
  });

  test("a variant pays its own API type's requests and access-log line", () => {
    const http = constructUsage(figures, { ...variant, handlerPlatformLogs: false }, context);
    const rest = constructUsage(figures, { ...variant, handlerPlatformLogs: false, apiType: 'REST' }, context);
    expect([http.apiHttpRequests, http.apiRestRequests, rest.apiHttpRequests, rest.apiRestRequests]).toEqual([1, 0, 0, 1]);
    expect(rest.logBytes - http.logBytes).toBe(50);
    expect(price(http)['API Gateway']).toBeCloseTo(1e-6);
    expect(price(rest)['API Gateway']).toBeCloseTo(3.5e-6);
  });
});

describe('the seed design on the same traffic', () => {
  test('its item is the update as sent plus the receive timestamp', () => {
    const item = seedItem({ tracking_id: 'A1', status: 'in_transit', location: { lat: 52.5, lng: 13.4 } }, Date.UTC(2026, 0, 1));
    expect(item).toEqual({
      tracking_id: { S: 'A1' },
      status: { S: 'in_transit' },
      location: { M: { lat: { N: '52.5' }, lng: { N: '13.4' } } },
      timestamp: { S: '2026-01-01T00:00:00.000Z' },
    });
  });

  test('every accepted update is a new item, a resend too; reads return the newest page; batches have no route', () => {
    const body = { tracking_id: 'A1', status: 'in_transit', location: { lat: 1, lng: 2 }, event_id: 'e1' };
    const request = (planned: object, at: number) => ({
      planned, sentAtMs: at, status: 200, trace: '', requestId: '', responseBytes: 0, response: {}, rawHeaders: [], bodyText: '', handlerLines: [],
    }) as never;
    const calls = seedCalls([
      request({ kind: 'new shipment', method: 'POST', path: '/track', body, updates: 1 }, 1),
      request({ kind: 'client retry', method: 'POST', path: '/track', body, updates: 1 }, 2),
      request({ kind: 'GET /status', method: 'GET', path: '/status', query: { tracking_id: 'A1', limit: '1' }, updates: 0 }, 3),
      request({ kind: 'GET /shipments', method: 'GET', path: '/shipments', query: { status: 'in_transit' }, updates: 0 }, 4),
      request({ kind: 'batch of 100', method: 'POST', path: '/track/batch', body: { updates: [body] }, updates: 1 }, 5),
    ]);
    expect(calls[0]![0]).toMatchObject({ operation: 'PutItem', after: expect.objectContaining({ timestamp: { S: '1970-01-01T00:00:00.001Z' } }) });
    expect(calls[1]![0]).toMatchObject({ operation: 'PutItem', after: expect.objectContaining({ timestamp: { S: '1970-01-01T00:00:00.002Z' } }) });
    expect(calls[2]![0].read).toHaveLength(1);
    expect(calls[3]![0]).toMatchObject({ indexName: 'status-index', consistent: false });
    expect(calls[3]![0].read).toHaveLength(2);
    expect(calls[4]).toBeUndefined();
  });
});
