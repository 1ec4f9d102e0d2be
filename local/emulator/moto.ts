import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

/**
 * The AWS emulator: moto server run by a given Python (see install.ts for which:
 * the project's .venv in this repository, a per-user cache for the package's
 * consumers), one port for every service, its output in a log file.
 * connect.ts offers the other kind of {@link Emulator}: a moto server already running.
 */

export interface EmulatorOptions {
  /** A Python with moto installed (resolveMotoPython in install.ts finds or installs one). */
  readonly python: string;
  readonly host: string;
  readonly port: number;
  readonly logFile: string;
  /** How long moto may take to answer its first request. */
  readonly startTimeoutMs?: number;
}

/** A moto server the runtime talks to: one it started ({@link StartedEmulator}) or one already running (connect.ts). */
export interface Emulator {
  readonly endpoint: string;
  readonly port: number;
  /** moto's process; undefined for a server the runtime did not start. */
  readonly pid?: number;
  /** Where moto's output goes; undefined for a server the runtime did not start. */
  readonly logFile?: string;
  /** Stops moto when the runtime started it; leaves a server it did not start running. */
  stop(): Promise<void>;
}

/** A moto server started by {@link startEmulator}: its process and log are known. */
export interface StartedEmulator extends Emulator {
  readonly pid: number;
  readonly logFile: string;
}

const LAUNCHER = path.join(__dirname, 'moto-server.py');

/** moto could not bind its port (someone took it after it was chosen, or it was given in use). */
export class PortInUseError extends Error {
  constructor(readonly port: number, logFile: string) {
    super(`moto could not listen on port ${port}: it is already in use (see ${logFile})`);
    this.name = 'PortInUseError';
  }
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).map((line) => `    ${line}`).join('\n');
  } catch {
    return '    (no log)';
  }
}

/** POST /moto-api/reset answers once moto serves; it also guarantees empty state. */
function reset(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.request(`${endpoint}/moto-api/reset`, { method: 'POST', timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
    request.end();
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts moto with `options.python` on `host:port` and waits until it answers (which
 * also resets it). It stops when `stop()` is called or when this process exits or dies.
 * @throws PortInUseError when the port is taken; Error with moto's last log lines when it fails otherwise
 */
export async function startEmulator(options: EmulatorOptions): Promise<StartedEmulator> {
  const python = options.python;
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'a');
  const endpoint = `http://${options.host}:${options.port}`;
  const child = spawn(python, [LAUNCHER, '-H', options.host, '-p', String(options.port)], {
    // stdin stays open for the emulator's lifetime: closing it (or dying) stops moto.
    stdio: ['pipe', log, log],
    // Its own process group: a Ctrl-C in the terminal reaches only the runtime, which stops moto last.
    detached: true,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  fs.closeSync(log);
  // A write to the pipe after moto exited must not crash the runtime.
  child.stdin?.on('error', () => undefined);

  const stop = async () => {
    child.stdin?.end();
    if (await waitForExit(child, 3_000)) return;
    child.kill('SIGTERM');
    if (await waitForExit(child, 3_000)) return;
    child.kill('SIGKILL');
    await waitForExit(child, 3_000);
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  while (!(await reset(endpoint))) {
    if (spawnError) throw new Error(`moto could not be started with ${python}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      const lastLines = tail(options.logFile);
      if (/Address already in use|is in use by another program/.test(lastLines)) throw new PortInUseError(options.port, options.logFile);
      throw new Error(`moto exited during start-up (${child.exitCode ?? child.signalCode}); its log ${options.logFile} ends with:\n${lastLines}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs / 1000} s; see its log ${options.logFile}:\n${tail(options.logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint, port: options.port, pid: child.pid!, logFile: options.logFile, stop };
}
