/**
 * The local runtime as a consumer gets it: from the installed tarball only, in a
 * scratch app outside the repository (test/package/verify-consumer.ts builds it:
 * stage `prod`, batch ingest and notifications on, a rule into the app's own
 * queue, a second stack without the construct).
 *
 * 1. `npx logistics-tracking-api local --port P` with an empty per-user cache: moto is
 *    installed on first use (from PyPI), the construct's stack is found among two,
 *    and a POST, a batch, a GET and the status-change event on the app's own queue
 *    go end to end over real HTTP. Ctrl-C leaves no process and no open port, and
 *    the app's directory gains nothing.
 * 2. The README's example test, run with `node --test` against the same assembly:
 *    the ESM entry point `logistics-tracking-api/local` on free ports.
 * 3. The CommonJS entry point and the shipped declarations, under both of
 *    TypeScript's module resolutions.
 * 4. Start-up failures, each with a message that says what to do, exit 1 and nothing
 *    left running: no Python, the port in use, an assembly without the construct, and
 *    a stack the runtime cannot serve as AWS would (a Cognito authorizer).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { call, freePort, portIsFree, processesMentioning, receiveUntil, ruleQueueUrl, startCommand } from './local-command';

const root = path.resolve(__dirname, '..', '..');

/** The README's complete example test: the fenced block after the marker. */
export function readmeExampleTest(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const marker = '<!-- local-runtime-example-test -->';
  const at = readme.indexOf(marker);
  const block = at < 0 ? null : /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`README.md has no \`\`\`js block after ${marker}`);
  return block[1];
}

function update(trackingId: string, status: string, minutesAgo: number) {
  return {
    tracking_id: trackingId,
    status,
    event_time: new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    location: { lat: 52.52, lng: 13.405 },
  };
}

