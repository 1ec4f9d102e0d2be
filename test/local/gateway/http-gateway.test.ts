import * as http from 'http';
import type { AddressInfo } from 'net';
import type { CfnTemplate } from '../../../local/assembly/cloud-assembly';
import { HttpLocalTemplate, toLocalTemplate } from '../../../local/assembly/template';
import type { InvokeOutcome } from '../../../local/functions/workers';
import { HttpGateway } from '../../../local/gateway/http-gateway';
import { SigV4Verifier } from '../../../local/gateway/sigv4';
import { DEFAULT_CREDENTIALS } from '../../../local/runtime';
import { send, Target } from '../../e2e/harness';
import { assembly, EMULATOR, httpApiTemplate, ROUTES } from '../assembly/http-api-fixture';

/**
 * An HTTP API gateway over real HTTP, the function replaced by a stub that
 * records the payload format 1.0 event: what API Gateway sends, and what it
 * answers itself.
 */

function readHttp(template: CfnTemplate): HttpLocalTemplate {
  const local = toLocalTemplate(assembly(template), { emulatorEndpoint: EMULATOR });
  if (local.protocol !== 'HTTP') throw new Error('expected an HTTP API');
  return local;
}

let answer: (event: any) => Promise<InvokeOutcome> = async () => ({ kind: 'result', payload: '{}' });
const events: any[] = [];

function serve(local: HttpLocalTemplate): http.Server {
  const gateway = new HttpGateway({
    api: local.httpApi,
    accountId: local.accountId,
    verifier: new SigV4Verifier({ region: 'us-east-1', service: 'execute-api', credentials: [DEFAULT_CREDENTIALS] }),
    invoke: async (_fn, event) => {
      events.push(event);
      return answer(event);
    },
  });
  return http.createServer(gateway.listener);
}

/** The routes with $default, a short integration timeout, a stage variable; the same without $default; one on the $default stage. */
const local = readHttp(httpApiTemplate({ timeoutInMillis: 500, stageVariables: { color: 'blue' } }));
const withoutDefault = readHttp(httpApiTemplate({ routes: ROUTES.filter((route) => route.routeKey !== '$default') }));
const defaultStage = readHttp(httpApiTemplate({ stageName: '$default' }));
const servers = [serve(local), serve(withoutDefault), serve(defaultStage)];
let target: Target;
let noDefaultTarget: Target;
let defaultStageTarget: Target;

beforeAll(async () => {
  const targets = await Promise.all(servers.map(async (server, i): Promise<Target> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    // `send` puts `/<stage>` in front of the path: the $default stage (served at the root) is sent to with `get`.
    return { host: '127.0.0.1', port: (server.address() as AddressInfo).port, stage: i === 2 ? '$default' : 'prod', region: 'us-east-1', credentials: DEFAULT_CREDENTIALS };
  }));
  [target, noDefaultTarget, defaultStageTarget] = targets;
});

afterAll(async () => {
  await Promise.all(servers.map(async (server) => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }));
});

beforeEach(() => {
  events.length = 0;
  answer = async () => ({ kind: 'result', payload: JSON.stringify({ statusCode: 200, body: '{"ok":true}' }) });
});

