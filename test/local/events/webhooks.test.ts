import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { toLocalTemplate } from '../../../local/assembly/template';
import { WebhookSpec } from '../../../local/assembly/webhooks';
import { generateSecretString, secretValue } from '../../../local/emulator/secrets';
import { renderTemplate, valueAtPath } from '../../../local/events/input-transformer';
import { AttemptResult, buildRequest, outcomeOf, RateLimiter, retryDelayMs, WebhookDelivery, WebhookRequest } from '../../../local/events/webhooks';
import { LogisticsTrackingApi, TrackingStatus } from '../../../src';

const EVENT = {
  'version': '0',
  'id': 'e-1',
  'detail-type': 'Tracking Status Changed',
  'source': 'logistics.tracking',
  'account': '123456789012',
  'time': '2026-05-01T08:00:01Z',
  'region': 'us-east-1',
  'resources': [],
  'detail': { tracking_id: 'PKG-1', status: 'delivered', previous_status: null, note: 'say "hi"' },
};
const CONTEXT = { ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/bus/r', ruleName: 'r', ingestionTime: '2026-05-01T08:00:01.000Z' };

function localTemplate() {
  const app = new App();
  const stack = new Stack(app, 'WebhookReader');
  const tracking = new LogisticsTrackingApi(stack, 'Tracking');
  tracking.addWebhook('Created', { endpoint: 'https://hooks.example.com/a', statuses: [TrackingStatus.DELIVERED], retryAttempts: 4, maxEventAge: Duration.minutes(2) });
  tracking.addWebhook('Brought', {
    endpoint: 'https://hooks.example.com/b',
    secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Brought', 'team/webhook'),
    headerName: 'Authorization',
  });
  const template = JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
  return toLocalTemplate({ stackName: 'WebhookReader', template, directory: '/cdk.out', assetDirectoryByObjectKey: new Map() }, { emulatorEndpoint: 'http://127.0.0.1:4566' });
}

describe('the input transformer, rendered as EventBridge renders it', () => {
  test('the webhook template: unquoted placeholders take JSON values (strings quoted, objects as objects)', () => {
    const body = renderTemplate(EVENT, {
      InputPathsMap: { 'id': '$.id', 'detail-type': '$.detail-type', 'time': '$.time', 'detail': '$.detail' },
      InputTemplate: '{"id":<id>,"type":<detail-type>,"time":<time>,"data":<detail>}',
    }, CONTEXT);
    expect(JSON.parse(body)).toEqual({ id: 'e-1', type: 'Tracking Status Changed', time: '2026-05-01T08:00:01Z', data: EVENT.detail });
  });

  test('inside quotes a value is pasted in, escaped; a missing path is null outside quotes and empty inside', () => {
    const body = renderTemplate(EVENT, {
      InputPathsMap: { note: '$.detail.note', missing: '$.detail.nothing', status: '$.detail.status' },
      InputTemplate: '{"text":"<status>: <note>","gone":<missing>,"also":"<missing>","rule":"<aws.events.rule-name>"}',
    }, CONTEXT);
    expect(JSON.parse(body)).toEqual({ text: 'delivered: say "hi"', gone: null, also: '', rule: 'r' });
  });

  test('a string template takes values as text', () => {
    expect(renderTemplate(EVENT, { InputPathsMap: { s: '$.detail.status' }, InputTemplate: 'now <s>' }, CONTEXT)).toBe('now delivered');
  });

  test('JSON paths: dotted, dashed, indexed, bracketed', () => {
    expect(valueAtPath(EVENT, '$.detail-type')).toBe('Tracking Status Changed');
    expect(valueAtPath({ a: [{ b: 1 }] }, '$.a[0].b')).toBe(1);
    expect(valueAtPath({ 'a-b': 2 }, "$['a-b']")).toBe(2);
    expect(valueAtPath(EVENT, '$.detail.nothing.deeper')).toBeUndefined();
    expect(valueAtPath(EVENT, 'detail')).toBeUndefined();
  });
});

describe('what EventBridge retries', () => {
  test.each<[AttemptResult, string]>([
    [{ status: 200 }, 'delivered'], [{ status: 204 }, 'delivered'],
    [{ status: 500 }, 'retry'], [{ status: 503 }, 'retry'], [{ status: 429 }, 'retry'], [{ status: 401 }, 'retry'], [{ status: 409 }, 'retry'],
    [{ status: 400 }, 'fail'], [{ status: 403 }, 'fail'], [{ status: 404 }, 'fail'], [{ status: 302 }, 'fail'],
    [{ error: 'ECONNREFUSED' }, 'retry'],
  ])('%j → %s', (result, outcome) => {
    expect(outcomeOf(result)).toBe(outcome);
  });

  test('the backoff doubles up to its cap', () => {
    expect([1, 2, 3, 4, 10].map((retry) => retryDelayMs(retry, 100, 1000))).toEqual([100, 200, 400, 800, 1000]);
  });

  test('the rate limiter spaces requests evenly', () => {
    let now = 1000;
    const limiter = new RateLimiter(4, () => now);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 250, 500]);
    now = 3000;
    expect(limiter.reserve()).toBe(0);
  });
});

