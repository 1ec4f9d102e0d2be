import { randomBytes } from 'crypto';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { currentInvocation } from './invocation';

/**
 * Fault injection into the tracking handler's own DynamoDB client, as an SDK
 * middleware placed right after the SDK's retry middleware: every *attempt*
 * passes through it, so the SDK's real retries (with their real backoff and
 * retry quota) see the faults and consume them, exactly as they would consume
 * the failures of a throttled table or a dead connection.
 *
 * The errors are the SDK's own shapes, measured against the SDK in use
 * (test/model/harness.test.ts compares them with real ones): the handler's
 * classifier and the SDK's retry strategy cannot tell them from the real thing.
 */

/** The DynamoDB operations of the tracking handler (the batch and delete ones: GET /shipments' state reads, erasure). */
export type DynamoDbOperation = 'PutItem' | 'UpdateItem' | 'GetItem' | 'Query' | 'BatchGetItem' | 'BatchWriteItem' | 'DeleteItem';

/**
 * - `throttle`: ProvisionedThroughputExceededException (HTTP 400) instead of sending — the
 *   SDK's retry strategy counts it as throttling and retries after a random 0–1 s (0–2 s before a third attempt);
 * - `refused`: ECONNREFUSED instead of sending — nothing reached the table;
 * - `timeout-before`: the SDK's TimeoutError instead of sending — nothing reached the table;
 * - `timeout-after`: the request IS sent and applied by moto, then the answer is lost
 *   (TimeoutError): the write happened, the caller believes it failed.
 *
 * Timeouts return at once: on AWS the SDK would first wait its request timeout
 * (3 s for the handler's client). See the notes on ModelHarness (harness.ts)
 * for what that leaves out.
 */
export type FaultKind = 'throttle' | 'refused' | 'timeout-before' | 'timeout-after';

export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'refused', 'timeout-before', 'timeout-after'];

export interface Fault {
  /** Which operation's attempts fail; `*` for any of them. */
  readonly operation: DynamoDbOperation | '*';
  readonly kind: FaultKind;
  /** How many consecutive matching attempts fail. @default 1 */
  readonly times?: number;
  /** Matching attempts let through before the first failure. @default 0 */
  readonly after?: number;
  /**
   * Narrows the attempts the fault applies to, e.g. one shipment's among a
   * batch's concurrent calls: `(input) => JSON.stringify(input).includes('PKG-1')`.
   * `input` is the low-level DynamoDB request (attribute values marshalled:
   * `{ Key: { pk: { S: 'TRACK#PKG-1' } } }`), as the SDK sends it.
   * @default - every attempt of `operation`
   */
  readonly match?: (input: Record<string, unknown>) => boolean;
}

/** Fault injection into the tracking handler's DynamoDB client. */
export interface FaultInjector {
  /** Faults fired since the harness started (for the soak figures). */
  readonly fired: number;
  /** {@link fired} by kind. */
  readonly firedByKind: Readonly<Record<FaultKind, number>>;
  /** Attempts still to fail from the armed faults (0 once every armed fault has fired). */
  readonly pending: number;
  /**
   * Arms a fault: the next `times` SDK attempts of `operation` (after `after`
   * of them passed) fail with `kind`. Attempts are below the SDK's retry
   * middleware, so the SDK's own retries are real and consume faults: with the
   * handler's client (maxAttempts 3), `times: 2` is absorbed by the SDK and
   * `times: 3` fails the call. Faults armed earlier are served first; an
   * attempt consumes at most one fault.
   */
  inject(fault: Fault): void;
  /** Disarms every fault not fired yet. */
  clear(): void;
  /** SDK attempts of `operation` (faulted or not) since the last reset of the harness. */
  attempts(operation: DynamoDbOperation): number;
}

interface Armed {
  readonly operation: DynamoDbOperation | '*';
  readonly kind: FaultKind;
  readonly match?: (input: Record<string, unknown>) => boolean;
  times: number;
  after: number;
}

const MIDDLEWARE_NAME = 'modelHarnessFaultInjection';
const REQUEST_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The function was frozen at its timeout (invocation.ts): on AWS, calls it would
 * still start never happen. Not a dependency error, so no retry and no 503 —
 * the invocation's answer is replaced by API Gateway's 502 anyway.
 */
export class FunctionFrozenError extends Error {
  constructor() {
    super('the function ran past its timeout; on AWS this call would never have been made');
    this.name = 'FunctionFrozenError';
  }
}

/** What DynamoDB answers for a throttled request, as the SDK deserializes it (HTTP 400). */
export function throttleError(): ProvisionedThroughputExceededException {
  // DynamoDB's request ids: 52 characters of A-Z and 0-9.
  const requestId = [...randomBytes(52)].map((byte) => REQUEST_ID_ALPHABET[byte % REQUEST_ID_ALPHABET.length]).join('');
  const error = new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    $metadata: { httpStatusCode: 400, requestId, extendedRequestId: undefined, cfId: undefined },
  });
  return Object.assign(error, {
    $response: {
      statusCode: 400,
      reason: 'Bad Request',
      headers: { 'x-amzn-errortype': 'ProvisionedThroughputExceededException', 'x-amzn-requestid': requestId, 'content-type': 'application/x-amz-json-1.0' },
      body: undefined,
    },
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  });
}

