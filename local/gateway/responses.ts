import type { GatewayResponseSpec } from '../assembly/rest-api';

/**
 * API Gateway's own answers (errors that never reach the function), rendered from
 * the template's AWS::ApiGateway::GatewayResponse resources: the specific response
 * type if the template customizes it, else DEFAULT_4XX / DEFAULT_5XX, else API
 * Gateway's built-in `{"message":$context.error.messageString}`.
 */

export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'INVALID_SIGNATURE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'REQUEST_TOO_LARGE'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'API_CONFIGURATION_ERROR'
  | 'DEFAULT_5XX';

/** Each type's status code when the template does not override it. */
const DEFAULT_STATUS: Record<GatewayResponseType, number> = {
  MISSING_AUTHENTICATION_TOKEN: 403,
  INVALID_SIGNATURE: 403,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  REQUEST_TOO_LARGE: 413,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  API_CONFIGURATION_ERROR: 500,
  DEFAULT_5XX: 502,
};

/** The `x-amzn-ErrorType` API Gateway sends with each. */
const ERROR_TYPE: Partial<Record<GatewayResponseType, string>> = {
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  INVALID_SIGNATURE: 'InvalidSignatureException',
  BAD_REQUEST_PARAMETERS: 'BadRequestException',
  BAD_REQUEST_BODY: 'BadRequestException',
  INTEGRATION_TIMEOUT: 'InternalServerErrorException',
  INTEGRATION_FAILURE: 'InternalServerErrorException',
  DEFAULT_5XX: 'InternalServerErrorException',
};

const BUILT_IN_TEMPLATE = '{"message":$context.error.messageString}';

export interface GatewayError {
  readonly type: GatewayResponseType;
  readonly message: string;
  /** Overrides the type's default status (e.g. 502 for a function error, whose type is DEFAULT_5XX). */
  readonly statusCode?: number;
  /** `$context.error.validationErrorString`. */
  readonly validationErrors?: string;
}

export interface RenderedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface RenderContext {
  readonly requestId: string;
  readonly stage: string;
  readonly resourcePath?: string;
  readonly httpMethod: string;
  readonly sourceIp: string;
}

export function renderGatewayResponse(
  error: GatewayError,
  responses: ReadonlyMap<string, GatewayResponseSpec>,
  context: RenderContext,
): RenderedResponse {
  const defaultStatus = error.statusCode ?? DEFAULT_STATUS[error.type];
  const family = defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const specific = responses.get(error.type);
  const fallback = responses.get(family);
  const template = specific?.templates['application/json'] ?? fallback?.templates['application/json'] ?? BUILT_IN_TEMPLATE;
  const statusCode = specific?.statusCode ?? (error.type === family ? fallback?.statusCode : undefined) ?? defaultStatus;

  // Gateway response templates are plain `$context` substitution, not VTL.
  const variables: Record<string, string> = {
    '$context.error.messageString': JSON.stringify(error.message),
    '$context.error.message': error.message,
    '$context.error.responseType': error.type,
    '$context.error.validationErrorString': error.validationErrors ?? '',
    '$context.requestId': context.requestId,
    '$context.extendedRequestId': context.requestId,
    '$context.stage': context.stage,
    '$context.resourcePath': context.resourcePath ?? '',
    '$context.httpMethod': context.httpMethod,
    '$context.identity.sourceIp': context.sourceIp,
  };
  const body = template.replace(/\$context(\.[A-Za-z]+)+/g, (name) => variables[name] ?? '');

  const headers: Record<string, string> = {
    ...fallback?.headers,
    ...specific?.headers,
    'Content-Type': 'application/json',
  };
  const errorType = ERROR_TYPE[error.type];
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  return { statusCode, headers, body };
}
