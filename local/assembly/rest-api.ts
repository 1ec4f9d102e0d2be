import { IntrinsicResolver, TemplateError } from './intrinsics';
import type { FunctionSpec } from './template';

/**
 * The REST API part of a template, read the way API Gateway deploys it: the
 * resource tree (PathPart under ParentId), each method with its authorization,
 * request validator, models, required parameters and integration, the stages and
 * the gateway responses.
 */

/** One `AWS::ApiGateway::Resource` (or the root), with its full path. */
export interface ApiResourceSpec {
  readonly id: string;
  /** e.g. `/track`, `/{proxy+}`, `/` for the root. */
  readonly path: string;
  readonly methods: ReadonlyMap<string, MethodSpec>;
}

export interface MethodSpec {
  /** The `AWS::ApiGateway::Method`'s logical id (absent in specs not read from a template). */
  readonly logicalId?: string;
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly authorizationType: string;
  readonly validateBody: boolean;
  readonly validateParameters: boolean;
  /** JSON schema by content type (`application/json`, `$default`). */
  readonly requestModels: Readonly<Record<string, object>>;
  /** `method.request.<location>.<name>` marked required. */
  readonly requiredParameters: readonly { readonly location: 'querystring' | 'header' | 'path'; readonly name: string }[];
  readonly integration: IntegrationSpec;
}

export type IntegrationSpec =
  | { readonly kind: 'lambda-proxy'; readonly functionLogicalId: string; readonly timeoutMs: number }
  | { readonly kind: 'unsupported'; readonly description: string; readonly timeoutMs: number };

export interface GatewayResponseSpec {
  readonly statusCode?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly templates: Readonly<Record<string, string>>;
}

export interface RestApiSpec {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly stages: ReadonlyMap<string, { readonly variables: Readonly<Record<string, string>> }>;
  readonly binaryMediaTypes: readonly string[];
  readonly resources: readonly ApiResourceSpec[];
  /** By response type (`DEFAULT_4XX`, `MISSING_AUTHENTICATION_TOKEN`, ...). */
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseSpec>;
}

/** API Gateway's limit, and the default when an integration names no TimeoutInMillis. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * Which function of the stack a function ARN names. Shared by both API flavours:
 * a REST integration URI wraps the ARN, an HTTP API integration names it directly.
 */
export function functionOfArn(functionArn: string, functions: ReadonlyMap<string, FunctionSpec>): string | undefined {
  // An alias or version ARN (`...:function:name:alias`) runs the same code.
  const arn = functionArn.split(':').slice(0, 7).join(':');
  return [...functions.values()].find((fn) => fn.arn === arn)?.logicalId;
}

/** Which function a Lambda proxy integration URI (`arn:aws:apigateway:...:lambda:path/.../functions/<arn>/invocations`) calls. */
function functionOfUri(uri: string, functions: ReadonlyMap<string, FunctionSpec>): string | undefined {
  const match = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri);
  return match ? functionOfArn(match[1], functions) : undefined;
}

/** How one kind of API is named in the messages of {@link chooseApi}. */
export interface ApiKind {
  /** The resource type, for "the template has no ... to serve". */
  readonly type: string;
  /** e.g. `RestApi`, `HTTP API`. */
  readonly singular: string;
  readonly plural: string;
  /** The command-line option that chooses one. */
  readonly option: string;
}

/**
 * The one API of a kind to serve, by logical id: the chosen one, or the only one.
 * The others are listed in `notServed`, so the start-up report says what is left out.
 */
export function chooseApi(apis: readonly string[], chosen: string | undefined, kind: ApiKind, notServed: string[]): string {
  if (apis.length === 0) throw new TemplateError(`the template has no ${kind.type} to serve`);
  if (chosen !== undefined && !apis.includes(chosen)) throw new TemplateError(`${kind.singular} ${chosen} is not in the template; it holds: ${apis.join(', ')}`);
  if (chosen === undefined && apis.length > 1) throw new TemplateError(`the template holds several ${kind.plural} (${apis.join(', ')}); choose one with ${kind.option}`);
  const apiLogicalId = chosen ?? apis[0];
  for (const other of apis.filter((id) => id !== apiLogicalId)) notServed.push(`${other} (only one ${kind.singular} is served)`);
  return apiLogicalId;
}

