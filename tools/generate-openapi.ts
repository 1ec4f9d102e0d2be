/** Writes the API's OpenAPI document (src/contract/openapi.ts) into the package's assets. */
import * as fs from 'fs';
import * as path from 'path';
import { buildOpenApiDocument } from '../src/contract/openapi';

const out = path.join(__dirname, '..', 'assets', 'openapi', 'openapi.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(), undefined, 2)}\n`);