/** What Node's http client rejects with when nothing listens (the SDK passes it through unchanged). */
export function connectionRefusedError(host: string, port: number): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${host}:${port}`), { errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: host, port });
}

/** What @smithy/node-http-handler rejects with when `requestTimeout` passes (`throwOnRequestTimeout: true`). */
export function requestTimeoutError(requestTimeoutMs: number): Error {
  return Object.assign(new Error(`@smithy/node-http-handler - [ERROR] a request has exceeded the configured ${requestTimeoutMs} ms requestTimeout.`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });
}

export interface FaultInjectorOptions {
  /** Where the client sends (the message of a refused connection names it). */
  readonly host: string;
  readonly port: number;
  /** The client's request timeout (read when a fault fires), which the TimeoutError's message names. */
  readonly requestTimeoutMs: () => number;
}

export class SdkFaultInjector implements FaultInjector {
  private armed: Armed[] = [];
  private firedCount = 0;
  private readonly byKind: Record<FaultKind, number> = { 'throttle': 0, 'refused': 0, 'timeout-before': 0, 'timeout-after': 0 };
  private attemptCounts = new Map<string, number>();
  /** The DynamoDB request in flight, if any (see atomically). */
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: FaultInjectorOptions) {}

  /** Adds the middleware to `client` (a document client shares its base client's stack). */
  public install(client: DynamoDBDocumentClient): void {
    client.middlewareStack.addRelativeTo(
      (next: (args: any) => Promise<any>, context: { commandName?: string }) => async (args: any) => {
        // lib-dynamodb's commands run the base client's: PutCommand is `PutItemCommand` here.
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        this.attemptCounts.set(operation, (this.attemptCounts.get(operation) ?? 0) + 1);
        if ((currentInvocation.getStore()?.remainingMs ?? 1) <= 0) throw new FunctionFrozenError();
        const kind = this.take(operation, args.input ?? {});
        switch (kind) {
          case undefined:
            return this.atomically(() => next(args));
          case 'throttle':
            throw throttleError();
          case 'refused':
            throw connectionRefusedError(this.options.host, this.options.port);
          case 'timeout-before':
            throw requestTimeoutError(this.options.requestTimeoutMs());
          case 'timeout-after':
            // Sent and applied; whatever moto answered (a conditional check failure too) is lost.
            await this.atomically(() => next(args)).catch(() => undefined);
            throw requestTimeoutError(this.options.requestTimeoutMs());
        }
      },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: MIDDLEWARE_NAME, override: true },
    );
  }

  /**
   * One DynamoDB request at a time. On AWS every single-item request is atomic: a
   * conditional write checks and writes as one step, an UpdateItem on a missing item
   * creates it whole. moto holds no lock while it does either (an UpdateItem first
   * stores the bare key, then applies the update), so two concurrent writers could
   * both pass a condition, or one read a half-made item — interleavings AWS never
   * produces. Serializing the requests keeps every interleaving *between* them (a
   * handler reading, another writing, the first writing on what it read), which is
   * what the concurrency properties are about.
   */
  private async atomically<T>(request: () => Promise<T>): Promise<T> {
    const previous = this.inFlight;
    let release!: () => void;
    this.inFlight = new Promise<void>((resolve) => { release = resolve; });
    await previous;
    try {
      return await request();
    } finally {
      release();
    }
  }

  public inject(fault: Fault): void {
    const times = fault.times ?? 1;
    const after = fault.after ?? 0;
    if (!FAULT_KINDS.includes(fault.kind)) throw new Error(`unknown fault kind ${JSON.stringify(fault.kind)}; one of ${FAULT_KINDS.join(', ')}`);
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault.times must be a positive integer (got ${times})`);
    if (!Number.isInteger(after) || after < 0) throw new Error(`fault.after must be a non-negative integer (got ${after})`);
    this.armed.push({ operation: fault.operation, kind: fault.kind, match: fault.match, times, after });
  }

  public clear(): void {
    this.armed = [];
  }

  /** Disarms every fault and forgets the attempt counts (a new scenario). */
  public reset(): void {
    this.clear();
    this.attemptCounts = new Map();
  }

  public get fired(): number {
    return this.firedCount;
  }

  public get firedByKind(): Readonly<Record<FaultKind, number>> {
    return { ...this.byKind };
  }

  public get pending(): number {
    return this.armed.reduce((sum, fault) => sum + fault.times, 0);
  }

  public attempts(operation: DynamoDbOperation): number {
    return this.attemptCounts.get(operation) ?? 0;
  }

  /** The kind of the fault this attempt of `operation` fires, if any. */
  private take(operation: string, input: Record<string, unknown>): FaultKind | undefined {
    const index = this.armed.findIndex((fault) => (fault.operation === '*' || fault.operation === operation) && (fault.match?.(input) ?? true));
    if (index < 0) return undefined;
    const fault = this.armed[index];
    if (fault.after > 0) {
      fault.after--;
      return undefined;
    }
    if (--fault.times === 0) this.armed.splice(index, 1);
    this.firedCount++;
    this.byKind[fault.kind]++;
    return fault.kind;
  }
}