const REST_API: ApiKind = { type: 'AWS::ApiGateway::RestApi', singular: 'RestApi', plural: 'RestApis', option: '--rest-api' };

export function readRestApi(
  byType: (...types: string[]) => string[],
  resolver: IntrinsicResolver,
  functions: ReadonlyMap<string, FunctionSpec>,
  chosen: string | undefined,
  notServed: string[],
): RestApiSpec {
  const apiLogicalId = chooseApi(byType('AWS::ApiGateway::RestApi'), chosen, REST_API, notServed);

  const apiProps = resolver.properties(apiLogicalId);
  if (apiProps.Body !== undefined || apiProps.BodyS3Location !== undefined) {
    throw new TemplateError(`Resources.${apiLogicalId}: a RestApi defined by an OpenAPI body is not served locally; define its resources and methods in the template`);
  }
  const apiId = resolver.ref(apiLogicalId, `Resources.${apiLogicalId}`);
  const belongs = (id: string) => resolver.properties(id).RestApiId === apiId;

  // Resources: the root, then each PathPart under its ParentId.
  const rootId = String(resolver.getAtt(apiLogicalId, 'RootResourceId', `Resources.${apiLogicalId}`));
  const parts = new Map<string, { parentId: string; pathPart: string }>();
  for (const id of byType('AWS::ApiGateway::Resource').filter(belongs)) {
    const props = resolver.properties(id);
    parts.set(resolver.ref(id, `Resources.${id}`), { parentId: String(props.ParentId), pathPart: String(props.PathPart) });
  }
  const pathOf = (resourceId: string, seen: string[] = []): string => {
    if (resourceId === rootId) return '/';
    const part = parts.get(resourceId);
    if (!part || seen.includes(resourceId)) throw new TemplateError(`API resource ${resourceId} has no path to the root resource`);
    const parent = pathOf(part.parentId, [...seen, resourceId]);
    return `${parent === '/' ? '' : parent}/${part.pathPart}`;
  };

  const validators = new Map(byType('AWS::ApiGateway::RequestValidator').filter(belongs).map((id) => {
    const props = resolver.properties(id);
    return [resolver.ref(id, `Resources.${id}`), { body: cfnBoolean(props.ValidateRequestBody), parameters: cfnBoolean(props.ValidateRequestParameters) }];
  }));
  const models = new Map(byType('AWS::ApiGateway::Model').filter(belongs).map((id) => {
    const schema = resolver.properties(id).Schema;
    return [resolver.ref(id, `Resources.${id}`), typeof schema === 'string' ? JSON.parse(schema) : schema ?? {}];
  }));

  const methodsByResource = new Map<string, Map<string, MethodSpec>>([rootId, ...parts.keys()].map((id) => [id, new Map()]));
  for (const id of byType('AWS::ApiGateway::Method').filter(belongs)) {
    const props = resolver.properties(id);
    const where = `Resources.${id}.Properties`;
    const resourceId = String(props.ResourceId);
    const methods = methodsByResource.get(resourceId);
    if (!methods) throw new TemplateError(`${where}.ResourceId: ${resourceId} is not a resource of ${apiLogicalId}`);
    const httpMethod = String(props.HttpMethod).toUpperCase();
    const resourcePath = pathOf(resourceId);
    const validator = props.RequestValidatorId !== undefined ? validators.get(String(props.RequestValidatorId)) : undefined;
    const requestModels: Record<string, object> = {};
    for (const [contentType, modelName] of Object.entries(props.RequestModels ?? {})) {
      const schema = models.get(String(modelName));
      // `Empty` and `Error` are API Gateway's built-in models: they accept anything.
      if (schema) requestModels[contentType.toLowerCase()] = schema;
    }
    const requiredParameters = Object.entries(props.RequestParameters ?? {})
      .filter(([, required]) => cfnBoolean(required))
      .map(([key]) => /^method\.request\.(querystring|header|path)\.(.+)$/.exec(key))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ location: match[1] as 'querystring' | 'header' | 'path', name: match[2] }));
    const integration = readIntegration(props.Integration ?? {}, functions);
    if (integration.kind === 'unsupported') notServed.push(`${httpMethod} ${resourcePath}: ${integration.description} (answers 500 locally)`);
    methods.set(httpMethod, {
      logicalId: id,
      httpMethod,
      resourcePath,
      authorizationType: String(props.AuthorizationType ?? 'NONE').toUpperCase(),
      validateBody: validator?.body ?? false,
      validateParameters: validator?.parameters ?? false,
      requestModels,
      requiredParameters,
      integration,
    });
  }

  const stages = new Map<string, { variables: Record<string, string> }>();
  for (const id of byType('AWS::ApiGateway::Stage').filter(belongs)) {
    const props = resolver.properties(id);
    stages.set(String(props.StageName), { variables: props.Variables ?? {} });
  }
  // The older style: a Deployment that creates its stage itself.
  for (const id of byType('AWS::ApiGateway::Deployment').filter(belongs)) {
    const props = resolver.properties(id);
    if (props.StageName !== undefined && !stages.has(String(props.StageName))) {
      stages.set(String(props.StageName), { variables: props.StageDescription?.Variables ?? {} });
    }
  }
  if (stages.size === 0) throw new TemplateError(`${apiLogicalId} has no stage (AWS::ApiGateway::Stage or a Deployment's StageName)`);

  const gatewayResponses = new Map<string, GatewayResponseSpec>();
  for (const id of byType('AWS::ApiGateway::GatewayResponse').filter(belongs)) {
    const props = resolver.properties(id);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(props.ResponseParameters ?? {})) {
      const header = /^gatewayresponse\.header\.(.+)$/.exec(key);
      // Static values are quoted ('value'); mapped values ($context...) are not resolved locally.
      if (header && typeof value === 'string' && /^'.*'$/.test(value)) headers[header[1]] = value.slice(1, -1);
    }
    gatewayResponses.set(String(props.ResponseType), {
      statusCode: props.StatusCode !== undefined ? Number(props.StatusCode) : undefined,
      headers,
      templates: props.ResponseTemplates ?? {},
    });
  }

  return {
    logicalId: apiLogicalId,
    id: apiId,
    name: String(apiProps.Name ?? apiLogicalId),
    stages,
    binaryMediaTypes: (apiProps.BinaryMediaTypes ?? []).map((type: string) => type.replace('~1', '/').toLowerCase()),
    resources: [...methodsByResource.entries()].map(([id, methods]) => ({ id, path: pathOf(id), methods })),
    gatewayResponses,
  };
}

/** CloudFormation accepts a Boolean property as `true` or as the string `"true"`; `"false"` is false, not a truthy string. */
function cfnBoolean(value: unknown): boolean {
  return value === true || value === 'true';
}

function readIntegration(integration: Record<string, any>, functions: ReadonlyMap<string, FunctionSpec>): IntegrationSpec {
  const timeoutMs = Number(integration.TimeoutInMillis ?? INTEGRATION_TIMEOUT_MS);
  const type = String(integration.Type ?? 'none');
  if (type === 'AWS_PROXY' && typeof integration.Uri === 'string') {
    const functionLogicalId = functionOfUri(integration.Uri, functions);
    if (functionLogicalId) return { kind: 'lambda-proxy', functionLogicalId, timeoutMs };
    return { kind: 'unsupported', description: `an AWS_PROXY integration with ${integration.Uri}, not a function of this stack`, timeoutMs };
  }
  return { kind: 'unsupported', description: `a ${type} integration`, timeoutMs };
}
