import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LocalCredentials } from '../../local/gateway/sigv4';
import { Runtime, RuntimeOptions, startRuntime } from '../../local/runtime';
import { LogisticsTrackingApi, LogisticsTrackingApiProps, TrackingStatus } from '../../src';

/**
 * The end-to-end harness: a dedicated CDK app (the construct with a 2 s config
 * cache, so flag changes show within a test, and two `onStatusChanged` rules
 * delivering to queues the tests read), synthesized by the suite itself, served
 * by the same local runtime as `npx projen local`, and real HTTP requests signed
 * by the AWS SDK's SigV4 signer. No mocks anywhere on this path.
 */

// The test process's own SDK clients (moto checks, SSM changes) run on the machine's
// Node; the functions under test run on Node 24. The SDK's warning about the former is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const E2E_STAGE = 'e2e';
export const CONFIG_CACHE_TTL_SECONDS = 2;

/** Construct ids of the queues in the e2e app (their logical ids start with these). */
export const E2E_QUEUES = {
  statusChanges: 'StatusChanges',
  deliveries: 'Deliveries',
  stalls: 'Stalls',
  deletions: 'Deletions',
  deadLetter: 'TrackingDeadLetterQueue',
} as const;

/** Long enough for moto's start, a Node 24 cold start and the slow fault and TTL cases. */
export const E2E_TIMEOUT_MS = 120_000;

/** Synthesizes the e2e app into `outdir` (with `props` added to the construct's) and returns the cloud assembly directory. */
export function synthE2eApp(outdir: string, props: Partial<LogisticsTrackingApiProps> = {}): string {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  const stack = new Stack(app, 'LogisticsTrackingE2E');
  const tracking = new LogisticsTrackingApi(stack, 'Tracking', {
    stageName: E2E_STAGE,
    configCacheTtl: Duration.seconds(CONFIG_CACHE_TTL_SECONDS),
    ...props,
  });
  // Every status change, and deliveries only: what a consumer would subscribe.
  tracking.onStatusChanged('All', new targets.SqsQueue(new sqs.Queue(stack, E2E_QUEUES.statusChanges)));
  tracking.onStatusChanged('Delivered', new targets.SqsQueue(new sqs.Queue(stack, E2E_QUEUES.deliveries)), {
    statuses: [TrackingStatus.DELIVERED],
  });
  // Every stall and every erasure: what an operations team would subscribe.
  tracking.onShipmentStalled('All', new targets.SqsQueue(new sqs.Queue(stack, E2E_QUEUES.stalls)));
  tracking.onShipmentDeleted('All', new targets.SqsQueue(new sqs.Queue(stack, E2E_QUEUES.deletions)));
  app.synth();
  return outdir;
}

export interface Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  readonly json: any;
}

export interface RequestOptions {
  readonly method?: string;
  /** Below the stage, e.g. `/track`. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly body?: string | object;
  readonly headers?: Record<string, string>;
  /** Sign with these credentials (default: the stack's); `false` sends the request unsigned. */
  readonly sign?: LocalCredentials | false;
  /** Change the request after signing (a tampered body, a forged header). */
  readonly afterSigning?: (request: { headers: Record<string, string>; body: string }) => void;
}

export interface E2eStack {
  readonly stack: Runtime;
  readonly tableName: string;
  readonly flagsParameterName: string;
  readonly dynamodb: DynamoDBClient;
  readonly ssm: SSMClient;
  /** What reached the rules' queues (EventBridge events) and the dead-letter queue, read from moto. */
  readonly queues: {
    readonly statusChanges: QueueInbox;
    readonly deliveries: QueueInbox;
    readonly stalls: QueueInbox;
    readonly deletions: QueueInbox;
    readonly deadLetter: QueueInbox;
  };
  request(options: RequestOptions): Promise<Response>;
  /** POST /track with a JSON body. */
  track(update: object): Promise<Response>;
  /** GET /status. */
  status(trackingId: string, query?: Record<string, string>): Promise<Response>;
  /** How many event items the table holds for a shipment (read from the emulator directly). */
  countEvents(trackingId: string): Promise<number>;
  stop(): Promise<void>;
}

