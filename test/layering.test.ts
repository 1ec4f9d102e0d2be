import * as fs from 'fs';
import * as path from 'path';
import { loadESLint, Linter } from 'eslint';

/**
 * The layering rule (`import/no-restricted-paths`, configured in .projenrc.ts) is
 * part of the project's ESLint config, lints every folder it guards, bites on each
 * forbidden import, and the code obeys it. Without type information, so it runs
 * in a few seconds: the rule needs only the import resolver.
 */

const ROOT = path.join(__dirname, '..');
const RULE = 'import/no-restricted-paths';

// The project's config is .eslintrc.json (ESLINT_USE_FLAT_CONFIG=false in the eslint task).
const loadLegacyESLint = () => loadESLint({ useFlatConfig: false });
type LegacyESLint = InstanceType<Awaited<ReturnType<typeof loadLegacyESLint>>>;

let projectEslint: LegacyESLint;
let layeringOnly: LegacyESLint;

beforeAll(async () => {
  const LegacyESLint = await loadLegacyESLint();
  projectEslint = new LegacyESLint({ cwd: ROOT });
  const config = (await projectEslint.calculateConfigForFile(path.join(ROOT, 'lambda', 'tracking', 'index.ts'))) as Linter.LegacyConfig;
  // The project's own rule settings, alone: no other rule, no type-aware parsing.
  layeringOnly = new LegacyESLint({
    cwd: ROOT,
    useEslintrc: false,
    overrideConfig: {
      root: true,
      parser: '@typescript-eslint/parser',
      parserOptions: { ecmaVersion: 2022, sourceType: 'module' },
      plugins: ['import'],
      settings: config.settings,
      rules: { [RULE]: config.rules![RULE] },
    },
  });
});

/** The layering messages for `source` linted as if it were the file `file` (relative to the root). */
async function violations(file: string, source: string): Promise<string[]> {
  const [result] = await layeringOnly.lintText(source, { filePath: path.join(ROOT, file) });
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('the layering rule is in force', () => {
  test.each(['src/index.ts', 'src/contract/table.ts', 'lambda/tracking/index.ts', 'lambda/stream-processor/index.ts', 'lambda/shared/config.ts', 'local/main.ts'])(
    'the project config applies it to %s, as an error', async (file) => {
      const config = (await projectEslint.calculateConfigForFile(path.join(ROOT, file))) as Linter.LegacyConfig;
      const setting = config.rules?.[RULE] as unknown[] | undefined;
      expect(setting?.[0]).toMatch(/^(error|2)$/);
      expect((setting?.[1] as { zones: unknown[] }).zones.length).toBeGreaterThanOrEqual(8);
    });

  test('`projen test` runs eslint over src, lambda and local', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    expect(tasks.test.steps).toEqual(expect.arrayContaining([expect.objectContaining({ spawn: 'eslint' })]));
    const args: string[] = tasks.eslint.steps.flatMap((step: { execArgs?: string[] }) => step.execArgs ?? []);
    expect(args).toEqual(expect.arrayContaining(['src', 'lambda', 'local']));
  });
});

describe('each forbidden import fails the lint', () => {
  test.each([
    // The construct never imports the functions or the local runtime.
    ['src/logistics-tracking-api.ts', "import { HttpError } from '../lambda/tracking/http';", 'never imports lambda/ or local/'],
    ['src/private/storage.ts', "import { Router } from '../../local/gateway/rest-router';", 'never imports lambda/ or local/'],
    // The contract stands alone.
    ['src/contract/table.ts', "import { createTrackingTable } from '../private/storage';", 'src/contract/ imports nothing else of src/'],
    // Functions take only the contract from src/, and nothing from local/.
    ['lambda/tracking/index.ts', "import { TrackingStatus } from '../../src/tracking-status';", 'lambda/ imports only src/contract/'],
    ['lambda/shared/config.ts', "import type { LogisticsTrackingApiProps } from '../../src/props';", 'lambda/ imports only src/contract/'],
    ['lambda/stream-processor/index.ts', "import { Router } from '../../local/gateway/rest-router';", 'lambda/ never imports local/'],
    // No function imports the other's folder; shared imports neither.
    ['lambda/stream-processor/index.ts', "import { runtimeConfig } from '../tracking/index';", "another function's folder"],
    ['lambda/stream-processor/publisher.ts', "import type { EventRecord } from '../tracking/items';", "another function's folder"],
    ['lambda/tracking/index.ts', "import { PUBLISH_RETRY } from '../stream-processor/publisher';", "another function's folder"],
    ['lambda/shared/retry.ts', "import { repository } from '../tracking/repository';", "imports no function's folder"],
    // The local runtime imports neither.
    ['local/main.ts', "import { ROUTES } from '../src/contract/routes';", 'local/ imports neither'],
    ['local/gateway/rest-router.ts', "import { handler } from '../../lambda/tracking/index';", 'local/ imports neither'],
    // It ships in the package: nothing from the repository's tools, tests or benchmarks.
    ['local/functions/node-runtime.ts', "import { generate } from '../../tools/generate-openapi';", 'local/ imports neither'],
  ])('%s: %s', async (file, line, message) => {
    const found = await violations(file, `${line}\nexport const used = [${line.match(/\{ (\w+) \}/)![1]}];\n`);
    expect(found).toEqual([expect.stringContaining(message)]);
  });

  test.each([
    ['lambda/tracking/index.ts', "import { ROUTES } from '../../src/contract/routes';"],
    ['lambda/stream-processor/index.ts', "import { runtimeConfig } from '../shared/config';"],
    ['src/private/storage.ts', "import { TABLE_LAYOUT } from '../contract/table';"],
    ['local/functions/node-runtime.ts', "import { resolveNode24 } from './node-binary';"],
    ['test/handler/track.test.ts', "import { handler } from '../../lambda/tracking';"],
  ])('allowed: %s: %s', async (file, line) => {
    expect(await violations(file, `${line}\nexport const used = [${line.match(/\{ (\w+) \}/)![1]}];\n`)).toEqual([]);
  });
});

test('the code obeys the layering', async () => {
  const results = await layeringOnly.lintFiles(['src', 'lambda', 'local'].map((dir) => path.join(ROOT, dir, '**', '*.ts')));
  const problems = results.flatMap((result) => result.messages.map((message) => `${path.relative(ROOT, result.filePath)}:${message.line} ${message.message}`));
  expect(problems).toEqual([]);
  expect(results.length).toBeGreaterThan(50);
});
