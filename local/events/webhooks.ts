import { createHash } from 'crypto';
import { PutTargetsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { renderInput, valueAtPath } from './input-transformer';
import type { LocalTemplate } from '../assembly/template';
import type { WebhookSpec } from '../assembly/webhooks';
import { createSecrets, externalSecretName, LocalSecret, secretValue } from '../emulator/secrets';
import type { LocalCredentials } from '../gateway/sigv4';

/**
 * Webhooks delivered locally, as EventBridge delivers to an API destination:
 * moto matches the rule's pattern (an internal queue stands in for the API
 * destination as the rule's target, receiving the whole event), and this module
 * renders the target's input, POSTs it with the connection's API-key header at
 * most `InvocationRateLimitPerSecond` times a second, retries what EventBridge
 * retries (a timeout of 5 s, a connection error, 401, 407, 409, 429, 5xx) with
 * exponential backoff until the target's RetryPolicy runs out, and then sends the
 * event to the target's dead-letter queue with EventBridge's message attributes.
 *
 * The template's endpoint is an https address on the internet; nothing is sent
 * there. `endpoints` maps it to a local URL (a receiver on this machine); an
 * unmapped webhook is not delivered and the start-up report says so.
 *
 * Different from AWS, on purpose: the backoff starts at `retryBaseDelayMs`
 * (1 s by default) so a test sees retries in seconds, not minutes.
 */

/** API destinations give up on an endpoint that has not answered in 5 s. */
export const API_DESTINATION_TIMEOUT_MS = 5_000;
/** Answers EventBridge retries (besides 5xx, timeouts and connection errors). */
const RETRIED_STATUSES = new Set([401, 407, 409, 429]);

export type AttemptResult =
  | { readonly status: number }
  | { readonly error: string };

/** What EventBridge does after one attempt. */
export function outcomeOf(result: AttemptResult): 'delivered' | 'retry' | 'fail' {
  if ('error' in result) return 'retry';
  if (result.status >= 200 && result.status < 300) return 'delivered';
  return result.status >= 500 || RETRIED_STATUSES.has(result.status) ? 'retry' : 'fail';
}

/** The wait before retry `retry` (1-based): doubling from `baseMs`, at most `maxMs`. */
export function retryDelayMs(retry: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** (retry - 1), maxMs);
}

export interface WebhookRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The request EventBridge would send for `event`, addressed to `url` (the local stand-in for the endpoint). */
export function buildRequest(spec: WebhookSpec, event: Record<string, unknown>, url: string, apiKey: string, ingestionTime: string): WebhookRequest {
  const body = renderInput(event, spec, { ruleArn: spec.ruleArn, ruleName: spec.ruleName, ingestionTime });
  // Header and query values may be JSON paths into the event, as on AWS.
  const value = (text: string) => {
    if (!text.startsWith('$.')) return text;
    const found = valueAtPath(event, text);
    return typeof found === 'string' ? found : JSON.stringify(found ?? null);
  };
  let target = url;
  for (const pathValue of spec.httpParameters?.PathParameterValues ?? []) target = target.replace('*', encodeURIComponent(value(pathValue)));
  const query = Object.entries(spec.httpParameters?.QueryStringParameters ?? {})
    .map(([key, text]) => `${encodeURIComponent(key)}=${encodeURIComponent(value(text))}`).join('&');
  if (query) target += `${target.includes('?') ? '&' : '?'}${query}`;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Amazon/EventBridge/ApiDestinations',
  };
  for (const [name, text] of Object.entries(spec.httpParameters?.HeaderParameters ?? {})) headers[name.toLowerCase()] = value(text);
  headers[spec.connection.apiKeyName.toLowerCase()] = apiKey;
  return { method: spec.destination.httpMethod, url: target, headers, body };
}

/** At most `perSecond` starts a second, evenly spaced (API destinations smooth their rate too). */
export class RateLimiter {
  private next = 0;

  constructor(private readonly perSecond: number, private readonly now: () => number = Date.now) {}

