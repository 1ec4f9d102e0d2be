import * as http from 'http';
import * as https from 'https';
import type { Emulator } from './moto';

/**
 * A moto server that is already running, for `--emulator-endpoint URL`: the way to
 * run the local runtime without a Python of its own (moto in a container, on another
 * machine, or installed by hand).
 *
 * Connecting resets the server (POST /moto-api/reset), exactly as the runtime resets the
 * moto it starts: the runtime then creates the template's resources on an empty emulator.
 * Everything on that server is wiped, so point it at a moto dedicated to this runtime.
 * `stop()` leaves the server running.
 */

export interface ConnectEmulatorOptions {
  /** How long the server may take to answer the reset. @default 10 s */
  readonly timeoutMs?: number;
}

/** `--emulator-endpoint` names no usable moto server; the message says why and what to do. */
export class EmulatorEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorEndpointError';
  }
}

const EXAMPLE = 'e.g. http://127.0.0.1:5000 for `moto_server -H 127.0.0.1 -p 5000`';

/** The endpoint's origin (scheme, host, port; no path) and its port, or a message saying what is wrong with it. */
export function parseEmulatorEndpoint(endpoint: string): { readonly origin: string; readonly url: URL; readonly port: number } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new EmulatorEndpointError(`--emulator-endpoint ${JSON.stringify(endpoint)} is not a URL: give moto's root URL, ${EXAMPLE}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EmulatorEndpointError(`--emulator-endpoint ${endpoint} must be an http:// or https:// URL, ${EXAMPLE}`);
  }
  if (!url.hostname) throw new EmulatorEndpointError(`--emulator-endpoint ${endpoint} names no host, ${EXAMPLE}`);
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new EmulatorEndpointError(`--emulator-endpoint ${endpoint} must be moto's root URL (no path, query or credentials), ${EXAMPLE}`);
  }
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { origin: url.origin, url, port };
}

type Answer =
  | { readonly kind: 'answered'; readonly status: number; readonly body: string }
  | { readonly kind: 'silent'; readonly reason: string };

function postReset(url: URL, timeoutMs: number): Promise<Answer> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(new URL('/moto-api/reset', url), { method: 'POST', timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 2_000) body += chunk;
      });
      response.on('end', () => resolve({ kind: 'answered', status: response.statusCode ?? 0, body }));
      response.on('error', (error) => resolve({ kind: 'silent', reason: error.message }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'silent', reason: error.code ?? error.message }));
    request.end();
  });
}

function isMotoReset(answer: { status: number; body: string }): boolean {
  if (answer.status !== 200) return false;
  try {
    return (JSON.parse(answer.body) as { status?: unknown }).status === 'ok';
  } catch {
    return false;
  }
}

/**
 * The moto server at `endpoint`, checked and reset (its state is wiped).
 * `pid` and `logFile` are undefined; `stop()` does not stop it.
 * @throws EmulatorEndpointError when the URL is malformed, nothing answers there, or what answers is not moto
 */
export async function connectEmulator(endpoint: string, options: ConnectEmulatorOptions = {}): Promise<Emulator> {
  const { origin, url, port } = parseEmulatorEndpoint(endpoint);
  const answer = await postReset(url, options.timeoutMs ?? 10_000);
  if (answer.kind === 'silent') {
    throw new EmulatorEndpointError(`nothing answers at ${origin} (${answer.reason}): start moto_server there or drop --emulator-endpoint`);
  }
  if (!isMotoReset(answer)) {
    const said = answer.body.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new EmulatorEndpointError(`${origin} answers but is not moto: POST /moto-api/reset gave HTTP ${answer.status}${said ? ` ${said}` : ''} `
      + `(moto gives 200 {"status": "ok"}); give the URL of a moto server (${EXAMPLE}) or drop --emulator-endpoint`);
  }
  return {
    endpoint: origin,
    port,
    pid: undefined,
    logFile: undefined,
    // Not ours to stop.
    stop: async () => undefined,
  };
}
