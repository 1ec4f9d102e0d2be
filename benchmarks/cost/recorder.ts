/**
 * A recording HTTP proxy on the path from the functions to the emulator. The cost
 * benchmark points the functions' DynamoDB, EventBridge and SSM clients at it
 * (`AWS_ENDPOINT_URL_<SERVICE>` in the functions' environment, which the AWS SDK
 * prefers over the `AWS_ENDPOINT_URL` the local runtime sets), so nothing in
 * local/ or lambda/ changes. It forwards every call unchanged and keeps what
 * DynamoDB's billing depends on:
 *
 * - for every successful write, the item before and after it. It keeps a copy
 *   of the table (every write passes here; the table starts empty): a PutItem's
 *   new item is in the request, an UpdateItem's is read back from the emulator
 *   with a consistent GetItem. Writes to one key are serialized here, so the
 *   copy is exact even when writes to different keys run concurrently;
 * - for a conditional write that failed, the item its condition checked;
 * - for every GetItem and Query, the items read (whole items from the copy, so a
 *   projection expression, which DynamoDB bills in full anyway, changes nothing).
 *
 * Each call carries the `X-Amzn-Trace-Id` header the SDK copies from the
 * invocation's trace id (its recursion-detection middleware does this inside
 * Lambda), which ties the call to the API request that caused it.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from './units';

export interface DynamoCall {
  /** The `Root=` part of the caller's trace id, if it sent one. */
  readonly trace?: string;
  readonly operation: string;
  readonly table?: string;
  readonly indexName?: string;
  readonly ok: boolean;
  /** The error's type, e.g. `ConditionalCheckFailedException`. */
  readonly errorType?: string;
  /** Writes that succeeded: the item before (absent: none) and after (absent: deleted). */
  readonly before?: Item;
  readonly after?: Item;
  /** A conditional write whose condition failed: the item checked (absent: there was none). */
  readonly checked?: Item;
  /** Reads: whole items read, and whether the read was strongly consistent. */
  readonly read?: readonly Item[];
  readonly consistent?: boolean;
}

