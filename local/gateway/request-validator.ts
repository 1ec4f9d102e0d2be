import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import type { GatewayError } from './responses';
import type { MethodSpec } from '../assembly/rest-api';

/**
 * API Gateway's request validator: required parameters, then the body against
 * the method's model (JSON schema draft-04, chosen by Content-Type), before the
 * function is invoked.
 */

export interface ValidatedRequest {
  readonly query: ReadonlyMap<string, readonly string[]>;
  /** Lower-cased header names. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** API Gateway picks the model by media type; without a Content-Type it uses application/json. */
function modelFor(method: MethodSpec, contentType: string | undefined): object | undefined {
  const mediaType = contentType ? contentType.split(';')[0].trim().toLowerCase() : 'application/json';
  return method.requestModels[mediaType] ?? method.requestModels.$default;
}

/** `$context.error.validationErrorString`, in the spirit of API Gateway's `[instance ... failed ...]` list. */
function describe(errors: readonly ErrorObject[]): string {
  return `[${errors.map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`).join(', ')}]`;
}

export class RequestValidator {
  // API Gateway implements draft-04 and does not enforce `format`.
  private readonly ajv = new Ajv04({ allErrors: true, strict: false, validateFormats: false });
  private readonly compiled = new Map<object, ValidateFunction>();

  /** Compiles every model up front, so a broken schema fails at start-up rather than on the first request. */
  constructor(methods: readonly MethodSpec[]) {
    for (const method of methods) {
      for (const schema of Object.values(method.requestModels)) this.compile(schema);
    }
  }

  /** The gateway's 400, or undefined when the request may reach the integration. */
  public validate(method: MethodSpec, request: ValidatedRequest): GatewayError | undefined {
    if (method.validateParameters) {
      const missing = method.requiredParameters
        .filter(({ location, name }) => (location === 'querystring' ? !request.query.has(name) : location === 'header' ? !request.headers.has(name.toLowerCase()) : false))
        .map(({ name }) => name);
      if (missing.length > 0) {
        return { type: 'BAD_REQUEST_PARAMETERS', message: `Missing required request parameters: [${missing.join(', ')}]` };
      }
    }
    if (method.validateBody) {
      const schema = modelFor(method, request.headers.get('content-type'));
      if (schema) {
        let value: unknown;
        try {
          // An empty body is validated as an empty document, which a schema with required fields refuses.
          value = request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8'));
        } catch {
          return { type: 'BAD_REQUEST_BODY', message: 'Invalid request body', validationErrors: '[Invalid JSON]' };
        }
        const validate = this.compile(schema);
        if (!validate(value)) {
          return { type: 'BAD_REQUEST_BODY', message: 'Invalid request body', validationErrors: describe(validate.errors ?? []) };
        }
      }
    }
    return undefined;
  }

  private compile(schema: object): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      // The draft-04 meta-schema is ajv-draft-04's default; `$schema` and `id` stay as written.
      validate = this.ajv.compile(schema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}
