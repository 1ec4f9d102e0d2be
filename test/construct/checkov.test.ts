import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as kms from 'aws-cdk-lib/aws-kms';
import { hardenedProps } from './hardened';
import { synth } from './harness';
import { ApiType } from '../../src';

/**
 * checkov (Bridgecrew's infrastructure-as-code scanner) on the synthesized templates:
 * the second scanner next to cdk-nag, run as a platform team's review would run it.
 * Installed by `npx projen setup:python` from requirements-dev.txt, which pins it.
 */
const ROOT = path.join(__dirname, '..', '..');
const CHECKOV = path.join(ROOT, '.venv', 'bin', 'checkov');

interface CheckovResult {
  readonly check_id: string;
  readonly resource: string;
  readonly file_path: string;
  readonly check_result: { readonly result: string; readonly suppress_comment?: string };
}

interface Scan {
  readonly failed: CheckovResult[];
  readonly skipped: CheckovResult[];
  readonly passed: number;
  /** `CKV_AWS_n @ resource type` of each passed check, sorted. */
  readonly passedChecks: string[];
}

/** Scans each template in one checkov run (its start-up is most of the time), grouped by file name. */
function scan(templates: Record<string, object>): Record<string, Scan> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkov-'));
  for (const [name, template] of Object.entries(templates)) {
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(template));
  }
  let stdout: string;
  try {
    // --skip-download: no platform calls (no network here, and none wanted in CI).
    stdout = execFileSync(CHECKOV, ['--skip-download', '--framework', 'cloudformation', '--output', 'json', '--directory', dir],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (error: any) {
    // checkov exits 1 when a check fails; anything else is a broken run.
    if (error.status !== 1 || !error.stdout) throw error;
    stdout = error.stdout;
  }
  const report = JSON.parse(stdout);
  const results = report.results as { failed_checks: CheckovResult[]; skipped_checks: CheckovResult[]; passed_checks: CheckovResult[] };
  const of = (list: CheckovResult[], name: string) => list.filter((r) => path.basename(r.file_path) === `${name}.template.json`);
  return Object.fromEntries(Object.keys(templates).map((name) => [name, {
    failed: of(results.failed_checks, name),
    skipped: of(results.skipped_checks, name),
    passed: of(results.passed_checks, name).length,
    passedChecks: summary(of(results.passed_checks, name)),
  }]));
}

/** `CKV_AWS_119 @ AWS::DynamoDB::Table`, sorted: what a reader of the README can check against. */
const summary = (results: CheckovResult[]) => results.map((r) => `${r.check_id} @ ${r.resource.split('.')[0]}`).sort();

/**
 * The README's table of what checkov reports at defaults: rows `| CKV_AWS_n | resource type | fails … | … |`
 * or `| … | skipped … |`, one per check and resource type, with a count when a check hits several resources.
 */
function readmeTable(): { failsAtDefaults: string[]; skipped: string[] } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const failsAtDefaults: string[] = [];
  const skipped: string[] = [];
  for (const line of readme.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim().replace(/`/g, ''));
    const id = cells[1]?.match(/^CKV2?_AWS_\d+$/)?.[0];
    if (!id) continue;
    const [type, times] = cells[2].split(/\s+×\s*/);
    const rows = Array.from({ length: Number(times ?? 1) }, () => `${id} @ ${type}`);
    if (/^fails/.test(cells[3])) failsAtDefaults.push(...rows);
    else if (/^skipped/.test(cells[3])) skipped.push(...rows);
    else throw new Error(`README checkov row for ${id} says neither "fails" nor "skipped": ${line}`);
  }
  return { failsAtDefaults: failsAtDefaults.sort(), skipped: skipped.sort() };
}

describe('checkov', () => {
  let scans: Record<string, Scan>;

  beforeAll(() => {
    const brokenQueue = { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: false } } } };
    scans = scan({
      default: synth().template.toJSON(),
      key: synth((stack) => ({ encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) })).template.toJSON(),
      hardened: synth(hardenedProps).template.toJSON(),
      restKey: synth((stack) => ({ apiType: ApiType.REST, encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) })).template.toJSON(),
      broken: brokenQueue,
    });
  }, 120_000);

  test('is installed in the project virtual environment, at the version requirements-dev.txt pins', () => {
    const pinned = fs.readFileSync(path.join(ROOT, 'requirements-dev.txt'), 'utf8').match(/^checkov==(\S+)$/m)?.[1];
    expect(pinned).toBeDefined();
    expect(execFileSync(CHECKOV, ['--version'], { encoding: 'utf8' }).trim()).toBe(pinned);
  });

  test('reports an unencrypted queue (the scan can fail)', () => {
    expect(summary(scans.broken.failed)).toContain('CKV_AWS_27 @ AWS::SQS::Queue');
  });

  test('the hardened configuration (key, VPC with endpoints, reserved concurrency, web ACL) fails no check', () => {
    expect(summary(scans.hardened.failed)).toEqual([]);
    // Scanned, not skipped wholesale: every check that fails at defaults passes here.
    expect(scans.hardened.passed).toBeGreaterThanOrEqual(scans.default.passed + scans.default.failed.length);
  });

  test('with encryptionKey alone, nothing stored at rest is left unencrypted: only placement and concurrency remain', () => {
    expect([...new Set(scans.key.failed.map((r) => r.check_id))].sort()).toEqual(['CKV_AWS_115', 'CKV_AWS_117']);
  });

  test("the HTTP API's own check runs and passes (access logging on the stage); apiType REST with encryptionKey fails nothing more", () => {
    expect(scans.default.passedChecks).toContain('CKV_AWS_95 @ AWS::ApiGatewayV2::Stage');
    expect(summary(scans.restKey.failed)).toEqual(summary(scans.key.failed));
  });

  test('every skip is recorded on its resource with a reason, in every configuration; the REST stage adds its cache skip', () => {
    // The handler, the stream processor and the stall sweep.
    const functions = Array.from({ length: 3 }, () => 'CKV_AWS_116 @ AWS::Lambda::Function');
    for (const name of ['default', 'key', 'hardened', 'restKey']) {
      const rest = name === 'hardened' || name === 'restKey';
      expect(summary(scans[name].skipped)).toEqual(rest ? [...functions, 'CKV_AWS_120 @ AWS::ApiGateway::Stage'] : functions);
      for (const skip of scans[name].skipped) expect(skip.check_result.suppress_comment?.length).toBeGreaterThan(40);
    }
  });

  test('what fails and what is skipped at defaults is exactly what the README lists', () => {
    const table = readmeTable();
    expect(summary(scans.default.failed)).toEqual(table.failsAtDefaults);
    expect(summary(scans.default.skipped)).toEqual(table.skipped);
  });
});
