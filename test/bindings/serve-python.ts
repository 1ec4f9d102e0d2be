/**
 * The Python consumer runs its own stack locally with the command its wheel
 * installs: `logistics-tracking-api local` in the virtual environment that
 * test/bindings/consumer.sh python built (jsii turns the npm package's `bin`
 * into a Python script that runs it on Node), serving the assembly that app
 * synthesized (test/bindings/.work/python/cdk.out: a REST API on stage
 * `staging`, rules into the app's own queue, a webhook, a schedule).
 * POST, GET and the status-change event read from the app's own queue, over
 * real HTTP; then Ctrl-C, and nothing left listening or running.
 *
 * Run by `npx projen test:bindings` after the consumers; exits non-zero on the first broken promise.
 */
import * as fs from 'fs';
import * as path from 'path';
import { call, freePort, portIsFree, processesMentioning, receiveUntil, ruleQueueUrl, startCommand } from '../package/local-command';

const work = path.resolve(__dirname, '.work', 'python');

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`python consumer, local runtime: ${message}`);
  console.log(`ok - ${message}`);
}

async function main(): Promise<void> {
  const command = path.join(work, 'venv', 'bin', 'logistics-tracking-api');
  check(fs.existsSync(command), `the wheel installed the command into the virtual environment (${command})`);
  const port = await freePort();
  const run = await startCommand(command, ['local', '--cdk-out', path.join(work, 'cdk.out'), '--port', String(port), '--quiet'], { cwd: work });
  const emulatorPort = Number(new URL(run.emulatorEndpoint).port);
  try {
    check(run.url === `http://127.0.0.1:${port}/staging/`, `it serves the Python app's REST API on its stage (${run.url})`);
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const location = { lat: 48.85, lng: 2.35 };
    const first = await call(run, 'POST', 'track', { tracking_id: 'PY-1', status: 'in_transit', event_time: at(90), location });
    const second = await call(run, 'POST', 'track', { tracking_id: 'PY-1', status: 'delivered', event_time: at(30), location });
    check(first.status === 200 && second.status === 200, `POST /staging/track stored both updates (${first.status}, ${second.status})`);
    const status = await call(run, 'GET', 'status?tracking_id=PY-1');
    check(status.status === 200 && status.json.count === 2 && status.json.current?.status === 'delivered', 'GET /staging/status reads both back, delivered last');
    const event = await receiveUntil(run, ruleQueueUrl(run, 'Notifications'),
      (body) => body['detail-type'] === 'Tracking Status Changed' && body.detail?.tracking_id === 'PY-1');
    check(event.detail.status === 'delivered', 'the delivery reached the app\'s own Notifications queue through its on_status_changed rule');
  } finally {
    // Python's subprocess.run gives the command a quarter second after Ctrl-C, then kills it;
    // moto and the workers then exit because their parent is gone. Either way nothing stays.
    const ended = await run.interrupt();
    console.log(`# Ctrl-C: the script ended with exit ${ended.code}, signal ${ended.signal}`);
  }
  let left: string[] = [];
  for (let i = 0; i < 40 && (left = processesMentioning(`-p ${emulatorPort}`)).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 250));
  check(left.length === 0, `moto is gone${left.length ? ` (left: ${left.join('; ')})` : ''}`);
  // Only a packaged runtime runs lib/local/worker.mjs (this repository's tests run local/functions/worker.mjs).
  for (let i = 0; i < 40 && (left = processesMentioning('lib/local/worker.mjs')).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 250));
  check(left.length === 0, `the function workers are gone${left.length ? ` (left: ${left.join('; ')})` : ''}`);
  check(await portIsFree(port) && await portIsFree(emulatorPort), `ports ${port} and ${emulatorPort} are free again`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
