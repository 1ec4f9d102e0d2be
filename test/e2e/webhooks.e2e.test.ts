import * as http from 'http';
import * as path from 'path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { CONFIG_CACHE_TTL_SECONDS, E2E_STAGE, E2E_TIMEOUT_MS, eventually, QueueInbox, send, uniqueTrackingId, update, workDir } from './harness';
import { WebhookRoute } from '../../local/events/webhooks';
import { Runtime, startRuntime } from '../../local/runtime';
import { LogisticsTrackingApi, TrackingStatus } from '../../src';

/**
 * Webhooks end to end: POST /track → the table's stream → the stream processor →
 * the bus on moto → each webhook's rule (moto matches the pattern) → the local
 * runtime's API-destination delivery → a receiver this test runs. The template's
 * https endpoints are mapped to the receiver; the secret is the one the template
 * creates, read back from moto's Secrets Manager as a real receiver would.
 */

jest.setTimeout(E2E_TIMEOUT_MS);

/** Stream poll, a processor cold start, the publish and the delivery, on a slow machine. */
const DELIVERY_WINDOW_MS = 20_000;
const ENDPOINTS = {
  all: 'https://hooks.example.com/tracking/all',
  delivered: 'https://hooks.example.com/tracking/delivered',
  failing: 'https://hooks.example.com/tracking/failing',
};
const FAILING_RETRIES = 2;

interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: any;
}

/** A receiver that records every request; /failing answers 500, everything else 204. */
class Receiver {
  public readonly requests: Received[] = [];
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(request.url === '/failing' ? 500 : 204).end();
    });
  });

  public async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Requests to `path` about one shipment. */
  public of(requestPath: string, trackingId: string): Received[] {
    return this.requests.filter((request) => request.path === requestPath && request.body.data?.tracking_id === trackingId);
  }
}

function synthWebhookApp(outdir: string): string {
  const app = new App({ outdir });
  const stack = new Stack(app, 'LogisticsTrackingWebhooksE2E');
  const tracking = new LogisticsTrackingApi(stack, 'Tracking', { stageName: E2E_STAGE, configCacheTtl: Duration.seconds(CONFIG_CACHE_TTL_SECONDS) });
  tracking.addWebhook('All', { endpoint: ENDPOINTS.all });
  tracking.addWebhook('Delivered', { endpoint: ENDPOINTS.delivered, statuses: [TrackingStatus.DELIVERED], headerName: 'X-Delivered-Secret' });
  tracking.addWebhook('Failing', { endpoint: ENDPOINTS.failing, retryAttempts: FAILING_RETRIES, maxEventAge: Duration.minutes(5) });
  app.synth();
  return outdir;
}

let receiver: Receiver;
let stack: Runtime;
let secrets: SecretsManagerClient;
let sqs: SQSClient;

beforeAll(async () => {
  receiver = new Receiver();
  const port = await receiver.start();
  const dir = workDir('webhooks');
  stack = await startRuntime({
    cdkOut: synthWebhookApp(path.join(dir, 'cdk.out')),
    logDir: path.join(dir, 'logs'),
    webhookEndpoints: {
      [ENDPOINTS.all]: `http://127.0.0.1:${port}/all`,
      [ENDPOINTS.delivered]: `http://127.0.0.1:${port}/delivered`,
      [ENDPOINTS.failing]: `http://127.0.0.1:${port}/failing`,
    },
    webhookRetryBaseDelayMs: 200,
  });
  const clientConfig = { endpoint: stack.emulator.endpoint, region: stack.region, credentials: stack.credentials, maxAttempts: 1 };
  secrets = new SecretsManagerClient(clientConfig);
  sqs = new SQSClient(clientConfig);
});

afterAll(async () => {
  secrets?.destroy();
  sqs?.destroy();
  await stack?.stop();
  await receiver?.stop();
});

function route(endpoint: string): WebhookRoute {
  const found = stack.webhooks.find((candidate) => candidate.spec.destination.endpoint === endpoint);
  if (!found) throw new Error(`no webhook for ${endpoint}`);
  return found;
}

async function secretOf(endpoint: string): Promise<string> {
  const output = await secrets.send(new GetSecretValueCommand({ SecretId: route(endpoint).secretName }));
  return output.SecretString!;
}

const track = (body: object) => send(stack, { method: 'POST', path: '/track', body, headers: { 'Content-Type': 'application/json' } });

