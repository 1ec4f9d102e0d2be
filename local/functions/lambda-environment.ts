import type { FunctionSpec } from '../assembly/template';
import type { LocalCredentials } from '../gateway/sigv4';

/**
 * The environment a function sees: the template's variables (already resolved to
 * the local resources), then what Lambda itself sets, then the emulator endpoint
 * and the local credentials. Nothing is inherited from the shell that started the
 * runtime, so a developer's AWS_PROFILE can never send a call to a real account.
 */
export interface LambdaEnvironmentOptions {
  readonly region: string;
  /** Where the function's AWS SDK calls go (AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  /**
   * The emulator's own endpoint, when `endpoint` is another way to it (the fault
   * proxy): URLs of emulator resources in the template's variables (queue URLs)
   * are moved to `endpoint` too, because the SQS client sends to a queue URL's own
   * host, whatever AWS_ENDPOINT_URL says.
   */
  readonly emulatorEndpoint?: string;
  readonly credentials: LocalCredentials;
}

export function lambdaEnvironment(fn: FunctionSpec, options: LambdaEnvironmentOptions): Record<string, string> {
  const { emulatorEndpoint, endpoint } = options;
  const variables = emulatorEndpoint === undefined || emulatorEndpoint === endpoint
    ? fn.environment
    : Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, value.split(`${emulatorEndpoint}/`).join(`${endpoint}/`)]));
  return {
    ...variables,
    // Lambda's reserved variables: a template cannot set these.
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
    // What Lambda tells the code when the function logs in JSON (Powertools reads both).
    ...(fn.jsonLogLevel !== undefined ? { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: fn.jsonLogLevel } : {}),
    AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
    LAMBDA_TASK_ROOT: fn.codeDirectory,
    _HANDLER: fn.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    // Every AWS SDK v3 client of the function talks to the emulator.
    AWS_ENDPOINT_URL: options.endpoint,
  };
}