describe('the template reader', () => {
  const template = localTemplate();
  const created = template.webhooks.find((spec) => spec.destination.endpoint === 'https://hooks.example.com/a')!;
  const brought = template.webhooks.find((spec) => spec.destination.endpoint === 'https://hooks.example.com/b')!;

  test('finds each webhook with its destination, connection, input, retry policy and dead-letter queue', () => {
    expect(template.webhooks).toHaveLength(2);
    expect(created).toMatchObject({
      destination: { httpMethod: 'POST', rateLimitPerSecond: 10 },
      connection: { apiKeyName: 'X-Webhook-Secret', apiKey: { kind: 'template', logicalId: expect.stringMatching(/^TrackingWebhookCreatedSecret/) } },
      retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeSeconds: 120 },
      deadLetterQueueLogicalId: expect.stringMatching(/^TrackingWebhookCreatedDeadLetterQueue/),
      inputTransformer: { InputTemplate: '{"id":<id>,"type":<detail-type>,"time":<time>,"data":<detail>}' },
    });
    expect(created.ruleName).toBe(template.rules.find((rule) => rule.logicalId === created.ruleLogicalId)!.name);
  });

  test('a brought secret is external, named as the template names it', () => {
    expect(brought.connection).toMatchObject({ apiKeyName: 'Authorization', apiKey: { kind: 'external', secretId: expect.stringContaining('team/webhook') } });
  });

  test('the template\'s secret is read with its GenerateSecretString', () => {
    expect(template.secrets).toEqual([expect.objectContaining({
      logicalId: created.connection.apiKey.kind === 'template' ? created.connection.apiKey.logicalId : '',
      generate: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    })]);
  });

  test('API destination targets are not reported as skipped rule targets; the rules are still created', () => {
    expect(template.warnings.filter((warning) => warning.includes('api'))).toEqual([]);
    expect(template.rules.find((rule) => rule.logicalId === created.ruleLogicalId)!.targets).toEqual([]);
  });
});

describe('secrets', () => {
  test('GenerateSecretString: length, excluded classes and characters, one of each included class', () => {
    for (let i = 0; i < 20; i++) {
      expect(generateSecretString({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false })).toMatch(/^[A-Za-z0-9]{64}$/);
      const value = generateSecretString({ PasswordLength: 8, ExcludeLowercase: true, ExcludeCharacters: 'ABCDEFGHIJ' });
      expect(value).toHaveLength(8);
      expect(value).not.toMatch(/[a-jA-J]/);
      expect(value).toMatch(/[0-9]/);
      expect(value).toMatch(/[K-Z]/);
    }
    expect(JSON.parse(generateSecretString({ SecretStringTemplate: '{"user":"u"}', GenerateStringKey: 'pw' }))).toEqual({ user: 'u', pw: expect.any(String) });
  });

  test('an API key takes the whole secret, or one JSON key of it', () => {
    const secrets = [{ name: 's', value: '{"k":"v"}', logicalId: 'S' }, { name: 'team/x', value: 'ext' }];
    expect(secretValue({ kind: 'template', logicalId: 'S' }, secrets)).toBe('{"k":"v"}');
    expect(secretValue({ kind: 'template', logicalId: 'S', jsonKey: 'k' }, secrets)).toBe('v');
    expect(secretValue({ kind: 'external', secretId: 'arn:aws:secretsmanager:us-east-1:1:secret:team/x' }, secrets)).toBe('ext');
    expect(secretValue({ kind: 'literal', value: 'lit' }, secrets)).toBe('lit');
  });
});

