import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { assembly, EMULATOR, httpApiTemplate, withRestApi } from './http-api-fixture';
import type { CfnTemplate } from '../../../local/assembly/cloud-assembly';
import { parseRouteKey } from '../../../local/assembly/http-api';
import { TemplateError } from '../../../local/assembly/intrinsics';
import { apiEndpoints, stageBasePath } from '../../../local/assembly/served-api';
import { HttpLocalTemplate, LocalTemplate, restTemplate, toLocalTemplate } from '../../../local/assembly/template';
import { startRuntime } from '../../../local/runtime';
import { LogisticsTrackingApi } from '../../../src';

/**
 * Reading an HTTP API (AWS::ApiGatewayV2::*, ProtocolType HTTP) from a template:
 * what it serves, what it leaves out, and the templates it refuses.
 */

const read = (template: CfnTemplate, options: { api?: string; restApi?: string } = {}): LocalTemplate =>
  toLocalTemplate(assembly(template), { emulatorEndpoint: EMULATOR, ...options });

function httpTemplate(template: CfnTemplate, options: { api?: string; restApi?: string } = {}): HttpLocalTemplate {
  const local = read(template, options);
  if (local.protocol !== 'HTTP') throw new Error(`expected an HTTP API, got ${local.protocol}`);
  return local;
}

/** The template with `change` applied to a copy. */
function changed(change: (resources: Record<string, any>) => void, template: CfnTemplate = httpApiTemplate()): CfnTemplate {
  const copy: any = JSON.parse(JSON.stringify(template));
  change(copy.Resources);
  return copy;
}

describe('an HTTP API template', () => {
  const local = httpTemplate(httpApiTemplate({ stageVariables: { color: 'blue' } }));
  const routes = new Map(local.httpApi.routes.map((route) => [route.routeKey, route]));

  test('the API: logical id, an API Gateway-shaped id, its name', () => {
    expect(local.httpApi).toMatchObject({ logicalId: 'Api', name: 'tracking' });
    expect(local.httpApi.id).toMatch(/^[a-z0-9]{10}$/);
  });

  test('the stage with its variables and default route throttling', () => {
    expect([...local.httpApi.stages.values()]).toEqual([{ name: 'prod', variables: { color: 'blue' }, throttling: { rateLimit: 100, burstLimit: 200 } }]);
    expect(stageBasePath(local, 'prod')).toBe('/prod/');
  });

  test('each route: its key split into method and path, its authorization, its Lambda integration (payload 1.0, 30 s by default)', () => {
    expect(routes.get('POST /track')).toEqual({
      logicalId: 'Route0',
      routeKey: 'POST /track',
      method: 'POST',
      path: '/track',
      authorizationType: 'AWS_IAM',
      integration: { kind: 'lambda-proxy', functionLogicalId: 'Handler', payloadFormatVersion: '1.0', timeoutMs: 30_000 },
    });
    expect(routes.get('ANY /items/{proxy+}')).toMatchObject({ method: 'ANY', path: '/items/{proxy+}', authorizationType: 'NONE' });
    const catchAll = routes.get('$default')!;
    expect([catchAll.method, catchAll.path, catchAll.integration.kind]).toEqual([undefined, undefined, 'lambda-proxy']);
    expect(local.notServed).toEqual([]);
  });

  test('an integration timeout from TimeoutInMillis', () => {
    const short = httpTemplate(httpApiTemplate({ timeoutInMillis: 5000 }));
    expect(short.httpApi.routes[0].integration).toMatchObject({ kind: 'lambda-proxy', timeoutMs: 5000 });
  });

  test('an alias ARN as integration URI runs the same function', () => {
    const aliased = httpTemplate(changed((resources) => {
      resources.Integration.Properties.IntegrationUri = { 'Fn::Join': [':', [{ 'Fn::GetAtt': ['Handler', 'Arn'] }, 'live']] };
    }));
    expect(aliased.httpApi.routes[0].integration).toMatchObject({ kind: 'lambda-proxy', functionLogicalId: 'Handler' });
  });

  test('the start-up checks see every route with its authorization and function', () => {
    expect(apiEndpoints(local)).toContainEqual({ label: 'POST /track', resource: 'route Route0', authorizationType: 'AWS_IAM', functionLogicalId: 'Handler' });
    expect(apiEndpoints(local)).toHaveLength(7);
  });

  test('a caller that handles REST only is told the template serves an HTTP API', () => {
    expect(() => restTemplate(local)).toThrow(/the template serves an HTTP API \(Api\), not a REST API/);
  });

  test('a $default stage is served at the root', () => {
    const root = httpTemplate(httpApiTemplate({ stageName: '$default' }));
    expect(stageBasePath(root, '$default')).toBe('/');
  });
});

