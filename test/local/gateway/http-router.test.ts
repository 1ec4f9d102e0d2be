import { HttpRouteSpec, parseRouteKey } from '../../../local/assembly/http-api';
import { HttpRouter } from '../../../local/gateway/http-router';

/**
 * HTTP API route selection ("Create routes for HTTP APIs", Routing API
 * requests): route and method together, the most specific path first, a
 * method-specific route before ANY, greedy variables last, then $default.
 */

function routes(...keys: string[]): HttpRouteSpec[] {
  return keys.map((routeKey) => ({
    routeKey,
    ...parseRouteKey(routeKey, 'test'),
    authorizationType: 'NONE',
    integration: { kind: 'unsupported', description: routeKey, timeoutMs: 1 },
  }));
}

const keyOf = (router: HttpRouter, method: string, path: string) => router.match(method, path)?.route.routeKey;

describe('HTTP API routing', () => {
  const router = new HttpRouter(routes(
    'GET /pets/dog/1',
    'GET /pets/dog/{id}',
    'GET /pets/{proxy+}',
    'ANY /{proxy+}',
    'ANY /track',
    'POST /track',
    'GET /',
    '$default',
  ));

  test.each<[string, string, string]>([
    ['GET', '/pets/dog/1', 'GET /pets/dog/1'],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}'],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}'],
    ['POST', '/pets/dog/1', 'ANY /{proxy+}'],
    ['POST', '/track', 'POST /track'],
    ['DELETE', '/track', 'ANY /track'],
    ['GET', '/track/', 'ANY /track'],
    ['GET', '/', 'GET /'],
    ['POST', '/', '$default'],
  ])('%s %s → %s', (method, path, expected) => {
    expect(keyOf(router, method, path)).toBe(expected);
  });

  test('path parameters, URL-decoded; the greedy one under its own name with the rest of the path', () => {
    expect(router.match('GET', '/pets/dog/a%20b')!.pathParameters).toEqual({ id: 'a b' });
    expect(router.match('GET', '/pets/cat/x/y%2Fz')!.pathParameters).toEqual({ proxy: 'cat/x/y/z' });
    expect(router.match('POST', '/track')!.pathParameters).toBeNull();
  });

  test('a greedy variable needs at least one segment', () => {
    const greedyOnly = new HttpRouter(routes('GET /pets/{proxy+}'));
    expect(keyOf(greedyOnly, 'GET', '/pets')).toBeUndefined();
    expect(keyOf(greedyOnly, 'GET', '/pets/a')).toBe('GET /pets/{proxy+}');
  });

  test('without $default, what matches no route has no route (the gateway answers 404)', () => {
    const noDefault = new HttpRouter(routes('GET /status'));
    expect(keyOf(noDefault, 'POST', '/status')).toBeUndefined();
    expect(keyOf(noDefault, 'GET', '/other')).toBeUndefined();
  });

  test('$default takes what nothing else does, with no path parameters', () => {
    expect(router.match('PATCH', '/')).toEqual({ route: expect.objectContaining({ routeKey: '$default' }), pathParameters: null });
  });
});
