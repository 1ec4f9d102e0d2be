import { readFileSync } from 'fs';
import { validatorModuleSource, VALIDATOR_MODULE_PATH } from '../../lambda/tools/generate-validators';

describe('generated request validator', () => {
  test('is up to date with the contract schema (run `npx projen generate:validators` if not)', () => {
    expect(readFileSync(VALIDATOR_MODULE_PATH, 'utf8')).toBe(validatorModuleSource());
  });

  test('is CommonJS needing nothing but ajv runtime helpers', () => {
    const source = validatorModuleSource();
    const required = [...source.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);

    expect(source).toContain('module.exports');
    expect(required.every((name) => name.startsWith('ajv/dist/runtime/'))).toBe(true);
  });
});