/** An unsigned GET of exactly `path` (query included), for what `send` would encode or prefix. */
function get(to: Target, path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    http.get({ host: to.host, port: to.port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

const result = (value: unknown): Promise<InvokeOutcome> => Promise.resolve({ kind: 'result', payload: JSON.stringify(value) });

describe('the payload format 1.0 event', () => {
  test('POST /track, IAM-signed: version, resource, path with the stage, the route key as resourceId, the caller', async () => {
    const before = Date.now();
    const response = await send(target, { method: 'POST', path: '/track', body: '{"tracking_id":"A"}', headers: { 'Content-Type': 'application/json', 'X-Custom': 'v' } });
    expect(response.status).toBe(200);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/track',
      path: '/prod/track',
      httpMethod: 'POST',
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: { color: 'blue' },
      body: '{"tracking_id":"A"}',
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Custom': 'v', 'X-Forwarded-For': '127.0.0.1', 'X-Forwarded-Proto': 'http' });
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.multiValueHeaders['X-Custom']).toEqual(['v']);
    expect(event.requestContext).toMatchObject({
      accountId: '123456789012',
      apiId: local.httpApi.id,
      httpMethod: 'POST',
      path: '/prod/track',
      resourceId: 'POST /track',
      resourcePath: '/track',
      stage: 'prod',
      protocol: 'HTTP/1.1',
      requestId: response.headers['apigw-requestid'],
      extendedRequestId: response.headers['apigw-requestid'],
      identity: { sourceIp: '127.0.0.1', accessKey: 'local', caller: 'local', user: 'local', userArn: 'arn:aws:iam::123456789012:user/local', cognitoAmr: null },
    });
    // 1.0 events carry the route key as resourceId; they have no routeKey and, for IAM, no authorizer.
    expect(event.requestContext.routeKey).toBeUndefined();
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(event.requestContext.requestTimeEpoch).toBeGreaterThanOrEqual(before);
    expect(response.headers['apigw-requestid']).toMatch(/^[A-Za-z0-9+/]{15}=$/);
  });

  test('an open route: no caller; Content-Length added even when the client sent none', async () => {
    expect(await get(target, '/prod/status')).toBe(200);
    expect(events[0].requestContext.identity).toMatchObject({ accessKey: null, caller: null, userArn: null });
    expect(events[0].headers['Content-Length']).toBe('0');
  });

  test('{id} and a repeated query parameter: pathParameters, the first value single, every value multi', async () => {
    expect(await get(target, '/prod/items/a%20b?x=1&x=2&y=c%20d')).toBe(200);
    expect(events[0]).toMatchObject({
      resource: '/items/{id}',
      path: '/prod/items/a%20b',
      pathParameters: { id: 'a b' },
      queryStringParameters: { x: '1', y: 'c d' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['c d'] },
      requestContext: { resourceId: 'GET /items/{id}', resourcePath: '/items/{id}' },
    });
  });

  test('the route the request selects is the one the event names', async () => {
    const routeOf = async (method: string, path: string) => {
      events.length = 0;
      await send(target, { method, path, sign: path === '/track' ? undefined : false });
      return events[0]?.requestContext.resourceId;
    };
    expect(await routeOf('GET', '/items/special')).toBe('GET /items/special');
    expect(await routeOf('GET', '/items/7')).toBe('GET /items/{id}');
    expect(await routeOf('POST', '/items/7')).toBe('ANY /items/{proxy+}');
    expect(await routeOf('DELETE', '/track')).toBe('ANY /track');
    expect(await routeOf('POST', '/track')).toBe('POST /track');
  });

  test('$default: resource and resourcePath are "$default", the whole path is passed', async () => {
    expect((await send(target, { method: 'PUT', path: '/somewhere/else', sign: false })).status).toBe(200);
    expect(events[0]).toMatchObject({ resource: '$default', path: '/prod/somewhere/else', pathParameters: null, requestContext: { resourceId: '$default', resourcePath: '$default' } });
  });

  test('the $default stage is served at the root: no stage segment in the path, stage "$default"', async () => {
    expect(await get(defaultStageTarget, '/status')).toBe(200);
    expect(events[0]).toMatchObject({ path: '/status', requestContext: { path: '/status', stage: '$default', resourceId: 'GET /status' } });
  });
});

describe('what the gateway answers itself: {"message": ...} and apigw-requestid, no gateway responses', () => {
  const expectMessage = (response: { status: number; json: any; headers: http.IncomingHttpHeaders }, status: number, message: string) => {
    expect(response.status).toBe(status);
    expect(response.json).toEqual({ message });
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['apigw-requestid']).toMatch(/=$/);
  };

  test('an unknown stage is 404 Not Found', async () => {
    expectMessage(await send({ ...target, stage: 'dev' }, { path: '/status', sign: false }), 404, 'Not Found');
    expect(events).toHaveLength(0);
  });

  test('no route and no $default is 404 Not Found; with $default the same request is served', async () => {
    expectMessage(await send(noDefaultTarget, { method: 'PUT', path: '/somewhere', sign: false }), 404, 'Not Found');
    expect(events).toHaveLength(0);
    expect((await send(target, { method: 'PUT', path: '/somewhere', sign: false })).status).toBe(200);
  });

  test('an IAM route without a signature is 403 Forbidden, and never reaches the function', async () => {
    expectMessage(await send(target, { method: 'POST', path: '/track', body: '{}', sign: false }), 403, 'Forbidden');
    expect(events).toHaveLength(0);
  });

  test('an IAM route with a signature that does not match is 403 Forbidden', async () => {
    const tampered = await send(target, { method: 'POST', path: '/track', body: '{"a":1}', afterSigning: (request) => { request.body = '{"a":2}'; } });
    expectMessage(tampered, 403, 'Forbidden');
    const wrongKey = await send(target, { method: 'POST', path: '/track', body: '{}', sign: { accessKeyId: 'local', secretAccessKey: 'wrong' } });
    expectMessage(wrongKey, 403, 'Forbidden');
    expect(events).toHaveLength(0);
  });

  test('a body over the 10 MB payload limit is 413', async () => {
    expectMessage(await send(target, { method: 'POST', path: '/status', body: 'x'.repeat(10 * 1024 * 1024 + 1), sign: false }), 413, 'Request Entity Too Large');
    expect(events).toHaveLength(0);
  });
});

describe("mapping the function's answer", () => {
  test('status, headers, multi-value headers, a base64 body, apigw-requestid', async () => {
    answer = () => result({ statusCode: 201, headers: { 'X-One': 1 }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: Buffer.from('hello').toString('base64'), isBase64Encoded: true });
    const response = await send(target, { path: '/status', sign: false });
    expect(response.status).toBe(201);
    expect(response.text).toBe('hello');
    expect(response.headers['x-one']).toBe('1');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.headers['content-length']).toBe('5');
    expect(response.headers['apigw-requestid']).toBe(events[0].requestContext.requestId);
  });

  test.each<[string, () => Promise<InvokeOutcome>]>([
    ['a function error', async () => ({ kind: 'error', errorType: 'TypeError', errorMessage: 'boom' })],
    ['a function timeout below the integration timeout', async () => ({ kind: 'timeout' })],
    ['a body that is not a string', () => result({ statusCode: 200, body: { not: 'a string' } })],
    ['no statusCode', () => result({ body: 'x' })],
    ['a result that is not an object', () => result('just text')],
    ['a throttled invoke (reserved concurrency reached)', async () => ({ kind: 'throttled' })],
  ])('%s is a 500 {"message":"Internal Server Error"}', async (_name, outcome) => {
    answer = outcome;
    const response = await send(target, { path: '/status', sign: false });
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ message: 'Internal Server Error' });
    expect(events).toHaveLength(1);
  });

  test('no answer within the integration timeout is 503 {"message":"Service Unavailable"}', async () => {
    answer = () => new Promise(() => undefined);
    const started = Date.now();
    const response = await send(target, { path: '/status', sign: false });
    expect(response.status).toBe(503);
    expect(response.json).toEqual({ message: 'Service Unavailable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});
