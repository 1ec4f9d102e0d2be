import { randomInt } from 'crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { GenerateSecretString, SecretSource, SecretSpec } from '../assembly/webhooks';
import type { LocalCredentials } from '../gateway/sigv4';

/**
 * Secrets on the emulator: every secret of the template, with the value its
 * `SecretString` gives or one generated here as Secrets Manager would from its
 * `GenerateSecretString`, and every secret outside the template that a served
 * webhook's connection names (its value from the `webhookSecretValues` option,
 * else generated, with a warning). Tests and a local receiver read them back
 * with GetSecretValue, as a receiver on AWS would.
 */

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = LOWERCASE.toUpperCase();
const NUMBERS = '0123456789';
/** Secrets Manager's punctuation set (GetRandomPassword). */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A random string by `GenerateSecretString`'s rules (defaults as Secrets Manager's: 32 characters, every class). */
export function generateSecretString(options: GenerateSecretString = {}): string {
  const length = options.PasswordLength ?? 32;
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const classes = [
    options.ExcludeLowercase ? '' : LOWERCASE,
    options.ExcludeUppercase ? '' : UPPERCASE,
    options.ExcludeNumbers ? '' : NUMBERS,
    options.ExcludePunctuation ? '' : PUNCTUATION,
    options.IncludeSpace ? ' ' : '',
  ].map((chars) => [...chars].filter((char) => !excluded.has(char)).join('')).filter((chars) => chars.length > 0);
  if (classes.length === 0) throw new Error('GenerateSecretString excludes every character');
  const all = classes.join('');
  const pick = (chars: string) => chars[randomInt(chars.length)];
  const required = (options.RequireEachIncludedType ?? true) ? classes.map(pick) : [];
  const characters = [...required, ...Array.from({ length: Math.max(0, length - required.length) }, () => pick(all))];
  // Shuffle, so the required characters are not always first.
  for (let i = characters.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [characters[i], characters[j]] = [characters[j], characters[i]];
  }
  const password = characters.slice(0, length).join('');
  if (options.SecretStringTemplate === undefined) return password;
  const document = JSON.parse(options.SecretStringTemplate);
  document[options.GenerateStringKey ?? 'password'] = password;
  return JSON.stringify(document);
}

/** A secret created on the emulator. */
export interface LocalSecret {
  /** The name on the emulator (GetSecretValue's SecretId). */
  readonly name: string;
  readonly value: string;
  /** The template's logical id; undefined for a secret outside the template. */
  readonly logicalId?: string;
}

/** The name Secrets Manager knows an external secret by, from the ARN or name a dynamic reference gives. */
export function externalSecretName(secretId: string): string {
  const arn = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(secretId);
  return arn ? arn[1] : secretId;
}

export interface CreateSecretsOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
  readonly templateSecrets: readonly SecretSpec[];
  /** Secrets outside the template (ARN or name as the template names them), with a value when one was given. */
  readonly external: ReadonlyArray<{ readonly secretId: string; readonly value?: string }>;
}

export async function createSecrets(options: CreateSecretsOptions): Promise<LocalSecret[]> {
  const client = new SecretsManagerClient({ endpoint: options.endpoint, region: options.region, credentials: options.credentials, maxAttempts: 2 });
  const created: LocalSecret[] = [];
  try {
    const wanted: Array<LocalSecret & { readonly description?: string }> = [
      ...options.templateSecrets.map((spec) => ({
        logicalId: spec.logicalId,
        name: spec.name,
        value: spec.secretString ?? generateSecretString(spec.generate),
        description: spec.description,
      })),
      ...options.external.map((secret) => ({
        name: externalSecretName(secret.secretId),
        value: secret.value ?? generateSecretString({ ExcludePunctuation: true }),
      })),
    ];
    for (const secret of wanted) {
      try {
        await client.send(new CreateSecretCommand({ Name: secret.name, SecretString: secret.value, Description: secret.description }));
      } catch (error) {
        throw new Error(`creating secret ${secret.name} on the emulator failed: ${(error as Error).name}: ${(error as Error).message}`);
      }
      created.push({ name: secret.name, value: secret.value, logicalId: secret.logicalId });
    }
  } finally {
    client.destroy();
  }
  return created;
}

/** The value an API key takes from its source, given the secrets on the emulator. */
export function secretValue(source: SecretSource, secrets: readonly LocalSecret[]): string {
  if (source.kind === 'literal') return source.value;
  const secret = source.kind === 'template'
    ? secrets.find((candidate) => candidate.logicalId === source.logicalId)
    : secrets.find((candidate) => candidate.logicalId === undefined && candidate.name === externalSecretName(source.secretId));
  if (!secret) throw new Error(`no secret on the emulator for ${source.kind === 'template' ? source.logicalId : source.secretId}`);
  if (source.jsonKey === undefined) return secret.value;
  const value = JSON.parse(secret.value)[source.jsonKey];
  if (value === undefined) throw new Error(`secret ${secret.name} has no key ${source.jsonKey}`);
  return typeof value === 'string' ? value : JSON.stringify(value);
}