describe('one webhook\'s deliveries', () => {
  const spec = localTemplate().webhooks.find((candidate) => candidate.destination.endpoint === 'https://hooks.example.com/a')!;

  test('the request: the rendered body, the API-key header, JSON content type', () => {
    const request = buildRequest(spec, EVENT, 'http://127.0.0.1:9/a', 'sekret', CONTEXT.ingestionTime);
    expect(request).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:9/a',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Amazon/EventBridge/ApiDestinations', 'x-webhook-secret': 'sekret' },
      body: expect.any(String),
    });
    expect(JSON.parse(request.body)).toEqual({ id: 'e-1', type: 'Tracking Status Changed', time: EVENT.time, data: EVENT.detail });
  });

  /** A delivery with a fake clock: sleeping advances it. */
  function run(results: AttemptResult[], options: { spec?: WebhookSpec; deadLetter?: boolean } = {}) {
    let now = 0;
    const sent: WebhookRequest[] = [];
    const dead: Array<{ body: string; attributes: Record<string, string> }> = [];
    const waits: number[] = [];
    const delivery = new WebhookDelivery({
      spec: options.spec ?? spec,
      url: 'http://127.0.0.1:9/a',
      apiKey: 'sekret',
      send: async (request) => {
        sent.push(request);
        return results[Math.min(sent.length - 1, results.length - 1)];
      },
      deadLetter: options.deadLetter === false ? undefined : async (body, attributes) => {
        dead.push({ body, attributes });
      },
      retryBaseDelayMs: 1000,
      maxRetryDelayMs: 60_000,
      log: () => undefined,
      now: () => now,
      sleep: async (ms) => {
        if (ms > 0) waits.push(ms);
        now += ms;
      },
    });
    return { delivery, sent, dead, waits };
  }

  test('a 500 is retried RetryPolicy.MaximumRetryAttempts times with doubling waits, then dead-lettered with EventBridge\'s attributes', async () => {
    const { delivery, sent, dead, waits } = run([{ status: 500 }]);
    await delivery.deliver(EVENT, 0);
    expect(sent).toHaveLength(5);
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].body)).toEqual(EVENT);
    expect(dead[0].attributes).toMatchObject({
      RULE_ARN: spec.ruleArn,
      TARGET_ARN: spec.targetArn,
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExhausted',
      RETRY_ATTEMPTS: '4',
    });
    expect(delivery.stats()).toEqual({ received: 1, delivered: 0, attempts: 5, retries: 4, deadLettered: 1, dropped: 0, pending: 0 });
  });

  test('a success after a retry is delivered, and nothing is dead-lettered', async () => {
    const { delivery, sent, dead } = run([{ error: 'ECONNRESET' }, { status: 200 }]);
    await delivery.deliver(EVENT, 0);
    expect(sent).toHaveLength(2);
    expect(dead).toEqual([]);
    expect(delivery.stats()).toMatchObject({ delivered: 1, retries: 1 });
  });

  test('a 404 is not retried', async () => {
    const { delivery, sent, dead } = run([{ status: 404 }]);
    await delivery.deliver(EVENT, 0);
    expect(sent).toHaveLength(1);
    expect(dead[0].attributes.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
    expect(dead[0].attributes.ERROR_MESSAGE).toContain('HTTP 404');
  });

  test('the maximum event age ends retries before their count does', async () => {
    const aged = { ...spec, retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 10 } };
    const { delivery, sent, dead } = run([{ status: 503 }], { spec: aged });
    await delivery.deliver(EVENT, 0);
    // Waits of 1, 2 and 4 s fit in 10 s; the next (8 s) would not.
    expect(sent).toHaveLength(4);
    expect(dead[0].attributes.EXHAUSTED_RETRY_CONDITION).toBe('MaximumEventAgeExhausted');
  });

  test('without a dead-letter queue an undeliverable event is dropped, and counted', async () => {
    const { delivery } = run([{ status: 400 }], { deadLetter: false });
    await delivery.deliver(EVENT, 0);
    expect(delivery.stats()).toMatchObject({ dropped: 1, deadLettered: 0 });
  });
});