describe('integrations the local runtime does not run are listed, and answer 500', () => {
  test.each<[string, (resources: Record<string, any>) => void, RegExp]>([
    ['payload format 2.0', (r) => { r.Integration.Properties.PayloadFormatVersion = '2.0'; }, /payload format version 2\.0: only 1\.0 is served locally/],
    ['an HTTP_PROXY integration', (r) => { r.Integration.Properties.IntegrationType = 'HTTP_PROXY'; r.Integration.Properties.IntegrationUri = 'https://example.com'; }, /a HTTP_PROXY integration/],
    ['a function of another stack', (r) => { r.Integration.Properties.IntegrationUri = 'arn:aws:lambda:us-east-1:123456789012:function:elsewhere'; }, /function:elsewhere, not a function of this stack/],
    ['a route without a target', (r) => { delete r.Route0.Properties.Target; }, /no integration \(Target\)/],
  ])('%s', (_name, change, description) => {
    const local = httpTemplate(changed(change));
    const unsupported = local.httpApi.routes.find((route) => route.integration.kind === 'unsupported')!;
    expect(unsupported.integration).toMatchObject({ kind: 'unsupported', description: expect.stringMatching(description) });
    expect(local.notServed).toContainEqual(expect.stringMatching(/\(answers 500 locally\)$/));
  });

  test('a WebSocket API is listed, not served', () => {
    const local = httpTemplate(changed((r) => {
      r.Socket = { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'socket', ProtocolType: 'WEBSOCKET' } };
    }));
    expect(local.notServed).toContainEqual('Socket (a WEBSOCKET AWS::ApiGatewayV2::Api: only HTTP APIs and REST APIs are served)');
  });
});

describe('templates an HTTP API cannot be served from fail with where and why', () => {
  test.each<[string, (resources: Record<string, any>) => void, string | RegExp]>([
    ['no stage', (r) => { delete r.Stage; }, 'Api has no stage (AWS::ApiGatewayV2::Stage)'],
    ['a malformed route key', (r) => { r.Route0.Properties.RouteKey = 'FETCH /track'; }, /Resources\.Route0\.Properties\.RouteKey: "FETCH \/track" is not a route key/],
    ['a greedy variable before the end', (r) => { r.Route0.Properties.RouteKey = 'GET /{proxy+}/more'; }, /nothing can follow a greedy path variable in GET \/\{proxy\+\}\/more/],
    ['two routes with one key', (r) => { r.Route1.Properties.RouteKey = 'POST /track'; }, 'Api has two routes POST /track, which API Gateway refuses'],
    ['an OpenAPI body', (r) => { r.Api.Properties.Body = { openapi: '3.0.1' }; }, /an HTTP API defined by an OpenAPI body is not served locally/],
    ['a quick-create API', (r) => { r.Api.Properties.Target = 'arn:aws:lambda:us-east-1:123456789012:function:x'; }, /quick-create HTTP API/],
  ])('%s', (_name, change, message) => {
    expect(() => read(changed(change))).toThrow(TemplateError);
    expect(() => read(changed(change))).toThrow(message);
  });

  test('route keys: methods upper-cased, a trailing slash dropped', () => {
    expect(parseRouteKey('get /items/', 'here')).toEqual({ method: 'GET', path: '/items' });
    expect(parseRouteKey('$default', 'here')).toEqual({});
  });
});

