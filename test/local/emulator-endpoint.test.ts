import * as path from 'path';
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { resolveMotoPython } from '../../local/emulator/install';
import { startEmulator, StartedEmulator } from '../../local/emulator/moto';
import { startLocalRuntime } from '../../local/index';
import { freePort } from '../../local/support/ports';
import { synthE2eApp, workDir } from '../e2e/harness';

/**
 * `--emulator-endpoint` / `emulatorEndpoint`: the runtime uses a moto already
 * running (a CI service container, say) instead of starting one: the stack's
 * resources are created on it, the functions talk to it, and stopping the runtime
 * leaves it running.
 */

jest.setTimeout(120_000);

const dir = workDir('emulator-endpoint');
const cdkOut = synthE2eApp(path.join(dir, 'cdk.out'));
let external: StartedEmulator;

beforeAll(async () => {
  const { python } = await resolveMotoPython({ projectDir: path.join(__dirname, '..', '..') });
  external = await startEmulator({ python, host: '127.0.0.1', port: await freePort(), logFile: path.join(dir, 'external-moto.log') });
});
afterAll(() => external?.stop());

test('the stack runs on the given moto, which outlives the runtime', async () => {
  const local = await startLocalRuntime({ cdkOut, emulatorEndpoint: external.endpoint, logDir: path.join(dir, 'logs') });
  try {
    expect(local.emulatorEndpoint).toBe(external.endpoint);
    expect(local.queues.every((queue) => queue.url.startsWith(`${external.endpoint}/`))).toBe(true);
    const update = { tracking_id: 'EXTERNAL-1', event_id: 'external-1', status: 'in_transit', location: { lat: 1, lng: 2 } };
    expect((await local.fetch('track', { method: 'POST', body: update })).status).toBe(200);
    const read = await local.fetch('status?tracking_id=EXTERNAL-1');
    expect(((await read.json()) as { count: number }).count).toBe(1);
  } finally {
    await local.stop();
  }
  // Still serving, with the table the runtime created and the update in it: the runtime did not stop what it did not start.
  const dynamodb = new DynamoDBClient({ endpoint: external.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toHaveLength(1);
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: TableNames[0] }));
    expect(Items.some((item) => item.tracking_id?.S === 'EXTERNAL-1')).toBe(true);
  } finally {
    dynamodb.destroy();
  }
});

test('an endpoint where nothing answers fails at start-up and says what to do', async () => {
  const closed = await freePort();
  await expect(startLocalRuntime({ cdkOut, emulatorEndpoint: `http://127.0.0.1:${closed}`, logDir: path.join(dir, 'logs-closed') }))
    .rejects.toThrow(/nothing answers at http:\/\/127\.0\.0\.1:\d+.*start moto_server there or drop --emulator-endpoint/s);
});