describe('a webhook receives the documented payload, authenticated by the secret', () => {
  test('POST /track: the receiver gets {id, type, time, data} with the API-key header equal to the secret on moto', async () => {
    const id = uniqueTrackingId('webhook');
    expect((await track(update(id, { event_id: 'scan-1', event_time: '2026-05-01T08:00:00Z' }))).status).toBe(200);
    const [request] = await eventually(async () => {
      const found = receiver.of('/all', id);
      if (found.length < 1) throw new Error(`no webhook request for ${id} yet`);
      return found;
    }, DELIVERY_WINDOW_MS);

    const secret = await secretOf(ENDPOINTS.all);
    expect(secret).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(request.headers['x-webhook-secret']).toBe(secret);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(request.body).sort()).toEqual(['data', 'id', 'time', 'type']);
    expect(request.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'Tracking Status Changed',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      data: {
        tracking_id: id,
        previous_status: null,
        status: 'in_transit',
        event_time: '2026-05-01T08:00:00.000Z',
        location: { lat: 52.52, lng: 13.405 },
        event_id: 'scan-1',
        version: 1,
      },
    });
  });

  test('each webhook has its own secret and header', async () => {
    const all = await secretOf(ENDPOINTS.all);
    const delivered = await secretOf(ENDPOINTS.delivered);
    expect(delivered).not.toBe(all);
    expect(route(ENDPOINTS.delivered).spec.connection.apiKeyName).toBe('X-Delivered-Secret');
  });
});

describe('the status filter', () => {
  test('the webhook filtered to delivered receives deliveries only', async () => {
    const id = uniqueTrackingId('webhook-filter');
    await track(update(id, { event_id: 'a', status: 'out_for_delivery', event_time: '2026-05-03T08:00:00Z' }));
    await track(update(id, { event_id: 'b', status: 'delivered', event_time: '2026-05-03T12:00:00Z' }));
    // Both changes reached the unfiltered webhook, so both were published to the bus.
    await eventually(async () => {
      if (receiver.of('/all', id).length < 2 || receiver.of('/delivered', id).length < 1) throw new Error('not yet');
    }, DELIVERY_WINDOW_MS);
    // Nothing for the filtered webhook still in flight: what it received is all it will.
    await eventually(async () => expect(stack.webhookStats()[route(ENDPOINTS.delivered).spec.id].pending).toBe(0), DELIVERY_WINDOW_MS);
    const deliveredSecret = await secretOf(ENDPOINTS.delivered);
    const requests = receiver.of('/delivered', id);
    expect(requests.map((request) => request.body.data.status)).toEqual(['delivered']);
    expect(requests[0].headers['x-delivered-secret']).toBe(deliveredSecret);
    expect(requests[0].headers['x-webhook-secret']).toBeUndefined();
  });
});

describe('a receiver that keeps failing', () => {
  test('answering 500: retried, then the event lands in the webhook\'s dead-letter queue', async () => {
    const failing = route(ENDPOINTS.failing);
    const dlq = stack.template.queues.find((queue) => queue.logicalId === failing.spec.deadLetterQueueLogicalId);
    expect(dlq?.logicalId).toMatch(/^TrackingWebhookFailingDeadLetterQueue/);
    const inbox = new QueueInbox(sqs, dlq!.url);

    const id = uniqueTrackingId('webhook-failing');
    await track(update(id, { event_id: 'x', status: 'exception', event_time: '2026-05-04T08:00:00Z' }));
    const [message] = await inbox.waitFor((received) => received.body.detail?.tracking_id === id, 1, DELIVERY_WINDOW_MS);

    // The first attempt and every retry reached the receiver, all with the same event id.
    const attempts = receiver.of('/failing', id);
    expect(attempts).toHaveLength(1 + FAILING_RETRIES);
    expect(new Set(attempts.map((request) => request.body.id)).size).toBe(1);
    // The dead-letter queue holds the event as published, with EventBridge's attributes.
    expect(message.body).toMatchObject({
      'id': attempts[0].body.id,
      'source': 'logistics.tracking',
      'detail-type': 'Tracking Status Changed',
      'detail': { tracking_id: id, status: 'exception', event_id: 'x' },
    });
    expect(message.attributes).toMatchObject({
      RULE_ARN: failing.spec.ruleArn,
      TARGET_ARN: failing.spec.targetArn,
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExhausted',
      RETRY_ATTEMPTS: String(FAILING_RETRIES),
    });
    // The healthy webhook got the same event once: one receiver's failure does not hold up another.
    expect(receiver.of('/all', id)).toHaveLength(1);
  });
});