async function settle(work: string, port: number | undefined, check: (condition: boolean, message: string) => void, what: string): Promise<void> {
  let left: string[] = [];
  for (let i = 0; i < 20; i++) {
    left = processesMentioning(work);
    if (left.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  check(left.length === 0, `${what} left no process behind${left.length ? ` (left: ${left.join('; ')})` : ''}`);
  if (port !== undefined) check(await portIsFree(port), `${what} left port ${port} free`);
}

export async function verifyLocalRuntime(app: string, work: string, check: (condition: boolean, message: string) => void): Promise<void> {
  const cache = path.join(work, 'user-cache');
  const env: NodeJS.ProcessEnv = { ...process.env, LOGISTICS_TRACKING_API_CACHE: cache };
  delete env.PORT;
  const before = fs.readdirSync(app).sort();

  // 1. The command.
  const port = await freePort();
  const started = Date.now();
  const run = await startCommand('npx', ['--no-install', 'logistics-tracking-api', 'local', '--port', String(port)], { cwd: app, env, timeoutMs: 600_000 });
  const seconds = Math.round((Date.now() - started) / 1000);
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  try {
    check(/installing moto/.test(run.output()) && fs.readdirSync(cache).some((entry) => entry.startsWith('moto-')),
      `first use installed moto into the per-user cache (LOGISTICS_TRACKING_API_CACHE), serving after ${seconds} s`);
    check(run.url === `http://127.0.0.1:${port}/prod/`, `the command found the Consumer stack among two and serves its prod stage on --port (${run.url})`);

    const posted = await call(run, 'POST', 'track', update('CONSUMER-1', 'in_transit', 120));
    check(posted.status === 200 && posted.json.duplicate === false, `POST /prod/track stored the update (${posted.status})`);
    const batch = await call(run, 'POST', 'track/batch', { updates: [update('CONSUMER-1', 'delivered', 60), update('CONSUMER-2', 'in_transit', 30)] });
    check(batch.status === 200 && batch.json.results?.map((result: { result: string }) => result.result).join() === 'accepted,accepted',
      `POST /prod/track/batch (batch processing on) accepted both updates (${JSON.stringify(batch.json)})`);
    const status = await call(run, 'GET', 'status?tracking_id=CONSUMER-1');
    check(status.status === 200 && status.json.current?.status === 'delivered' && status.json.count === 2,
      `GET /prod/status reads both updates back, delivered last (${JSON.stringify(status.json.current)})`);
    const event = await receiveUntil(run, ruleQueueUrl(run, 'DeliveredShipments'), (body) => body.detail?.tracking_id === 'CONSUMER-1');
    check(event['detail-type'] === 'Tracking Status Changed' && event.detail.status === 'delivered' && event.detail.previous_status === 'in_transit',
      'the status-change event reached the app\'s own queue through its onStatusChanged rule');
  } finally {
    ended = await run.interrupt();
  }
  // npx itself dies of the SIGINT (npm's way); the command under it stops everything and says so.
  check((ended.code === 0 || ended.signal === 'SIGINT') && run.output().includes('SIGINT: stopping'),
    `Ctrl-C stopped the command (npx: exit ${ended.code}, signal ${ended.signal})`);
  await settle(work, port, check, 'the command');

  // 2. The README's example test (node:test, ESM, free ports).
  fs.writeFileSync(path.join(app, 'tracking.test.mjs'), readmeExampleTest());
  const testRun = execFileSync(process.execPath, ['--test', 'tracking.test.mjs'], { cwd: app, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  check(/^# pass [1-9]/m.test(testRun) && /^# fail 0$/m.test(testRun), `the README's example test passes under node --test (${/^# pass \d+/m.exec(testRun)?.[0]})`);
  await settle(work, undefined, check, 'the example test');
  fs.rmSync(path.join(app, 'tracking.test.mjs'));
  check(JSON.stringify(fs.readdirSync(app).sort()) === JSON.stringify(before), `the app's directory gained nothing (${fs.readdirSync(app).join(', ')})`);

  // 3. CommonJS, and the declarations under TypeScript's two module resolutions.
  const required = execFileSync(process.execPath, ['-e', "process.stdout.write(typeof require('logistics-tracking-api/local').startLocalRuntime)"], { cwd: app, encoding: 'utf8' });
  check(required === 'function', 'require(\'logistics-tracking-api/local\') gives startLocalRuntime');
  fs.writeFileSync(path.join(app, 'types.ts'), [
    "import { LocalRuntime, startLocalRuntime } from 'logistics-tracking-api/local';",
    'export async function probe(): Promise<number> {',
    "  const local: LocalRuntime = await startLocalRuntime({ cdkOut: 'cdk.out', port: 0 });",
    "  const response = await local.fetch('status?tracking_id=X');",
    '  await local.stop();',
    '  return response.status;',
    '}',
  ].join('\n'));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const resolution of [['--module', 'node16', '--moduleResolution', 'node16'], ['--module', 'commonjs', '--moduleResolution', 'node']]) {
    let errors = '';
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--lib', 'ES2022,DOM', '--types', 'node',
        '--typeRoots', path.join(root, 'node_modules', '@types'), ...resolution, 'types.ts'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      errors = String((error as { stdout?: string }).stdout ?? error);
    }
    check(errors === '', `the shipped declarations type-check a consumer's test (${resolution.join(' ')})${errors ? `:\n${errors}` : ''}`);
  }
  fs.rmSync(path.join(app, 'types.ts'));

  await verifyStartupFailures(app, work, env, check);
}

/** Synthesizes `lines` (a CDK app in JavaScript) from the consumer's directory into `<app>/<outdir>`. */
function synthesize(app: string, name: string, lines: readonly string[]): string {
  const file = path.join(app, `${name}.js`);
  fs.writeFileSync(file, [
    "const { App, Stack } = require('aws-cdk-lib');",
    `const app = new App({ outdir: '${name}.out' });`,
    ...lines,
    'app.synth();',
  ].join('\n'));
  execFileSync(process.execPath, [file], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  fs.rmSync(file);
  return path.join(app, `${name}.out`);
}

type Check = (condition: boolean, message: string) => void;

async function verifyStartupFailures(app: string, work: string, env: NodeJS.ProcessEnv, check: Check): Promise<void> {
  const attempt = (what: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv, expected: readonly RegExp[]) => {
    const started = Date.now();
    const result = spawnSync('npx', ['--no-install', 'logistics-tracking-api', 'local', ...args], {
      cwd: app, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const said = `${result.stdout}${result.stderr}`;
    const missing = expected.filter((pattern) => !pattern.test(said));
    check(result.status === 1 && missing.length === 0 && !said.includes('Ctrl-C stops everything'),
      `${what}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s, saying what to do`
      + `${missing.length ? ` (missing ${missing.join(', ')} in:\n${said})` : ''}`);
    const left = processesMentioning(work);
    check(left.length === 0, `${what}: nothing left running${left.length ? ` (left: ${left.join('; ')})` : ''}`);
  };

  const noPython = { LOGISTICS_TRACKING_API_PYTHON: path.join(work, 'no-such-python3'), LOGISTICS_TRACKING_API_CACHE: path.join(work, 'empty-cache') };
  attempt('no Python', [], noPython, [/Python 3\.10 or newer/, /LOGISTICS_TRACKING_API_PYTHON/, /--emulator-endpoint/]);

  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    attempt('the port in use', ['--port', String(port)], {}, [new RegExp(`port ${port} .*already in use`), /--port N/]);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }

  const bare = synthesize(app, 'bare', ["new (require('aws-cdk-lib/aws-sqs').Queue)(new Stack(app, 'JustAQueue'), 'Queue');"]);
  attempt('an assembly without the construct', ['--cdk-out', bare], {}, [/no LogisticsTrackingApi/, /JustAQueue/, /--stack/]);

  const cognito = synthesize(app, 'cognito', [
    "const { UserPool } = require('aws-cdk-lib/aws-cognito');",
    "const { ApiAuthorization, ApiType, LogisticsTrackingApi } = require('logistics-tracking-api');",
    "const stack = new Stack(app, 'CognitoConsumer');",
    "new LogisticsTrackingApi(stack, 'Tracking', { apiType: ApiType.REST, authorization: ApiAuthorization.cognito(new UserPool(stack, 'Users')) });",
  ]);
  attempt('a Cognito authorizer', ['--cdk-out', cognito], {}, [/COGNITO_USER_POOLS/, /CognitoConsumer\/Tracking/, /Use AWS_IAM or NONE/]);
  for (const out of [bare, cognito]) fs.rmSync(out, { recursive: true, force: true });
}
