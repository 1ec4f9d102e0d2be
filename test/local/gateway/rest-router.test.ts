import type { ApiResourceSpec, MethodSpec } from '../../../local/assembly/rest-api';
import { Router } from '../../../local/gateway/rest-router';

/** API Gateway's selection: exact resource beats {param} beats {proxy+}; the exact method beats ANY. */

function method(httpMethod: string, resourcePath: string): MethodSpec {
  return {
    httpMethod,
    resourcePath,
    authorizationType: 'NONE',
    validateBody: false,
    validateParameters: false,
    requestModels: {},
    requiredParameters: [],
    integration: { kind: 'lambda-proxy', functionLogicalId: `${httpMethod} ${resourcePath}`, timeoutMs: 29_000 },
  };
}

function resource(path: string, ...methods: string[]): ApiResourceSpec {
  return { id: path, path, methods: new Map(methods.map((m) => [m, method(m, path)])) };
}

/** The construct's shape (specific method + ANY per route, ANY on the root and {proxy+}) plus a few more. */
const router = new Router([
  resource('/', 'ANY'),
  resource('/{proxy+}', 'ANY'),
  resource('/track', 'POST', 'ANY'),
  resource('/track/batch', 'POST'),
  resource('/status', 'GET', 'ANY'),
  resource('/orders'),
  resource('/orders/{id}', 'GET'),
  resource('/orders/{id}/lines', 'GET'),
  resource('/orders/special/summary', 'GET'),
  resource('/files/{path+}', 'GET'),
]);

function route(httpMethod: string, path: string): string | undefined {
  const match = router.match(httpMethod, path);
  return match && `${match.method.httpMethod} ${match.resource.path}`;
}

describe('method selection', () => {
  test.each([
    ['POST', '/track', 'POST /track'],
    ['GET', '/track', 'ANY /track'],
    ['DELETE', '/track', 'ANY /track'],
    ['GET', '/status', 'GET /status'],
    ['post', '/status', 'ANY /status'],
  ])('%s %s → %s', (httpMethod, path, expected) => {
    expect(route(httpMethod, path)).toBe(expected);
  });
});

describe('resource selection', () => {
  test.each([
    ['GET', '/', 'ANY /'],
    ['GET', '/unknown', 'ANY /{proxy+}'],
    ['GET', '/track/unknown/deeper', 'ANY /{proxy+}'],
    ['POST', '/track/batch', 'POST /track/batch'],
    ['GET', '/orders/42', 'GET /orders/{id}'],
    ['GET', '/orders/42/lines', 'GET /orders/{id}/lines'],
    // A literal part that leads nowhere deeper gives way to the {param} sibling.
    ['GET', '/orders/special/lines', 'GET /orders/{id}/lines'],
    ['GET', '/orders/special/summary', 'GET /orders/special/summary'],
    ['GET', '/files/a/b/c.txt', 'GET /files/{path+}'],
    // A trailing slash or a doubled one selects the same resource.
    ['POST', '/track/', 'POST /track'],
    ['GET', '//status', 'GET /status'],
  ])('%s %s → %s', (httpMethod, path, expected) => {
    expect(route(httpMethod, path)).toBe(expected);
  });

  test('a resource that matches but has neither the method nor ANY does not fall back to {proxy+}: 403 as for no route', () => {
    expect(route('GET', '/track/batch')).toBeUndefined();
    expect(route('GET', '/orders')).toBeUndefined();
    expect(route('DELETE', '/orders/42')).toBeUndefined();
  });

  test('a greedy path part needs at least one segment', () => {
    expect(route('GET', '/files')).toBe('ANY /{proxy+}');
    expect(new Router([resource('/{proxy+}', 'ANY')]).match('GET', '/')).toBeUndefined();
  });
});

describe('path parameters', () => {
  test('{proxy+} carries the rest of the path, decoded', () => {
    expect(router.match('GET', '/a/b%20c/d')!.pathParameters).toEqual({ proxy: 'a/b c/d' });
  });

  test('named parameters, and null when there are none (as in the proxy event)', () => {
    expect(router.match('GET', '/orders/o%2F1/lines')!.pathParameters).toEqual({ id: 'o/1' });
    expect(router.match('POST', '/track')!.pathParameters).toBeNull();
  });

  test('nothing may follow a greedy path part', () => {
    expect(() => new Router([resource('/{proxy+}/x', 'GET')])).toThrow(/nothing can follow a \{proxy\+\} path part/);
  });
});