  /** Milliseconds to wait before the next request may start; reserves its slot. */
  public reserve(): number {
    const now = this.now();
    const start = Math.max(now, this.next);
    this.next = start + 1000 / this.perSecond;
    return start - now;
  }
}

export interface WebhookStats {
  /** Events taken from the rule (matched its pattern). */
  readonly received: number;
  readonly delivered: number;
  /** HTTP requests sent, retries included. */
  readonly attempts: number;
  readonly retries: number;
  readonly deadLettered: number;
  /** Given up on with no dead-letter queue to take them (or the queue refused them). */
  readonly dropped: number;
  /** Events still being delivered (waiting for the rate limit, in flight or waiting to retry). */
  readonly pending: number;
}

export interface DeliveryOptions {
  readonly spec: WebhookSpec;
  readonly url: string;
  readonly apiKey: string;
  readonly send: (request: WebhookRequest) => Promise<AttemptResult>;
  /** Puts an undeliverable event in the dead-letter queue; absent when the target has none. */
  readonly deadLetter?: (body: string, attributes: Record<string, string>) => Promise<void>;
  readonly retryBaseDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly log: (line: string) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One webhook's deliveries: each event is attempted, retried and dead-lettered on its own. */
export class WebhookDelivery {
  private readonly limiter: RateLimiter;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly counts = { received: 0, delivered: 0, attempts: 0, retries: 0, deadLettered: 0, dropped: 0, pending: 0 };
  private stopped = false;
  /** Wakes every wait now (the runtime is stopping). */
  private readonly wakers = new Set<() => void>();

  constructor(private readonly options: DeliveryOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    }));
    this.limiter = new RateLimiter(options.spec.destination.rateLimitPerSecond, this.now);
  }

  public stats(): WebhookStats {
    return { ...this.counts };
  }

  /** Later deliveries and retries are abandoned (the runtime is stopping). */
  public stop(): void {
    this.stopped = true;
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * Delivers one event (as EventBridge published it), retrying and dead-lettering
   * per the target's policy. `receivedAt`: when EventBridge took it (ms), which the
   * maximum event age counts from.
   */
  public async deliver(event: Record<string, unknown>, receivedAt: number): Promise<void> {
    const { spec, log } = this.options;
    const label = `[webhook ${spec.id}]`;
    this.counts.received++;
    this.counts.pending++;
    try {
      const request = buildRequest(spec, event, this.options.url, this.options.apiKey, new Date(receivedAt).toISOString());
      const deadline = receivedAt + spec.retryPolicy.maximumEventAgeSeconds * 1000;
      for (let retry = 0; ; retry++) {
        await this.sleep(this.limiter.reserve());
        if (this.stopped) return;
        this.counts.attempts++;
        const result = await this.options.send(request);
        const outcome = outcomeOf(result);
        const what = 'error' in result ? result.error : `HTTP ${result.status}`;
        if (outcome === 'delivered') {
          this.counts.delivered++;
          log(`${label} ${request.method} ${request.url} event ${event.id}: ${what}`);
          return;
        }
        const delay = retryDelayMs(retry + 1, this.options.retryBaseDelayMs, this.options.maxRetryDelayMs);
        let exhausted: string | undefined;
        if (outcome === 'retry' && retry >= spec.retryPolicy.maximumRetryAttempts) exhausted = 'MaximumRetryAttemptsExhausted';
        else if (outcome === 'retry' && this.now() + delay > deadline) exhausted = 'MaximumEventAgeExhausted';
        if (outcome === 'retry' && !exhausted) {
          log(`${label} ${request.method} ${request.url} event ${event.id}: ${what}; retry ${retry + 1} of ${spec.retryPolicy.maximumRetryAttempts} in ${delay} ms`);
          this.counts.retries++;
          await this.sleep(delay);
          if (this.stopped) return;
          continue;
        }
        await this.giveUp(event, what, retry, exhausted);
        return;
      }
    } finally {
      this.counts.pending--;
    }
  }

  private async giveUp(event: Record<string, unknown>, what: string, retries: number, exhausted: string | undefined): Promise<void> {
    const { spec, log } = this.options;
    const label = `[webhook ${spec.id}]`;
    if (!this.options.deadLetter) {
      this.counts.dropped++;
      log(`${label} event ${event.id} not delivered (${what}) and dropped: the target has no dead-letter queue`);
      return;
    }
    // EventBridge's attribute names; the message is the event as published.
    const attributes: Record<string, string> = {
      RULE_ARN: spec.ruleArn,
      TARGET_ARN: spec.targetArn,
      ERROR_CODE: 'SDK_CLIENT_ERROR',
      ERROR_MESSAGE: `Unable to invoke ApiDestination endpoint: ${what}`,
      RETRY_ATTEMPTS: String(retries),
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
    };
    try {
      await this.options.deadLetter(JSON.stringify(event), attributes);
      this.counts.deadLettered++;
      log(`${label} event ${event.id} not delivered (${what}, ${retries} retries): sent to the dead-letter queue`);
    } catch (error) {
      this.counts.dropped++;
      log(`${label} event ${event.id} not delivered (${what}), and the dead-letter queue refused it: ${(error as Error).message}`);
    }
  }
}

