import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { failure } from './failure';
import { connectEmulator, parseEmulatorEndpoint } from '../../../local/emulator/connect';
import { resolveMotoPython } from '../../../local/emulator/install';
import { startEmulator, StartedEmulator } from '../../../local/emulator/moto';
import { DEFAULT_CREDENTIALS } from '../../../local/runtime';
import { freePort } from '../../../local/support/ports';

/**
 * `--emulator-endpoint`: a moto server already running is checked, reset, and left
 * running; a closed port or a server that is not moto is refused with a message
 * saying what to do. The moto here is the repository's (.venv).
 */

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moto-connect-'));
let moto: StartedEmulator;
let sqs: SQSClient;

beforeAll(async () => {
  const { python } = await resolveMotoPython({ projectDir: ROOT });
  moto = await startEmulator({ python, host: '127.0.0.1', port: await freePort(), logFile: path.join(logDir, 'moto.log') });
  sqs = new SQSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
});

afterAll(async () => {
  sqs?.destroy();
  await moto?.stop();
  fs.rmSync(logDir, { recursive: true, force: true });
});


async function queues(): Promise<string[]> {
  return (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
}

test('a running moto: reset on connect, no pid or log, and stop() leaves it running', async () => {
  await sqs.send(new CreateQueueCommand({ QueueName: 'left-from-before' }));
  expect(await queues()).toHaveLength(1);

  const external = await connectEmulator(`${moto.endpoint}/`);
  expect(external).toMatchObject({ endpoint: moto.endpoint, port: moto.port, pid: undefined, logFile: undefined });
  expect(await queues()).toEqual([]);

  await external.stop();
  expect(() => process.kill(moto.pid, 0)).not.toThrow();
  await sqs.send(new CreateQueueCommand({ QueueName: 'after-stop' }));
  expect(await queues()).toHaveLength(1);
});

test('a closed port: nothing answers', async () => {
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  expect(await failure(connectEmulator(endpoint)))
    .toBe(`nothing answers at ${endpoint} (ECONNREFUSED): start moto_server there or drop --emulator-endpoint`);
});

test('an HTTP server that is not moto', async () => {
  const server = http.createServer((request, response) => {
    response.writeHead(request.url === '/moto-api/reset' ? 404 : 200, { 'Content-Type': 'text/html' });
    response.end('<html><body>Not Found</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const message = await failure(connectEmulator(endpoint));
    expect(message).toContain(`${endpoint} answers but is not moto: POST /moto-api/reset gave HTTP 404 <html><body>Not Found</body></html>`);
    expect(message).toContain('drop --emulator-endpoint');
  } finally {
    server.close();
  }
});

test('a server that answers 200 to anything is not taken for moto', async () => {
  const server = http.createServer((_, response) => response.end('OK'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    expect(await failure(connectEmulator(endpoint))).toContain('answers but is not moto: POST /moto-api/reset gave HTTP 200 OK');
  } finally {
    server.close();
  }
});

describe('the URL', () => {
  test.each([
    ['not a url', 'is not a URL'],
    ['ftp://127.0.0.1:5000', 'must be an http:// or https:// URL'],
    ['http://127.0.0.1:5000/moto', "must be moto's root URL"],
    ['http://user:secret@127.0.0.1:5000', "must be moto's root URL"],
  ])('%s is refused', async (endpoint, says) => {
    const message = await failure(connectEmulator(endpoint));
    expect(message).toContain(says);
    expect(message).toContain('http://127.0.0.1:5000');
  });

  test('the port defaults by scheme', () => {
    expect(parseEmulatorEndpoint('http://moto.internal')).toMatchObject({ origin: 'http://moto.internal', port: 80 });
    expect(parseEmulatorEndpoint('https://moto.internal/')).toMatchObject({ origin: 'https://moto.internal', port: 443 });
    expect(parseEmulatorEndpoint('http://[::1]:5000')).toMatchObject({ origin: 'http://[::1]:5000', port: 5000 });
  });
});
