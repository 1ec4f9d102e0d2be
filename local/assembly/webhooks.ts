import { IntrinsicResolver, TemplateError } from './intrinsics';
import type { RuleSpec } from './rules';
import type { QueueSpec } from './template';
import type { InputTransformer } from '../events/input-transformer';

/**
 * Webhooks, read from the template: rule targets that are EventBridge API
 * destinations, with the destination (endpoint, method, rate limit), its
 * connection (the API-key header and where its value comes from), the target's
 * input, retry policy and dead-letter queue. moto's PutEvents neither renders a
 * request body nor authenticates one for an API destination, so the local
 * runtime delivers these itself (local/events/webhooks.ts).
 */

/** An API destination's ARN, as AWS writes it (`api-destination/<name>/<uuid>`) or the local resolver does. */
export const API_DESTINATION_ARN = /^arn:[^:]+:events:[^:]*:[^:]*:api-?destination\//;

/** EventBridge's retry policy when a target names none. */
const DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 };
/** EventBridge's default invocation rate of an API destination. */
const DEFAULT_RATE_LIMIT_PER_SECOND = 300;

/** Where an API key's value comes from. */
export type SecretSource =
  /** A secret of this template (its logical id). */
  | { readonly kind: 'template'; readonly logicalId: string; readonly jsonKey?: string }
  /** A secret outside the template, as the dynamic reference names it (an ARN or a name). */
  | { readonly kind: 'external'; readonly secretId: string; readonly jsonKey?: string }
  /** A value written into the template. */
  | { readonly kind: 'literal'; readonly value: string };

export interface SecretSpec {
  readonly logicalId: string;
  /** The name the secret gets on the emulator. */
  readonly name: string;
  readonly description?: string;
  /** `SecretString`, when the template gives one. */
  readonly secretString?: string;
  /** `GenerateSecretString`, as the template has it. */
  readonly generate?: GenerateSecretString;
}