describe('choosing the API when a template holds a RestApi and an HTTP API', () => {
  const both = withRestApi(httpApiTemplate());

  test('without a choice: an error naming both and the option', () => {
    expect(() => read(both)).toThrow('the template holds RestApis (Rest) and HTTP APIs (Api); choose one with --api');
  });

  test('`api` chooses the HTTP API; the RestApi is listed as not served', () => {
    const local = read(both, { api: 'Api' });
    expect(local.protocol).toBe('HTTP');
    expect(local.notServed).toContainEqual('Rest (only one API is served)');
  });

  test('`api`, or the older `restApi`, chooses the RestApi', () => {
    for (const options of [{ api: 'Rest' }, { restApi: 'Rest' }]) {
      const local = restTemplate(read(both, options));
      expect(local.api.stages.has('v1')).toBe(true);
      expect(local.notServed).toContainEqual('Api (only one API is served)');
    }
  });

  test('an unknown choice names what the template holds', () => {
    expect(() => read(both, { api: 'Nope' })).toThrow('API Nope is not in the template; it holds: Rest, Api');
  });

  test('several HTTP APIs ask for --api, and a choice among them is served', () => {
    const two = changed((r) => {
      r.Other = { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'other', ProtocolType: 'HTTP' } };
    });
    expect(() => read(two)).toThrow('the template holds several HTTP APIs (Api, Other); choose one with --api');
    expect(httpTemplate(two, { api: 'Api' }).notServed).toContainEqual('Other (only one HTTP API is served)');
  });

  test('a template with only a RestApi is read as before', () => {
    const rest = changed((r) => {
      for (const id of Object.keys(r)) if (r[id].Type.startsWith('AWS::ApiGatewayV2::')) delete r[id];
    }, both);
    const local = read(rest);
    expect(local.protocol).toBe('REST');
    expect(apiEndpoints(local)).toEqual([{ label: 'GET /', resource: 'method RestGet', authorizationType: 'NONE', functionLogicalId: 'Handler' }]);
    expect(() => read({ Resources: {} })).toThrow('the template has no AWS::ApiGateway::RestApi to serve');
  });
});

describe('start-up', () => {
  /** A cloud assembly on disk holding `template`. */
  function cdkOut(template: CfnTemplate): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'http-api-assembly-'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '1',
      artifacts: { HttpApiTest: { type: 'aws:cloudformation:stack', properties: { templateFile: 'HttpApiTest.template.json' }, dependencies: [] } },
    }));
    fs.writeFileSync(path.join(dir, 'HttpApiTest.template.json'), JSON.stringify(template));
    // The handler's code, staged where the template's S3 key says (asset.<hash> for <hash>.zip).
    fs.mkdirSync(path.join(dir, 'asset.abc'));
    return dir;
  }

  test('a JWT route is refused before anything starts, naming the route', async () => {
    const dir = cdkOut(changed((r) => {
      r.Route2.Properties.AuthorizationType = 'JWT';
      r.Route2.Properties.AuthorizerId = 'abc123';
    }));
    try {
      await expect(startRuntime({ cdkOut: dir, logDir: path.join(dir, 'logs') }))
        .rejects.toThrow('GET /status (route Route2) uses JWT authorization, which the local runtime does not serve: it checks AWS_IAM signatures and NONE only, no tokens or Lambda authorizers. '
          + 'Use AWS_IAM or NONE authorization locally, e.g. synthesize the LogisticsTrackingApi with ApiAuthorization.iam() (the default) for local runs');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the construct's own template (its default API type)", () => {
  test('serves the HTTP API: every route, IAM-signed, to the handler, on the named stage', () => {
    const stack = new Stack(new App(), 'ReaderTest');
    new LogisticsTrackingApi(stack, 'Tracking', { stageName: 'qa' });
    const local = httpTemplate(JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON())));
    const handler = [...local.functions.values()].find((fn) => fn.logicalId.startsWith('TrackingHandler'))!;
    expect(apiEndpoints(local).map((endpoint) => endpoint.label).sort()).toEqual([
      '$default', 'ANY /shipments', 'ANY /shipments/{tracking_id}', 'ANY /status', 'ANY /track', 'ANY /track/batch',
      'DELETE /shipments/{tracking_id}', 'GET /shipments', 'GET /status', 'POST /track', 'POST /track/batch',
    ]);
    for (const endpoint of apiEndpoints(local)) expect(endpoint).toMatchObject({ authorizationType: 'AWS_IAM', functionLogicalId: handler.logicalId });
    expect([...local.httpApi.stages.keys()]).toEqual(['qa']);
    expect(stageBasePath(local, 'qa')).toBe('/qa/');
  });
});
