/**
 * Proves the published package is self-contained: packs the npm tarball,
 * installs it into a scratch CDK app outside the repository (with nothing but
 * aws-cdk-lib and constructs beside it — no esbuild, no Docker), synthesizes a
 * stack there, then copies the staged handler asset alone into an empty
 * directory and imports it with Node 24 (Lambda's nodejs24.x major).
 *
 * Run by `npx projen test:package` (part of `npx projen test`), after compiling.
 * Exits non-zero with a message on the first broken promise.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { verifyLocalRuntime } from './verify-local-runtime';
import { resolveNode24 } from '../../local/functions/node-binary';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`package check failed: ${message}`);
  console.log(`ok - ${message}`);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ltapi-consumer-'));
  try {
    // 1. The tarball carries the compiled library and the bundled handler.
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root))[0];
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    check(files.includes('lib/index.js') && files.includes('.jsii'), 'the tarball holds lib/ and the jsii assembly');
    check(files.includes('assets/lambda/tracking/index/index.mjs'), 'the tarball holds the bundled handler');
    check(files.includes('assets/lambda/stream-processor/index/index.mjs'), 'the tarball holds the bundled stream processor');
    check(files.includes('assets/openapi/openapi.json'), 'the tarball holds the OpenAPI document');
    const localFiles = ['index.js', 'index.d.ts', 'api.d.ts', 'bin.cjs', 'worker.mjs', 'moto-server.py', 'requirements.txt', 'constraints.txt'].map((file) => `lib/local/${file}`);
    check(localFiles.every((file) => files.includes(file)), `the tarball holds the local runtime (${localFiles.join(', ')})`);
    console.log(`# tarball ${packed.filename}: ${packed.size.toLocaleString('en-US')} bytes packed, ${packed.unpackedSize.toLocaleString('en-US')} unpacked, ${files.length} files`);
    const allowed = /^(lib\/|assets\/|\.jsii$|package\.json$|README\.md$|API\.md$|LICENSE$)/;
    const unexpected = files.filter((f) => !allowed.test(f));
    check(unexpected.length === 0, `the tarball holds only lib/, assets/, .jsii and docs${unexpected.length ? ` (also: ${unexpected.slice(0, 5).join(', ')})` : ''}`);
    check(Object.keys(pkg.dependencies ?? {}).length === 0, 'the package has no runtime dependencies (esbuild and the SDK are build-time only)');

    // 2. A scratch consumer app outside the repository.
    const app = path.join(work, 'consumer');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts',
      path.join(work, packed.filename),
      `aws-cdk-lib@${pkg.devDependencies['aws-cdk-lib']}`,
      `constructs@${pkg.devDependencies.constructs}`], app);
    check(!fs.existsSync(path.join(app, 'node_modules', 'esbuild')), 'the consumer installed no esbuild');

    // Non-default props: another stage, batch ingest and notifications on, a rule into the
    // consumer's own queue; and a second stack without the construct beside it.
    fs.writeFileSync(path.join(app, 'app.js'), [
      "const { App, Stack } = require('aws-cdk-lib');",
      "const sqs = require('aws-cdk-lib/aws-sqs');",
      "const targets = require('aws-cdk-lib/aws-events-targets');",
      "const { LogisticsTrackingApi, TrackingStatus } = require('logistics-tracking-api');",
      'const app = new App({ outdir: "cdk.out" });',
      "const stack = new Stack(app, 'Consumer');",
      "const delivered = new sqs.Queue(stack, 'DeliveredShipments');",
      "const tracking = new LogisticsTrackingApi(stack, 'Tracking', {",
      "  stageName: 'prod',",
      '  featureFlags: { batchProcessing: true, realTimeNotifications: true },',
      '});',
      "tracking.onStatusChanged('ToDeliveredQueue', new targets.SqsQueue(delivered), { statuses: [TrackingStatus.DELIVERED] });",
      "new sqs.Queue(new Stack(app, 'Unrelated'), 'Elsewhere');",
      'app.synth();',
    ].join('\n'));
    run(process.execPath, ['app.js'], app);
    const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', 'Consumer.template.json'), 'utf8'));
    const functions = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const byPrefix = (prefix: string) => functions.find(([id]) => id.startsWith(prefix))?.[1];
    const bundled = { 'tracking handler': byPrefix('TrackingHandler'), 'stream processor': byPrefix('TrackingStreamProcessor') };
    check(Object.values(bundled).every((fn) => fn?.Properties.Runtime === 'nodejs24.x'),
      'the consumer synthesized the tracking handler and the stream processor');

    // 3. Each staged asset, alone in an empty directory, imports on Node 24.
    const node24 = resolveNode24();
    for (const [name, fn] of Object.entries(bundled)) {
      const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const staged = path.join(app, 'cdk.out', `asset.${assetHash}`);
      check(fs.readdirSync(staged).join(',') === 'index.mjs', `the staged ${name} asset is one file, index.mjs`);
      const empty = fs.mkdtempSync(path.join(work, 'empty-'));
      fs.copyFileSync(path.join(staged, 'index.mjs'), path.join(empty, 'index.mjs'));
      const imported = run(node24.path, ['--input-type=module', '-e',
        "const m = await import('./index.mjs'); console.log(typeof m.handler);"], empty,
      { PATH: process.env.PATH, AWS_REGION: 'us-east-1', HOME: empty });
      check(imported.trim().split('\n').pop() === 'function',
        `the ${name} asset imports from an empty directory on ${node24.version} and exports handler`);
    }

    // 4. The local runtime from the package: the command, then the README's test.
    await verifyLocalRuntime(app, work, check);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
