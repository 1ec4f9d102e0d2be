import * as fs from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';

/**
 * `GET /openapi.json`, beside the stages (API Gateway has no such route; a local
 * convenience for Swagger UI, code generators and contract tests), unsigned.
 *
 * The document served is the package's `assets/openapi/openapi.json`, not one
 * from the cloud assembly: the construct deploys no copy of it, so a `cdk.out`
 * holds none. `npx projen bundle` (which `npx projen local` and `npx projen test`
 * run first) writes it from src/contract — the schemas the template's request
 * models are made from — so it describes the API the template serves. The file
 * is read on every request: a re-bundle shows without a restart.
 */

export const OPENAPI_PATH = '/openapi.json';

export class OpenApiRoute {
  constructor(private readonly file: string) {}

  /** Whether this request is for the document (any other goes to the stages). */
  public matches(request: IncomingMessage): boolean {
    const path = (request.url ?? '/').split('?')[0];
    return path === OPENAPI_PATH && (request.method === 'GET' || request.method === 'HEAD');
  }

  public serve(request: IncomingMessage, response: ServerResponse): void {
    let body: Buffer;
    let status = 200;
    try {
      body = fs.readFileSync(this.file);
    } catch {
      status = 404;
      body = Buffer.from(JSON.stringify({ error: `no OpenAPI document at ${this.file}: run \`npx projen bundle\`` }));
    }
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    response.end(request.method === 'HEAD' ? undefined : body);
  }
}
