import * as http from 'http';
import type { AddressInfo } from 'net';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { restTemplate, toLocalTemplate } from '../../../local/assembly/template';
import type { InvokeOutcome } from '../../../local/functions/workers';
import { renderGatewayResponse } from '../../../local/gateway/responses';
import { Gateway } from '../../../local/gateway/rest-gateway';
import { SigV4Verifier } from '../../../local/gateway/sigv4';
import { DEFAULT_CREDENTIALS } from '../../../local/runtime';
import { ApiType, LogisticsTrackingApi } from '../../../src';
import { send, Target } from '../../e2e/harness';

/**
 * The gateway in front of the function, over real HTTP, with the function
 * replaced by a stub that records the proxy event: what API Gateway sends and
 * how it maps what comes back. (The e2e suite runs the real function.)
 */

const template: any = (() => {
  const app = new App();
  const stack = new Stack(app, 'GatewayTest');
  new LogisticsTrackingApi(stack, 'Tracking', { stageName: 'qa', apiType: ApiType.REST });
  return JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
})();
// Two changes to exercise more of API Gateway: an open method, and a short integration timeout.
for (const resource of Object.values<any>(template.Resources)) {
  if (resource.Type !== 'AWS::ApiGateway::Method') continue;
  resource.Properties.Integration.TimeoutInMillis = 500;
  if (resource.Properties.HttpMethod === 'ANY' && resource.Properties.ResourceId['Fn::GetAtt']) resource.Properties.AuthorizationType = 'NONE';
}
// The construct leaves bodies to the handler; a template whose validator does check
// bodies exercises the gateway's own body validation.
const bodyValidating: any = JSON.parse(JSON.stringify(template));
for (const resource of Object.values<any>(bodyValidating.Resources)) {
  if (resource.Type === 'AWS::ApiGateway::RequestValidator') resource.Properties.ValidateRequestBody = true;
}

let answer: (event: any) => Promise<InvokeOutcome> = async () => ({ kind: 'result', payload: JSON.stringify({ statusCode: 200, body: '{}' }) });
const events: any[] = [];

function serve(served: any): http.Server {
  const read = restTemplate(toLocalTemplate({ stackName: 'GatewayTest', template: served, directory: '/cdk.out', assetDirectoryByObjectKey: new Map() }, { emulatorEndpoint: 'http://127.0.0.1:1' }));
  const gateway = new Gateway({
    api: read.api,
    accountId: read.accountId,
    verifier: new SigV4Verifier({ region: 'us-east-1', service: 'execute-api', credentials: [DEFAULT_CREDENTIALS] }),
    invoke: async (_fn, event) => {
      events.push(event);
      return answer(event);
    },
  });
  return http.createServer(gateway.listener);
}

/** What the construct's template serves: the API id the proxy events carry. */
const local = restTemplate(toLocalTemplate({ stackName: 'GatewayTest', template, directory: '/cdk.out', assetDirectoryByObjectKey: new Map() }, { emulatorEndpoint: 'http://127.0.0.1:1' }));
const servers = [serve(template), serve(bodyValidating)];
/** The construct's template, and the one whose validator checks bodies. */
let target: Target;
let bodyValidatingTarget: Target;

beforeAll(async () => {
  const [constructTarget, validatingTarget] = await Promise.all(servers.map(async (server): Promise<Target> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return { host: '127.0.0.1', port: (server.address() as AddressInfo).port, stage: 'qa', region: 'us-east-1', credentials: DEFAULT_CREDENTIALS };
  }));
  target = constructTarget;
  bodyValidatingTarget = validatingTarget;
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

const result = (value: unknown): Promise<InvokeOutcome> => Promise.resolve({ kind: 'result', payload: JSON.stringify(value) });

describe('the REST proxy event', () => {
  test('POST /track: resource, path, method, headers, body and requestContext as API Gateway builds them', async () => {
    const before = Date.now();
    const response = await send(target, { method: 'POST', path: '/track', body: '{"tracking_id":"A","status":"pending","location":{"lat":1,"lng":2}}', headers: { 'Content-Type': 'application/json', 'X-Custom': 'v' } });
    expect(response.status).toBe(200);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      resource: '/track',
      path: '/track',
      httpMethod: 'POST',
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      body: '{"tracking_id":"A","status":"pending","location":{"lat":1,"lng":2}}',
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Custom': 'v', 'X-Forwarded-For': '127.0.0.1', 'X-Forwarded-Proto': 'http' });
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.multiValueHeaders['X-Custom']).toEqual(['v']);
    expect(event.requestContext).toMatchObject({
      accountId: '123456789012',
      apiId: local.api.id,
      stage: 'qa',
      resourcePath: '/track',
      httpMethod: 'POST',
      path: '/qa/track',
      protocol: 'HTTP/1.1',
      requestId: response.headers['x-amzn-requestid'],
      identity: { sourceIp: '127.0.0.1', accessKey: 'local', caller: 'local', userArn: 'arn:aws:iam::123456789012:user/local' },
    });
    expect(event.requestContext.requestTimeEpoch).toBeGreaterThanOrEqual(before);
    expect(event.requestContext.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  test('{proxy+}: the rest of the path, decoded, as pathParameters.proxy', async () => {
    expect((await send(target, { path: '/a/b%20c', query: { x: '1' } })).status).toBe(200);
    expect(events[0]).toMatchObject({ resource: '/{proxy+}', path: '/a/b c', pathParameters: { proxy: 'a/b c' }, queryStringParameters: { x: '1' } });
  });

  test('a repeated query parameter: its last value in queryStringParameters, all of them in multiValueQueryStringParameters', async () => {
    // Raw, because the signer would sort repeated values; the root ANY method is open in this template.
    const status = await new Promise((resolve, reject) => {
      http.get({ host: target.host, port: target.port, path: '/qa/?x=1&x=2&y=a%20b' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      }).on('error', reject);
    });
    expect(status).toBe(200);
    expect(events[0]).toMatchObject({ resource: '/', path: '/', queryStringParameters: { x: '2', y: 'a b' }, multiValueQueryStringParameters: { x: ['1', '2'], y: ['a b'] } });
  });
});

describe('what the gateway answers itself', () => {
  test('an open method (AuthorizationType NONE) needs no signature; an IAM one does', async () => {
    expect((await send(target, { path: '/', sign: false })).status).toBe(200);
    const refused = await send(target, { path: '/track', method: 'POST', sign: false });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ error: 'Missing Authentication Token' });
  });

  test("with the construct's validator (ValidateRequestBody false) a body that breaks the model reaches the function, as on AWS", async () => {
    const response = await send(target, { method: 'POST', path: '/track', body: '{"tracking_id":"A"}', headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ resource: '/track', httpMethod: 'POST', body: '{"tracking_id":"A"}' });
  });

  test('with a validator that validates bodies, a body that breaks the model never reaches the function', async () => {
    const response = await send(bodyValidatingTarget, { method: 'POST', path: '/track', body: '{"tracking_id":"A"}', headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'Invalid request body' });
    expect(events).toHaveLength(0);
  });

  test('with a validator that validates bodies, a body without a content type is validated against the application/json model', async () => {
    const response = await send(bodyValidatingTarget, { method: 'POST', path: '/track', body: 'not json' });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'Invalid request body' });
    expect(events).toHaveLength(0);
  });

  test('an unknown stage is 403 {"message":"Forbidden"}, outside the API\'s gateway responses', async () => {
    const response = await send({ ...target, stage: 'prod' }, { path: '/track' });
    expect(response.status).toBe(403);
    expect(response.json).toEqual({ message: 'Forbidden' });
  });

  test('a body over API Gateway\'s 10 MB limit is a 413', async () => {
    const response = await send(target, { method: 'POST', path: '/track', body: 'x'.repeat(10 * 1024 * 1024 + 1), sign: false });
    expect(response.status).toBe(413);
    expect(response.json).toEqual({ error: 'Request Too Long' });
  });
});