/** One HTTP attempt, with the API destination's timeout; never throws. */
export async function sendRequest(request: WebhookRequest, timeoutMs = API_DESTINATION_TIMEOUT_MS): Promise<AttemptResult> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { error: (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${cause ?? (error as Error).message}` };
  }
}

/** A webhook of the template and where it goes locally. */
export interface WebhookRoute {
  readonly spec: WebhookSpec;
  /** The local URL the endpoint is mapped to; undefined: not delivered. */
  readonly url?: string;
  /** The emulator's secret (GetSecretValue's SecretId) the API key comes from; undefined for a literal value. */
  readonly secretName?: string;
  /** The secret is outside the template and no value was given for it: the emulator's holds a generated one. */
  readonly secretGenerated: boolean;
}

export interface StartWebhooksOptions {
  readonly template: LocalTemplate;
  /** The emulator. */
  readonly endpoint: string;
  readonly credentials: LocalCredentials;
  /** Template endpoint → local URL. */
  readonly endpoints?: Readonly<Record<string, string>>;
  /** Values of secrets outside the template, by the ARN or name the template gives. */
  readonly secretValues?: Readonly<Record<string, string>>;
  /** @default 1000 */
  readonly retryBaseDelayMs?: number;
  /** @default 60000 */
  readonly maxRetryDelayMs?: number;
  /** How often each webhook's internal queue is read. @default 100 */
  readonly pollIntervalMs?: number;
  readonly log: (line: string) => void;
}

export interface LocalWebhooks {
  readonly routes: readonly WebhookRoute[];
  /** Every secret created on the emulator. */
  readonly secrets: readonly LocalSecret[];
  /** By webhook id (`<rule logical id>/<target id>`). */
  stats(): Record<string, WebhookStats>;
  stop(): Promise<void>;
}

/** The internal queue that stands in for a webhook's API destination (SQS names: at most 80 characters). */
function internalQueueName(spec: WebhookSpec): string {
  return `local-webhook-${createHash('sha256').update(`${spec.ruleName}/${spec.targetId}`).digest('hex').slice(0, 16)}`;
}

/**
 * Creates the secrets, puts an internal queue on each mapped webhook's rule in
 * place of its API destination, and starts delivering.
 */
export async function startWebhooks(options: StartWebhooksOptions): Promise<LocalWebhooks> {
  const { template, log } = options;
  const config = { endpoint: options.endpoint, region: template.region, credentials: options.credentials, maxAttempts: 2 };
  const externalIds = [...new Set(template.webhooks.flatMap((spec) => (spec.connection.apiKey.kind === 'external' ? [spec.connection.apiKey.secretId] : [])))];
  const secrets = await createSecrets({
    ...config,
    templateSecrets: template.secrets,
    external: externalIds.map((secretId) => ({ secretId, value: options.secretValues?.[secretId] })),
  });

  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const deliveries = new Map<string, WebhookDelivery>();
  const routes: WebhookRoute[] = [];
  const pollers: Array<() => Promise<void>> = [];
  let stopped = false;
  try {
    for (const spec of template.webhooks) {
      const source = spec.connection.apiKey;
      const secretName = source.kind === 'literal' ? undefined
        : source.kind === 'external' ? externalSecretName(source.secretId)
          : secrets.find((secret) => secret.logicalId === source.logicalId)?.name;
      const url = options.endpoints?.[spec.destination.endpoint];
      const secretGenerated = source.kind === 'external' && options.secretValues?.[source.secretId] === undefined;
      routes.push({ spec, url, secretName, secretGenerated });
      if (!url) continue;

      const queueName = internalQueueName(spec);
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
      await events.send(new PutTargetsCommand({
        Rule: spec.ruleName,
        EventBusName: spec.eventBusName,
        // No input options: the queue gets the whole event, rendered here as AWS would (input-transformer.ts).
        Targets: [{ Id: spec.targetId, Arn: `arn:aws:sqs:${template.region}:${template.accountId}:${queueName}` }],
      }));
      const dlqUrl = spec.deadLetterQueueLogicalId && template.queues.find((queue) => queue.logicalId === spec.deadLetterQueueLogicalId)?.url;
      const delivery = new WebhookDelivery({
        spec,
        url,
        apiKey: secretValue(source, secrets),
        send: (request) => sendRequest(request),
        deadLetter: dlqUrl ? async (body, attributes) => {
          await sqs.send(new SendMessageCommand({
            QueueUrl: dlqUrl,
            MessageBody: body,
            MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
          }));
        } : undefined,
        retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
        maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
        log,
      });
      deliveries.set(spec.id, delivery);
      pollers.push(() => poll(queueUrl, delivery));
    }
  } catch (error) {
    sqs.destroy();
    events.destroy();
    throw new Error(`starting the webhooks failed: ${(error as Error).message}`);
  }

  const inFlight = new Set<Promise<void>>();
  const pollInterval = options.pollIntervalMs ?? 100;
  async function poll(queueUrl: string, delivery: WebhookDelivery): Promise<void> {
    const output = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const messages = output.Messages ?? [];
    if (messages.length === 0) return;
    // Taken off the queue at once: retries are timers here, not redeliveries.
    await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
    }));
    for (const message of messages) {
      const event = JSON.parse(message.Body ?? '{}');
      // moto adds its ingestion time (epoch seconds) to the event; AWS's events have no such field.
      const ingestion = Number(event['ingestion-time']);
      delete event['ingestion-time'];
      const receivedAt = Number.isFinite(ingestion) ? ingestion * 1000 : Date.now();
      const running = delivery.deliver(event, receivedAt).catch((error) => log(`[webhook] ${(error as Error).message}`));
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  const loop = () => {
    if (stopped) return;
    polling = Promise.all(pollers.map((pollOnce) => pollOnce().catch((error) => log(`[webhook] reading the rule's queue failed: ${(error as Error).message}`))))
      .then(() => undefined);
    void polling.then(() => {
      if (!stopped) timer = setTimeout(loop, pollInterval);
    });
  };
  if (pollers.length > 0) loop();

  return {
    routes,
    secrets,
    stats: () => Object.fromEntries([...deliveries].map(([id, delivery]) => [id, delivery.stats()])),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await polling;
      for (const delivery of deliveries.values()) delivery.stop();
      // A request in flight ends within its timeout; a waiting retry ends at once.
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => {
        timeout = setTimeout(resolve, API_DESTINATION_TIMEOUT_MS + 500);
      })]);
      clearTimeout(timeout);
      sqs.destroy();
      events.destroy();
    },
  };
}