/** A test's own directory under test/.tmp (git-ignored): the cloud assembly, moto.log and functions.log stay there for a look after a failure. */
export function workDir(name: string): string {
  const dir = path.join(__dirname, '..', '.tmp', 'e2e', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export async function startE2eStack(
  name: string,
  options: Partial<RuntimeOptions> = {},
  props: Partial<LogisticsTrackingApiProps> = {},
): Promise<E2eStack> {
  const dir = workDir(name);
  const cdkOut = synthE2eApp(path.join(dir, 'cdk.out'), props);
  const stack = await startRuntime({ cdkOut, logDir: path.join(dir, 'logs'), ...options });
  try {
    const clientConfig = { endpoint: stack.emulator.endpoint, region: stack.region, credentials: stack.credentials, maxAttempts: 1 };
    const dynamodb = new DynamoDBClient(clientConfig);
    const ssm = new SSMClient(clientConfig);
    const sqsClient = new SQSClient(clientConfig);
    const inbox = (constructId: string) => {
      const queue = stack.template.queues.find((candidate) => candidate.logicalId.startsWith(constructId));
      if (!queue) throw new Error(`the e2e app has no queue ${constructId}`);
      return new QueueInbox(sqsClient, queue.url);
    };
    const tableName = stack.provisioned.tables[0];
    const flagsParameterName = stack.provisioned.parameters.find((parameter) => parameter.endsWith('/feature-flags'))!;

    const request = (requestOptions: RequestOptions) => send(stack, requestOptions);
    return {
      stack,
      tableName,
      flagsParameterName,
      dynamodb,
      ssm,
      queues: {
        statusChanges: inbox(E2E_QUEUES.statusChanges),
        deliveries: inbox(E2E_QUEUES.deliveries),
        stalls: inbox(E2E_QUEUES.stalls),
        deletions: inbox(E2E_QUEUES.deletions),
        deadLetter: inbox(E2E_QUEUES.deadLetter),
      },
      request,
      track: (body) => request({ method: 'POST', path: '/track', body, headers: { 'Content-Type': 'application/json' } }),
      status: (trackingId, query = {}) => request({ method: 'GET', path: '/status', query: { tracking_id: trackingId, ...query } }),
      countEvents: async (trackingId) => {
        const output = await dynamodb.send(new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
          ExpressionAttributeValues: { ':pk': { S: `TRACK#${trackingId}` }, ':events': { S: 'EVENT#' } },
          Select: 'COUNT',
        }));
        return output.Count ?? 0;
      },
      stop: async () => {
        dynamodb.destroy();
        ssm.destroy();
        sqsClient.destroy();
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

function encodeQuery(query: Record<string, string>): string {
  return Object.entries(query).map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
}

/** Where a request goes and how it is signed. */
export type Target = Pick<Runtime, 'host' | 'port' | 'stage' | 'region' | 'credentials'>;

/** One HTTP request to the local API, signed (SigV4, service execute-api) unless told otherwise. */
export async function send(stack: Target, options: RequestOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const fullPath = `/${stack.stage}${options.path}`;
  const body = options.body === undefined ? '' : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  let headers: Record<string, string> = { host: `${stack.host}:${stack.port}`, ...options.headers };
  if (options.sign !== false) {
    const signer = new SignatureV4({
      service: 'execute-api',
      region: stack.region,
      credentials: options.sign ?? stack.credentials,
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname: stack.host,
      port: stack.port,
      path: fullPath,
      query: options.query ?? {},
      headers,
      body: body === '' ? undefined : body,
    });
    headers = signed.headers as Record<string, string>;
  }
  const outgoing = { headers: { ...headers }, body };
  options.afterSigning?.(outgoing);
  const query = options.query ? `?${encodeQuery(options.query)}` : '';
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: stack.host,
      port: stack.port,
      method,
      path: `${fullPath}${query}`,
      headers: { ...outgoing.headers, 'content-length': String(Buffer.byteLength(outgoing.body)) },
      agent: false,
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(outgoing.body);
  });
}

let sequence = 0;

/** A tracking id no other test (or run) uses. */
export function uniqueTrackingId(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;
}

/** A valid POST /track body. */
export function update(trackingId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { tracking_id: trackingId, status: 'in_transit', location: { lat: 52.52, lng: 13.405 }, ...fields };
}

/** Retries `check` until it passes or `withinMs` has passed (then throws its last failure). */
export async function eventually<T>(check: () => Promise<T>, withinMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}

export interface ReceivedMessage {
  /** The body, parsed as JSON. */
  readonly body: any;
  /** String message attributes by name. */
  readonly attributes: Readonly<Record<string, string | undefined>>;
}

/**
 * The messages of one queue on moto: every receive takes what is there (and
 * deletes it) and keeps it here, so a test waits for what it expects and then
 * asserts on everything that arrived for its own shipments.
 */
export class QueueInbox {
  private readonly received: ReceivedMessage[] = [];

  constructor(private readonly client: SQSClient, readonly url: string) {}

  /** Receives until the queue is empty; returns everything received so far. */
  public async drain(): Promise<readonly ReceivedMessage[]> {
    for (;;) {
      const output = await this.client.send(new ReceiveMessageCommand({ QueueUrl: this.url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
      const messages = output.Messages ?? [];
      if (messages.length === 0) return this.received;
      for (const message of messages) {
        this.received.push({
          body: JSON.parse(message.Body ?? 'null'),
          attributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue])),
        });
      }
      await this.client.send(new DeleteMessageBatchCommand({
        QueueUrl: this.url,
        Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
      }));
    }
  }

  /** Polls until `count` messages pass `filter` (or `withinMs` runs out: then it throws, naming what did arrive). */
  public async waitFor(filter: (message: ReceivedMessage) => boolean, count: number, withinMs: number): Promise<ReceivedMessage[]> {
    return eventually(async () => {
      const matching = (await this.drain()).filter(filter);
      if (matching.length < count) throw new Error(`${count} message(s) expected in ${this.url}, got ${matching.length}: ${JSON.stringify(matching)}`);
      return matching;
    }, withinMs, 100);
  }
}
