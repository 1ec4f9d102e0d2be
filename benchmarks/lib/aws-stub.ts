/**
 * A local stand-in for the two AWS services the handlers call, speaking the AWS JSON
 * protocol (operation in `X-Amz-Target`). It answers instantly with fixed documents,
 * so a sample measures the handler's own work, not a network or an emulator. It
 * counts the requests it receives, so the report shows what each handler does per
 * cold start.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { CONFIG_DOCUMENT, FLAGS_DOCUMENT } from './track-request';

const DYNAMODB_CONTENT_TYPE = 'application/x-amz-json-1.0';
const SSM_CONTENT_TYPE = 'application/x-amz-json-1.1';

interface StubAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
}

type Operation = (request: Record<string, unknown>) => StubAnswer;

/** The SSM String parameter a name resolves to, or undefined (ParameterNotFound). */
function parameter(name: string): Record<string, unknown> | undefined {
  const document = name.includes('config') ? CONFIG_DOCUMENT : name.includes('flags') ? FLAGS_DOCUMENT : undefined;
  if (document === undefined) return undefined;
  return {
    Name: name,
    Type: 'String',
    Value: JSON.stringify(document),
    Version: 1,
    DataType: 'text',
    LastModifiedDate: 1_700_000_000,
    ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name.startsWith('/') ? '' : '/'}${name}`,
  };
}

function ssm(body: unknown): StubAnswer {
  return { status: 200, contentType: SSM_CONTENT_TYPE, body };
}

function dynamodb(body: unknown): StubAnswer {
  return { status: 200, contentType: DYNAMODB_CONTENT_TYPE, body };
}

const OPERATIONS = new Map<string, Operation>(Object.entries({
  'AmazonSSM.GetParameter': (request) => {
    const name = String(request.Name);
    const found = parameter(name);
    return found
      ? ssm({ Parameter: found })
      : { status: 400, contentType: SSM_CONTENT_TYPE, body: { __type: 'ParameterNotFound', message: `${name} not found` } };
  },
  'AmazonSSM.GetParameters': (request) => {
    const names = (request.Names as string[] | undefined) ?? [];
    return ssm({
      Parameters: names.map(parameter).filter((found) => found !== undefined),
      InvalidParameters: names.filter((name) => parameter(name) === undefined),
    });
  },
  'DynamoDB_20120810.PutItem': () => dynamodb({}),
  'DynamoDB_20120810.UpdateItem': () => dynamodb({}),
  'DynamoDB_20120810.GetItem': () => dynamodb({}),
  'DynamoDB_20120810.Query': () => dynamodb({}),
}));

/** `AmazonSSM.GetParameter` → `SSM.GetParameter`, for the report. */
function shortName(target: string): string {
  return target.replace(/^AmazonSSM\./, 'SSM.').replace(/^DynamoDB_20120810\./, 'DynamoDB.');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class AwsStub {
  private readonly server: Server;
  private counts = new Map<string, number>();

  constructor() {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
  }

  /** Listens on a random port of 127.0.0.1; resolves to the endpoint URL for AWS_ENDPOINT_URL. */
  public async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The requests received since the last call, e.g. `{ 'SSM.GetParameter': 1, 'DynamoDB.PutItem': 1 }`. */
  public takeCounts(): Record<string, number> {
    const counts = Object.fromEntries(this.counts);
    this.counts = new Map();
    return counts;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? `${request.method} ${request.url}`);
    const operation = OPERATIONS.get(target);
    const counted = shortName(target) + (operation ? '' : ' (unanswered)');
    this.counts.set(counted, (this.counts.get(counted) ?? 0) + 1);

    const answer = operation
      ? operation(body ? JSON.parse(body) as Record<string, unknown> : {})
      : { status: 400, contentType: DYNAMODB_CONTENT_TYPE, body: { __type: 'UnknownOperationException', message: `the benchmark stub does not answer ${target}` } };
    const payload = JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      'Content-Type': answer.contentType,
      'Content-Length': Buffer.byteLength(payload),
      'x-amzn-RequestId': `stub-${Date.now()}`,
    });
    response.end(payload);
  }
}