describe("mapping the function's answer", () => {
  test('status, headers, multi-value headers and a base64 body; JSON by default; a Content-Length', async () => {
    answer = () => result({ statusCode: 201, headers: { 'X-One': 1 }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: Buffer.from('hello').toString('base64'), isBase64Encoded: true });
    const response = await send(target, { path: '/' });
    expect(response.status).toBe(201);
    expect(response.text).toBe('hello');
    expect(response.headers['x-one']).toBe('1');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['content-length']).toBe('5');
    expect(response.headers['transfer-encoding']).toBeUndefined();
  });

  test.each<[string, () => Promise<InvokeOutcome>]>([
    ['a function error', async () => ({ kind: 'error', errorType: 'TypeError', errorMessage: 'boom' })],
    ['a function timeout', async () => ({ kind: 'timeout' })],
    ['a body that is not a string', () => result({ statusCode: 200, body: { not: 'a string' } })],
    ['no statusCode', () => result({ body: 'x' })],
    ['a result that is not an object', () => result('just text')],
  ])('%s is a 502 {"error":"Internal server error"}', async (_name, outcome) => {
    answer = outcome;
    const response = await send(target, { path: '/' });
    expect(response.status).toBe(502);
    expect(response.json).toEqual({ error: 'Internal server error' });
  });

  test('no answer within the integration timeout is a 504 {"error":"Endpoint request timed out"}', async () => {
    answer = () => new Promise(() => undefined);
    const started = Date.now();
    const response = await send(target, { path: '/' });
    expect(response.status).toBe(504);
    expect(response.json).toEqual({ error: 'Endpoint request timed out' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});

describe('a function at its reserved concurrency (Lambda refuses the invoke)', () => {
  const busy = (): Promise<InvokeOutcome> => Promise.resolve({ kind: 'throttled' });

  test("the construct's template answers it with its INTEGRATION_FAILURE response: 503, Retry-After: 1, the contract's error shape", async () => {
    // What the construct synthesized, as read: the status, the quoted static header value and the template.
    expect(local.api.gatewayResponses.get('INTEGRATION_FAILURE')).toEqual({
      statusCode: 503,
      headers: { 'Retry-After': '1' },
      templates: { 'application/json': '{"error":"service temporarily unavailable, retry later"}' },
    });
    answer = busy;
    for (const request of [
      { method: 'POST', path: '/track', body: '{"tracking_id":"A","status":"pending","location":{"lat":1,"lng":2}}', headers: { 'Content-Type': 'application/json' } },
      { path: '/status', query: { tracking_id: 'A' } },
    ]) {
      const response = await send(target, request);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.json).toEqual({ error: 'service temporarily unavailable, retry later' });
    }
    // The gateway asked for an invocation each time; it was refused before the function ran.
    expect(events).toHaveLength(2);
  });

  test("without that response in the template, API Gateway's default applies: 504 through DEFAULT_5XX, no Retry-After", () => {
    const withoutIt = new Map(local.api.gatewayResponses);
    withoutIt.delete('INTEGRATION_FAILURE');
    const rendered = renderGatewayResponse({ type: 'INTEGRATION_FAILURE', message: 'Internal server error' }, withoutIt, {
      requestId: 'r', stage: 'qa', httpMethod: 'POST', sourceIp: '127.0.0.1', resourcePath: '/track',
    });
    expect(rendered.statusCode).toBe(504);
    expect(JSON.parse(rendered.body)).toEqual({ error: 'Internal server error' });
    expect(rendered.headers['Retry-After']).toBeUndefined();
  });
});
