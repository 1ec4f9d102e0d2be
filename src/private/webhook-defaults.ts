import { Duration } from 'aws-cdk-lib';

/**
 * What a webhook takes when its props leave it out: the one place these values
 * are kept (the `@default` lines of `WebhookProps` state them in prose).
 */
export const WEBHOOK_DEFAULTS = {
  headerName: 'X-Webhook-Secret',
  rateLimitPerSecond: 10,
  retryAttempts: 185,
  maxEventAge: Duration.hours(1),
} as const;
