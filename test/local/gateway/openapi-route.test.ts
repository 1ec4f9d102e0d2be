import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { OpenApiRoute } from '../../../local/gateway/openapi-route';

/** GET /openapi.json beside the stages: the file as it is now, or a 404 that says how to build it. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-route-'));
const file = path.join(dir, 'openapi.json');
const route = new OpenApiRoute(file);
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (route.matches(request)) return route.serve(request, response);
    response.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('serves the file byte for byte as JSON, read on each request', async () => {
  fs.writeFileSync(file, '{"openapi":"3.0.3","info":{"title":"one"}}');
  expect(await (await fetch(`${base}/openapi.json`)).text()).toBe('{"openapi":"3.0.3","info":{"title":"one"}}');
  fs.writeFileSync(file, '{"openapi":"3.0.3","info":{"title":"two"}}');
  const response = await fetch(`${base}/openapi.json?v=2`);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(await response.json()).toEqual({ openapi: '3.0.3', info: { title: 'two' } });
});

test('HEAD answers without a body; other methods and paths are not this route', async () => {
  fs.writeFileSync(file, '{}');
  const head = await fetch(`${base}/openapi.json`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
  expect((await fetch(`${base}/openapi.json`, { method: 'POST' })).status).toBe(418);
  expect((await fetch(`${base}/dev/openapi.json`)).status).toBe(418);
});

test('without the file: a 404 that names it and the command that writes it', async () => {
  fs.rmSync(file, { force: true });
  const response = await fetch(`${base}/openapi.json`);
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ error: `no OpenAPI document at ${file}: run \`npx projen bundle\`` });
});
