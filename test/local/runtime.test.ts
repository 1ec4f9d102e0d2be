import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { startRuntime } from '../../local/runtime';
import { freePort } from '../../local/support/ports';
import { synthE2eApp, workDir } from '../e2e/harness';

/**
 * Start-up failures: a clear message, and nothing left running.
 */

jest.setTimeout(60_000);

const dir = workDir('stack-failures');
const cdkOut = synthE2eApp(path.join(dir, 'cdk.out'));

/** Processes running local/emulator/moto-server.py on `port`, from /proc. */
function motoOnPort(port: number): number[] {
  return fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).filter((pid) => {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return args.some((arg) => arg.endsWith('moto-server.py')) && args[args.indexOf('-p') + 1] === String(port);
    } catch {
      return false;
    }
  }).map(Number);
}

/** A port held by another server (which hangs up on whoever connects). */
async function occupy(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

test('the API port in use: the message says so and how to choose another; moto is never started', async () => {
  const taken = await occupy();
  const emulatorPort = await freePort();
  try {
    await expect(startRuntime({ cdkOut, port: taken.port, emulatorPort, logDir: path.join(dir, 'api-port') }))
      .rejects.toThrow(new RegExp(`port ${taken.port} on 127\\.0\\.0\\.1 is already in use .*--port N`));
    expect(motoOnPort(emulatorPort)).toEqual([]);
  } finally {
    await taken.close();
  }
});

test("moto's port in use: the message names the port and moto's log; the API port is released", async () => {
  const taken = await occupy();
  const apiPort = await freePort();
  const logDir = path.join(dir, 'moto-port');
  try {
    await expect(startRuntime({ cdkOut, port: apiPort, emulatorPort: taken.port, logDir }))
      .rejects.toThrow(`moto could not listen on port ${taken.port}: it is already in use (see ${path.join(logDir, 'moto.log')})`);
    expect(motoOnPort(taken.port)).toEqual([]);
    expect(await canListen(apiPort)).toBe(true);
  } finally {
    await taken.close();
  }
});

test('moto not answering in time: the message names the timeout and the log file, and moto is stopped', async () => {
  const emulatorPort = await freePort();
  const logDir = path.join(dir, 'moto-slow');
  await expect(startRuntime({ cdkOut, emulatorPort, logDir, emulatorStartTimeoutMs: 50 }))
    .rejects.toThrow(`moto did not answer on http://127.0.0.1:${emulatorPort} within 0.05 s; see its log ${path.join(logDir, 'moto.log')}`);
  expect(motoOnPort(emulatorPort)).toEqual([]);
});

test('a cloud assembly that does not exist points at the synth command', async () => {
  await expect(startRuntime({ cdkOut: path.join(dir, 'nothing-here') })).rejects.toThrow(/synthesize the app first/);
});
