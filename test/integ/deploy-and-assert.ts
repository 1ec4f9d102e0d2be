/**
 * The integration test against a real AWS account (docs/integration-tests.md):
 * deploys test/tracking.integ.ts — the service stack, then the assertion stack of
 * `@aws-cdk/integ-tests-alpha`, whose custom resources make the API calls and
 * compare their answers — fails unless every assertion passed, and destroys both
 * stacks whatever happened (`--keep` leaves them for inspection; remove them later
 * with `npx projen integ:tracking:destroy`).
 *
 * Run by `npx projen integ:tracking:deploy`, with credentials and a region in the
 * environment (AWS_PROFILE / AWS_REGION, or the usual variables) and the account
 * bootstrapped (`cdk bootstrap`). The task rewrites the snapshot afterwards.
 *
 * integ-runner would do this, but its newest release here (2.197.10) reads cloud
 * assembly schema 53 only, and aws-cdk-lib 2.258 writes 54; the cdk CLI reads it.
 * A failed assertion does not fail the deployment (integ-tests-alpha reports it in
 * an `AssertionResults…` stack output, as integ-runner expects); a failed API call,
 * or a `waitForAssertions` that times out, does. Both are checked here.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const APP = 'ts-node -P tsconfig.dev.json test/tracking.integ.ts';
const WORK = path.join('test', '.tmp', 'tracking.integ');
const ASSEMBLY = path.join(WORK, 'deploy.cdk.out');
const OUTPUTS = path.join(WORK, 'outputs.json');
const CDK_FLAGS = ['--no-notices', '--no-version-reporting', '--no-asset-metadata', '--no-path-metadata'];

function cdk(args: string[]): number {
  console.log(`\n$ cdk ${args.join(' ')}`);
  const result = spawnSync('cdk', args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

/** Names of the assertion outputs each stack of the deployed assembly declares. */
function declaredAssertions(): Map<string, string[]> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, ASSEMBLY, 'manifest.json'), 'utf8'));
  const declared = new Map<string, string[]>();
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(fs.readFileSync(path.join(root, ASSEMBLY, artifact.properties.templateFile), 'utf8'));
    const names = Object.keys(template.Outputs ?? {}).filter((name) => name.startsWith('AssertionResults'));
    if (names.length > 0) declared.set(artifact.properties.stackName ?? id, names);
  }
  return declared;
}

/** Checks every declared assertion output; returns the failures. */
function checkAssertions(): string[] {
  const outputs: Record<string, Record<string, string>> = JSON.parse(fs.readFileSync(path.join(root, OUTPUTS), 'utf8'));
  const failures: string[] = [];
  let passed = 0;
  const declared = declaredAssertions();
  if (declared.size === 0) failures.push('the assembly declares no assertions');
  for (const [stackName, names] of declared) {
    for (const name of names) {
      const raw = outputs[stackName]?.[name];
      let result: { status?: string; message?: string } = {};
      try {
        result = raw === undefined ? {} : JSON.parse(raw);
      } catch {
        result = { status: 'fail', message: `unreadable result: ${raw}` };
      }
      if (result.status === 'success') {
        passed++;
        console.log(`  ✔ ${name}`);
      } else {
        failures.push(`${stackName}.${name}: ${raw === undefined ? 'no result in the stack outputs' : result.message ?? raw}`);
        console.log(`  ✘ ${name}\n${result.message ?? raw ?? ''}`);
      }
    }
  }
  console.log(`${passed} assertion(s) passed, ${failures.length} failed`);
  return failures;
}

function main(): number {
  const keep = process.argv.includes('--keep');
  fs.rmSync(path.join(root, WORK), { recursive: true, force: true });
  fs.mkdirSync(path.join(root, WORK), { recursive: true });

  const started = Date.now();
  let failures: string[] = [];
  try {
    const deployed = cdk([
      'deploy', '--app', APP, '--all', '--require-approval', 'never', '--outputs-file', OUTPUTS, '-o', ASSEMBLY,
      // A fresh salt runs every assertion again, also on stacks kept from an earlier run.
      '--context', `integ-salt=${started}`, ...CDK_FLAGS,
    ]);
    if (deployed !== 0) {
      failures.push('cdk deploy failed, see its output above (credentials, bootstrap, a resource that failed, an assertion API call that errored, or the queue assertion that timed out)');
    } else {
      failures = checkAssertions();
    }
  } finally {
    if (keep) {
      console.log('\n--keep: the stacks stay deployed; remove them with `npx projen integ:tracking:destroy`');
    } else {
      const app = fs.existsSync(path.join(root, ASSEMBLY, 'manifest.json')) ? ASSEMBLY : APP;
      if (cdk(['destroy', '--app', app, '--all', '--force', ...CDK_FLAGS]) !== 0) {
        failures.push('cdk destroy failed: remove the stacks with `npx projen integ:tracking:destroy` or in the CloudFormation console');
      }
    }
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  if (failures.length > 0) {
    console.error(`\nintegration test FAILED after ${minutes} min:\n- ${failures.join('\n- ')}`);
    return 1;
  }
  console.log(`\nintegration test passed in ${minutes} min`);
  return 0;
}

process.exitCode = main();
