/**
 * Runs the packaged `logistics-tracking-api local` command on a consumer's cloud
 * assembly, as a user would (a child process, its banner, real HTTP signed with
 * the credentials it prints), then Ctrl-C, and checks that nothing it started is
 * left running. Used by test/package/verify-consumer.ts (the TypeScript scratch
 * consumer) and test/bindings/serve-python.ts (the Python consumer's assembly).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { signedFetch } from '../../local/support/signed-fetch';

export interface CommandRun {
  readonly child: ChildProcess;
  /** The API's invoke URL, the emulator's endpoint and the credentials, from the banner. */
  readonly url: string;
  readonly emulatorEndpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
  /** Everything the command printed so far. */
  output(): string;
  /** SIGINT to the whole process group, as Ctrl-C sends it; resolves with how the started process ended. */
  interrupt(): Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Starts `command args` (in its own process group) and waits for the banner.
 * Rejects with the output when the command exits first or `timeoutMs` passes.
 */
export async function startCommand(command: string, args: readonly string[], options: {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}): Promise<CommandRun> {
  let output = '';
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  while (!output.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the command exited (${child.exitCode ?? child.signalCode}) before serving:\n${output}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`the command did not serve within ${(options.timeoutMs ?? 300_000) / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const field = (pattern: RegExp, what: string) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`the banner does not say ${what}:\n${output}`);
    return match;
  };
  const url = field(/^ {2}API +(http\S+)$/m, 'the API URL')[1];
  const emulatorEndpoint = field(/^ {2}emulator +moto (?:on|at) (http:\/\/\S+)/m, 'the emulator endpoint')[1];
  const [, accessKeyId, secretAccessKey, region] = field(/^ {2}credentials +access key (\S+), secret (\S+), region (\S+)/m, 'the credentials');
  return {
    child,
    output: () => output,
    url,
    emulatorEndpoint,
    credentials: { accessKeyId, secretAccessKey },
    region,
    interrupt: async () => {
      // The whole group, as a terminal's Ctrl-C reaches npx and the command alike.
      process.kill(-child.pid!, 'SIGINT');
      return exited(child);
    },
  };
}

/** A request to the served API, signed with the credentials from the banner (by the signer the package ships). */
export async function call(run: CommandRun, method: string, relativePath: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await signedFetch(run.url, run.region, run.credentials, relativePath, { method, body });
  const raw = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = raw;
  }
  return { status: response.status, json };
}

/** Messages from `queueUrl` on the emulator until one satisfies `wanted` (or `timeoutMs` passes). */
export async function receiveUntil(run: CommandRun, queueUrl: string, wanted: (body: any) => boolean, timeoutMs = 30_000): Promise<any> {
  const sqs = new SQSClient({ endpoint: run.emulatorEndpoint, region: run.region, credentials: run.credentials });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const message of Messages) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
        const body = JSON.parse(message.Body ?? 'null');
        if (wanted(body)) return body;
      }
    }
    throw new Error(`no matching message on ${queueUrl} within ${timeoutMs / 1000} s`);
  } finally {
    sqs.destroy();
  }
}

/** Processes whose command line mentions `marker` (a directory only this run uses). */
export function processesMentioning(marker: string): string[] {
  try {
    // `--`: a marker may start with a dash (`-p 5000`).
    return execFileSync('pgrep', ['-af', '--', marker], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim().split('\n').filter((line) => line && !line.includes('pgrep'));
  } catch (error) {
    // pgrep exits 1 when nothing matches; anything else is a broken check, not an answer.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

/** True when nothing listens on `port` of 127.0.0.1 any more. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first queue URL the banner names for a rule into `queueNamePart`. */
export function ruleQueueUrl(run: CommandRun, queueNamePart: string): string {
  const line = run.output().split('\n').find((candidate) => /^ {2}rule /.test(candidate) && candidate.includes(queueNamePart));
  const url = line && /: (http\S+)$/.exec(line)?.[1];
  if (!url) throw new Error(`the banner names no rule into a queue like ${queueNamePart}:\n${run.output()}`);
  return url;
}

export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
