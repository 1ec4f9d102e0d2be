import { SSMClient } from '@aws-sdk/client-ssm';
import { region, requestHandler } from './client-settings';

/**
 * The SSM client behind the config cache (config.ts), in a module of its own so
 * the stream processor, which reads the flags through the same cache, does not
 * bundle the DynamoDB client. SSM answers in tens of milliseconds and config has
 * a fallback, so waiting on it never pays off: a 1 s request timeout and two attempts.
 */
export const ssm = new SSMClient({ region, maxAttempts: 2, requestHandler: requestHandler(1_000) });
