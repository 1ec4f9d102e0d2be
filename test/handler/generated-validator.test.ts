import { readFileSync } from 'fs';
import { validatorModulePath, validatorModuleSource, VALIDATORS } from '../../lambda/tools/generate-validators';

describe('generated request validators', () => {
  test('cover both API Gateway request models', () => {
    expect(VALIDATORS.map((validator) => validator.schemaName)).toEqual(['TRACKING_UPDATE_SCHEMA', 'TRACKING_BATCH_SCHEMA']);
  });

  describe.each(VALIDATORS.map((validator) => [validator.moduleName, validator] as const))('%s', (_name, validator) => {
    test('is up to date with the contract schema (run `npx projen generate:validators` if not)', () => {
      expect(readFileSync(validatorModulePath(validator), 'utf8')).toBe(validatorModuleSource(validator));
    });

    test('is CommonJS needing nothing but ajv runtime helpers', () => {
      const source = validatorModuleSource(validator);
      const required = [...source.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);

      expect(source).toContain('module.exports');
      expect(source).toContain(`from ${validator.schemaName}`);
      expect(required.every((name) => name.startsWith('ajv/dist/runtime/'))).toBe(true);
    });
  });
});