/** CloudFormation's `GenerateSecretString` (what the local runtime honours of it). */
export interface GenerateSecretString {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

export interface WebhookSpec {
  /** `<rule logical id>/<target id>`: how the runtime and its report name the webhook. */
  readonly id: string;
  readonly ruleLogicalId: string;
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly eventBusName: string;
  readonly targetId: string;
  /** The target's ARN (the API destination's). */
  readonly targetArn: string;
  readonly destination: {
    readonly logicalId: string;
    /** The endpoint the template names (on AWS, the request goes there). */
    readonly endpoint: string;
    readonly httpMethod: string;
    readonly rateLimitPerSecond: number;
  };
  readonly connection: {
    readonly logicalId: string;
    /** The header that carries the API key. */
    readonly apiKeyName: string;
    readonly apiKey: SecretSource;
  };
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
  readonly httpParameters?: {
    readonly HeaderParameters?: Record<string, string>;
    readonly QueryStringParameters?: Record<string, string>;
    readonly PathParameterValues?: string[];
  };
  readonly retryPolicy: { readonly maximumRetryAttempts: number; readonly maximumEventAgeSeconds: number };
  /** The template queue that receives what could not be delivered. */
  readonly deadLetterQueueLogicalId?: string;
}

/** `{{resolve:secretsmanager:<id>[:SecretString:<json-key>:<version-stage>:<version-id>]}}` */
const SECRETS_MANAGER_REFERENCE = /^\{\{resolve:secretsmanager:(.+?)(?::SecretString:([^:]*):([^:]*):([^:]*))?\}\}$/;

export function readSecrets(ids: readonly string[], resolver: IntrinsicResolver): SecretSpec[] {
  return ids.map((id) => {
    const props = resolver.properties(id);
    if (props.SecretString !== undefined && props.GenerateSecretString !== undefined) {
      throw new TemplateError(`Resources.${id}.Properties: a secret has SecretString or GenerateSecretString, not both`);
    }
    return {
      logicalId: id,
      name: props.Name !== undefined ? String(props.Name) : resolver.ref(id, `Resources.${id}`),
      description: props.Description,
      secretString: props.SecretString === undefined ? undefined : String(props.SecretString),
      generate: props.GenerateSecretString,
    };
  });
}

export function readWebhooks(
  rules: readonly RuleSpec[],
  byType: (...types: string[]) => string[],
  resolver: IntrinsicResolver,
  queues: readonly QueueSpec[],
  notServed: string[],
  warnings: string[],
): WebhookSpec[] {
  const destinations = new Map(byType('AWS::Events::ApiDestination').map((id) => [String(resolver.getAtt(id, 'Arn', `Resources.${id}`)), id]));
  const connections = new Map(byType('AWS::Events::Connection').map((id) => [String(resolver.getAtt(id, 'Arn', `Resources.${id}`)), id]));
  const secrets = byType('AWS::SecretsManager::Secret');

  const webhooks: WebhookSpec[] = [];
  for (const rule of rules) {
    const targets = (resolver.properties(rule.logicalId).Targets ?? []) as Record<string, any>[];
    for (const target of targets) {
      const arn = String(target.Arn);
      if (!API_DESTINATION_ARN.test(arn)) continue;
      const label = `webhook ${rule.logicalId}/${target.Id} (${arn})`;
      const destinationId = destinations.get(arn);
      if (!destinationId) {
        notServed.push(`${label}: the API destination is not in this template`);
        continue;
      }
      const destination = resolver.properties(destinationId);
      const connectionId = connections.get(String(destination.ConnectionArn));
      if (!connectionId) {
        notServed.push(`${label}: its connection (${destination.ConnectionArn}) is not in this template`);
        continue;
      }
      const connection = resolver.properties(connectionId);
      if (connection.AuthorizationType !== 'API_KEY') {
        notServed.push(`${label}: connection ${connectionId} uses ${connection.AuthorizationType} authorization; the local runtime serves API_KEY only`);
        continue;
      }
      if (connection.AuthParameters?.InvocationHttpParameters !== undefined) {
        warnings.push(`${label}: connection ${connectionId} has InvocationHttpParameters, which the local runtime does not send`);
      }
      const apiKey = connection.AuthParameters?.ApiKeyAuthParameters ?? {};
      const where = `Resources.${connectionId}.Properties.AuthParameters.ApiKeyAuthParameters`;
      if (typeof apiKey.ApiKeyName !== 'string' || typeof apiKey.ApiKeyValue !== 'string') {
        throw new TemplateError(`${where}: ApiKeyName and ApiKeyValue must be strings`);
      }
      const retry = target.RetryPolicy ?? {};
      const dlqArn = target.DeadLetterConfig?.Arn as string | undefined;
      const dlq = dlqArn === undefined ? undefined : queues.find((queue) => queue.arn === dlqArn);
      if (dlqArn !== undefined && !dlq) warnings.push(`${label}: its dead-letter queue ${dlqArn} is not a queue of this template: failed deliveries are dropped`);
      webhooks.push({
        id: `${rule.logicalId}/${target.Id}`,
        ruleLogicalId: rule.logicalId,
        ruleName: rule.name,
        ruleArn: String(resolver.getAtt(rule.logicalId, 'Arn', `Resources.${rule.logicalId}`)),
        eventBusName: rule.eventBusName,
        targetId: String(target.Id),
        targetArn: arn,
        destination: {
          logicalId: destinationId,
          endpoint: String(destination.InvocationEndpoint),
          httpMethod: String(destination.HttpMethod ?? 'POST'),
          rateLimitPerSecond: Number(destination.InvocationRateLimitPerSecond ?? DEFAULT_RATE_LIMIT_PER_SECOND),
        },
        connection: {
          logicalId: connectionId,
          apiKeyName: apiKey.ApiKeyName,
          apiKey: secretSource(apiKey.ApiKeyValue, secrets, resolver, `${where}.ApiKeyValue`, warnings),
        },
        input: target.Input,
        inputPath: target.InputPath,
        inputTransformer: target.InputTransformer,
        httpParameters: target.HttpParameters,
        retryPolicy: {
          maximumRetryAttempts: Number(retry.MaximumRetryAttempts ?? DEFAULT_RETRY.maximumRetryAttempts),
          maximumEventAgeSeconds: Number(retry.MaximumEventAgeInSeconds ?? DEFAULT_RETRY.maximumEventAgeSeconds),
        },
        deadLetterQueueLogicalId: dlq?.logicalId,
      });
    }
  }
  return webhooks;
}

function secretSource(value: string, secrets: readonly string[], resolver: IntrinsicResolver, where: string, warnings: string[]): SecretSource {
  const match = SECRETS_MANAGER_REFERENCE.exec(value);
  if (!match) return { kind: 'literal', value };
  const [, secretId, jsonKey, versionStage, versionId] = match;
  if (versionStage || versionId) warnings.push(`${where}: the version stage or id of ${secretId} is ignored locally (the emulator holds one version)`);
  const key = jsonKey ? { jsonKey } : {};
  // Ref of a secret resolves, locally, to what `resolver.ref` gives (on AWS, its ARN).
  const logicalId = secrets.find((id) => resolver.ref(id, where) === secretId);
  return logicalId ? { kind: 'template', logicalId, ...key } : { kind: 'external', secretId, ...key };
}
