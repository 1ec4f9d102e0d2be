import * as fs from 'fs';
import * as path from 'path';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalRuntime, startLocalRuntime } from '../../local/index';
import { synthE2eApp, workDir } from '../e2e/harness';

/**
 * The JavaScript entry point consumers' tests use (`logistics-tracking-api/local`):
 * free ports, a signed fetch, what an SDK client needs to reach the emulator, and
 * a stop that leaves nothing. From the sources here; test:package runs the
 * packaged bundle the same way.
 */

jest.setTimeout(120_000);

const dir = workDir('local-index');
const cdkOut = synthE2eApp(path.join(dir, 'cdk.out'));
let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocalRuntime({ cdkOut, logDir: path.join(dir, 'logs') });
});
afterAll(() => local?.stop());

test('it serves on a free port, and says which stack and construct', () => {
  expect(local.port).toBeGreaterThan(0);
  expect(local.port).not.toBe(3000);
  expect(local.url).toBe(`http://127.0.0.1:${local.port}/${local.stage}/`);
  expect(local.stackName).toBeTruthy();
  expect(local.constructPath).toMatch(/\/Tracking$/);
  expect(Object.keys(local).sort()).toEqual([
    'constructPath', 'credentials', 'emulatorEndpoint', 'eventBuses', 'fetch', 'host', 'logDir', 'port', 'queues', 'region',
    'runSchedule', 'stackName', 'stage', 'stop', 'url',
  ]);
});

test('fetch signs: a POST and a GET with a query go through; the same request unsigned is refused', async () => {
  const update = { tracking_id: 'INDEX-1', event_id: 'index-scan-1', status: 'in_transit', location: { lat: 1, lng: 2 } };
  const posted = await local.fetch('track', { method: 'POST', body: update });
  expect(posted.status).toBe(200);
  const read = await local.fetch('/status?tracking_id=INDEX-1');
  expect(read.status).toBe(200);
  expect(((await read.json()) as { current: unknown }).current).toMatchObject({ status: 'in_transit', event_id: 'index-scan-1' });
  expect((await fetch(new URL('status?tracking_id=INDEX-1', local.url))).status).toBe(403);
});

test('queues are listed with URLs an SQS client at emulatorEndpoint can use', async () => {
  const sqs = new SQSClient({ endpoint: local.emulatorEndpoint, region: local.region, credentials: local.credentials });
  try {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    expect(local.queues.length).toBeGreaterThan(0);
    expect(QueueUrls.sort()).toEqual(expect.arrayContaining(local.queues.map((queue) => queue.url)));
    // The emulator is an ordinary endpoint: a test may create what it needs beside the stack.
    await sqs.send(new CreateQueueCommand({ QueueName: 'test-own-queue' }));
  } finally {
    sqs.destroy();
  }
});

test('stop() resolves once the API and the emulator are gone', async () => {
  const { port, emulatorEndpoint } = local;
  await local.stop();
  await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  await expect(fetch(`${emulatorEndpoint}/moto-api/`)).rejects.toThrow();
  expect(fs.existsSync(path.join(dir, 'logs', 'moto.log'))).toBe(true);
});