export interface PublishedEvents {
  readonly calls: number;
  readonly entries: number;
  /** 64 KB chunks, EventBridge's billing unit per entry. */
  readonly chunks: number;
  readonly failed: number;
}

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** The table's key attribute names (the recorder keeps its copy by key). */
export interface TableKeys {
  readonly partitionKey: string;
  readonly sortKey?: string;
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

function readAll(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function parseJson(body: Buffer): any {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** `Root=1-…` of an `X-Amzn-Trace-Id` header. */
export function traceRoot(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(';').map((part) => part.trim()).find((part) => part.startsWith('Root='))?.slice('Root='.length);
}

export class Recorder {
  public readonly dynamoCalls: DynamoCall[] = [];
  /** Calls to anything else, by `X-Amz-Target` (SSM's GetParameters, …). */
  public readonly otherCalls = new Map<string, number>();
  private published = { calls: 0, entries: 0, chunks: 0, failed: 0 };
  private readonly server: http.Server;
  private readonly copy = new Map<string, Item>();
  private readonly keyLocks = new Map<string, Promise<void>>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private upstream?: URL;
  private reader?: DynamoDBClient;

  constructor(private readonly keys: TableKeys, private readonly credentials: Credentials, private readonly region: string) {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'text/plain' });
        response.end(`recorder: ${(error as Error).message}`);
      });
    });
  }

  /** Listens on a free port of 127.0.0.1 and returns its endpoint (what the functions are pointed at). */
  public async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Where calls go: the emulator, known only once the local stack has started it. */
  public setUpstream(endpoint: string): void {
    this.upstream = new URL(endpoint);
    this.reader = new DynamoDBClient({ endpoint, region: this.region, credentials: this.credentials, maxAttempts: 1 });
  }

  public events(): PublishedEvents {
    return { ...this.published };
  }

  /** Items in the copy of the table, e.g. to count what was stored. */
  public items(): Item[] {
    return [...this.copy.values()];
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
    this.reader?.destroy();
  }

  private keyOf(item: Item | undefined): string | undefined {
    const { partitionKey, sortKey } = this.keys;
    if (!item?.[partitionKey]) return undefined;
    return JSON.stringify([item[partitionKey], sortKey ? item[sortKey] : null]);
  }

  /** Runs `work` after every earlier write to the same key has finished. */
  private async withKeyLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.keyLocks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    this.keyLocks.set(key, chained);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.keyLocks.get(key) === chained) this.keyLocks.delete(key);
    }
  }

  private forward(request: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    const upstream = this.upstream;
    if (!upstream) return Promise.reject(new Error('no upstream yet'));
    return new Promise((resolve, reject) => {
      const outgoing = http.request({
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
        agent: this.agent,
      }, (answer) => {
        readAll(answer).then((answerBody) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }), reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = await readAll(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const trace = traceRoot(request.headers['x-amzn-trace-id']);
    const send = (answer: { status: number; headers: http.IncomingHttpHeaders; body: Buffer }) => {
      const headers = { ...answer.headers };
      delete headers['transfer-encoding'];
      response.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
      response.end(answer.body);
    };

    if (target.startsWith('DynamoDB_20120810.')) {
      const operation = target.slice('DynamoDB_20120810.'.length);
      const input = parseJson(body) ?? {};
      if (WRITE_OPERATIONS.has(operation)) {
        const key = this.keyOf(operation === 'PutItem' ? input.Item : input.Key);
        if (!key) throw new Error(`${operation} without a key`);
        await this.withKeyLock(key, async () => {
          const answer = await this.forward(request, body);
          await this.recordWrite(operation, input, key, answer.status, parseJson(answer.body), trace);
          send(answer);
        });
        return;
      }
      const answer = await this.forward(request, body);
      this.recordRead(operation, input, answer.status, parseJson(answer.body), trace);
      send(answer);
      return;
    }

    const answer = await this.forward(request, body);
    if (target === 'AWSEvents.PutEvents') {
      const input = parseJson(body) ?? {};
      const output = parseJson(answer.body) ?? {};
      const entries: any[] = input.Entries ?? [];
      this.published.calls++;
      this.published.entries += entries.length;
      this.published.chunks += entries.reduce((sum, entry) => sum + Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(entry)) / 65_536)), 0);
      this.published.failed += Number(output.FailedEntryCount ?? 0);
    } else {
      const name = target || `${request.method} ${request.url}`;
      this.otherCalls.set(name, (this.otherCalls.get(name) ?? 0) + 1);
    }
    send(answer);
  }

  private async recordWrite(operation: string, input: any, key: string, status: number, output: any, trace?: string): Promise<void> {
    const before = this.copy.get(key);
    if (status === 200) {
      let after: Item | undefined;
      if (operation === 'PutItem') {
        after = input.Item as Item;
      } else if (operation === 'UpdateItem') {
        const read = await this.reader!.send(new GetItemCommand({ TableName: input.TableName, Key: input.Key, ConsistentRead: true }));
        after = read.Item as Item | undefined;
      }
      if (after) this.copy.set(key, after);
      else this.copy.delete(key);
      this.dynamoCalls.push({ trace, operation, table: input.TableName, ok: true, before, after });
      return;
    }
    const errorType = String(output?.__type ?? `HTTP ${status}`).split('#').pop();
    this.dynamoCalls.push({
      trace,
      operation,
      table: input.TableName,
      ok: false,
      errorType,
      // Only a failed condition consumes units: those of the item it checked.
      ...(errorType === 'ConditionalCheckFailedException' ? { checked: before } : {}),
    });
  }

  /**
   * A BatchGetItem bills each key as its own GetItem (each item rounded up to 4 KB, a
   * missing one the minimum): one recorded read per key answered; unprocessed keys
   * were not read.
   */
  private recordBatchGet(input: any, output: any, trace?: string): void {
    for (const [table, request] of Object.entries<any>(input.RequestItems ?? {})) {
      const returned: Item[] = output.Responses?.[table] ?? [];
      const unprocessed = new Set<string>((output.UnprocessedKeys?.[table]?.Keys ?? []).map((key: Item) => this.keyOf(key)));
      for (const key of request.Keys ?? []) {
        const id = this.keyOf(key);
        if (id === undefined || unprocessed.has(id)) continue;
        const found = returned.find((item) => this.keyOf(item) === id);
        this.dynamoCalls.push({
          trace,
          operation: 'BatchGetItem',
          table,
          ok: true,
          read: found ? [this.copy.get(id) ?? found] : [],
          consistent: request.ConsistentRead === true,
        });
      }
    }
  }

  private recordRead(operation: string, input: any, status: number, output: any, trace?: string): void {
    if (status !== 200) {
      this.dynamoCalls.push({ trace, operation, table: input.TableName, indexName: input.IndexName, ok: false, errorType: String(output?.__type ?? status).split('#').pop() });
      return;
    }
    if (operation === 'BatchGetItem') {
      this.recordBatchGet(input, output, trace);
      return;
    }
    const returned: Item[] = operation === 'GetItem' ? (output.Item ? [output.Item] : []) : (output.Items ?? []);
    // Whole items: DynamoDB bills the item (or index entry), not the projection asked for.
    const read = returned.map((item) => this.copy.get(this.keyOf(item) ?? '') ?? item);
    this.dynamoCalls.push({
      trace,
      operation,
      table: input.TableName,
      indexName: input.IndexName,
      ok: true,
      read,
      consistent: input.ConsistentRead === true,
    });
  }
}
