import { randomUUID } from 'crypto';
import {
  _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DiscardedBatch, deliverBatch, onFailureMessage } from './stream-batch';
import { MotoStreamArtifacts, toLambdaRecord } from './stream-records';
import type { StreamMappingSpec } from '../assembly/event-sources';
import type { InvokeOptions, InvokeOutcome } from '../functions/workers';
import type { LocalCredentials } from '../gateway/sigv4';

/**
 * An event source mapping on a DynamoDB stream, run the way Lambda's poller runs
 * it: per shard, GetRecords about four times a second from the mapping's starting
 * position, the template's filter applied to each record, batches of up to
 * BatchSize invoked one at a time (so a shard's records reach the function in
 * order), retried, split and discarded as stream-batch.ts describes (a throttled
 * invocation is retried with the same backoff until it runs). The poller
 * talks to moto directly, as Lambda's own service would, never through the fault
 * proxy the functions may be behind.
 *
 * moto's stream quirks handled here: records AWS would not write are dropped
 * (stream-records.ts); an unknown iterator is an HTML 500 rather than
 * ExpiredIteratorException, and after a cancelled TransactWriteItems existing
 * iterators return nothing forever — so after a failed call, or two seconds with
 * nothing, the poller takes a fresh iterator after the last sequence number it read.
 */

export interface StreamMappingOptions {
  readonly spec: StreamMappingSpec;
  readonly functionName: string;
  readonly functionArn: string;
  readonly region: string;
  /** The emulator. */
  readonly endpoint: string;
  readonly credentials: LocalCredentials;
  /** The on-failure destination queue's URL, when the mapping has one. */
  readonly onFailureQueueUrl?: string;
  readonly invoke: (event: DynamoDBStreamEvent, options: InvokeOptions) => Promise<InvokeOutcome>;
  /** @default 250 (Lambda polls a stream's shards four times a second) */
  readonly pollIntervalMs?: number;
  /** With nothing read for this long, take a fresh iterator (see above). @default 2 s */
  readonly idleRefreshMs?: number;
  readonly log: (line: string) => void;
}

export interface StreamMappingStats {
  /** Records that passed the filter and were handed to the function. */
  readonly records: number;
  readonly filteredOut: number;
  /** moto artifacts taken out (stream-records.ts). */
  readonly artifactsDropped: number;
  /** Invocations the function ran (throttled ones are counted apart). */
  readonly invocations: number;
  /** Invocations refused at the function's reserved concurrency, each retried. */
  readonly throttles: number;
  readonly discardedBatches: number;
}

/** Records per GetRecords call: the API's maximum. */
const GET_RECORDS_LIMIT = 1000;
/** How long a bare-key INSERT waits for the second half of moto's UpdateItem pair. */
const ARTIFACT_HOLD_MS = 1_000;
const MAX_RETRY_DELAY_MS = 2_000;

const STOPPED: InvokeOutcome = { kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'the local runtime is stopping' };

export class StreamMapping {
  private readonly streams: DynamoDBStreamsClient;
  private readonly sqs: SQSClient;
  private readonly abort = new AbortController();
  private readonly pollIntervalMs: number;
  private readonly loops: Promise<void>[] = [];
  private readonly prefix: string;
  private streamArn = '';
  private counters = { records: 0, filteredOut: 0, invocations: 0, throttles: 0, discardedBatches: 0 };
  private readonly artifacts: MotoStreamArtifacts[] = [];
  /** Resolves when stopped: an invocation in flight is raced against it (one listener, not one per batch). */
  private readonly stoppedOutcome: Promise<InvokeOutcome>;

  constructor(private readonly options: StreamMappingOptions) {
    // One attempt per call: the polling loop is the retry (and moto's errors are HTML the SDK cannot parse).
    const config = { endpoint: options.endpoint, region: options.region, credentials: options.credentials, maxAttempts: 1 };
    this.streams = new DynamoDBStreamsClient(config);
    this.sqs = new SQSClient({ ...config, maxAttempts: 3 });
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.prefix = `[stream of ${options.spec.tableName} → ${options.functionName}]`;
    this.stoppedOutcome = new Promise((resolve) => this.abort.signal.addEventListener('abort', () => resolve(STOPPED), { once: true }));
  }

  /** Finds the stream and positions an iterator on each shard; then polls until `stop()`. */
  public async start(): Promise<void> {
    const { spec } = this.options;
    const listed = await this.streams.send(new ListStreamsCommand({ TableName: spec.tableName }));
    const streamArn = listed.Streams?.[0]?.StreamArn;
    if (!streamArn) throw new Error(`${spec.logicalId}: table ${spec.tableName} has no stream on the emulator`);
    this.streamArn = streamArn;
    const described = await this.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    // moto has one shard that never closes: the shards there now are all there will be.
    for (const shard of described.StreamDescription?.Shards ?? []) {
      const iterator = await this.iterator(shard.ShardId!, undefined);
      const artifacts = new MotoStreamArtifacts(ARTIFACT_HOLD_MS);
      this.artifacts.push(artifacts);
      this.loops.push(this.poll(shard.ShardId!, iterator, artifacts));
    }
  }

  public stats(): StreamMappingStats {
    return { ...this.counters, artifactsDropped: this.artifacts.reduce((sum, artifacts) => sum + artifacts.droppedCount, 0) };
  }

  /** Stops polling at once: a batch in flight is abandoned (its worker is stopped with the pool). */
  public async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    this.streams.destroy();
    this.sqs.destroy();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Resolves after `ms`, or at once when stopped; false when stopped. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async iterator(shardId: string, afterSequenceNumber: string | undefined): Promise<string | undefined> {
    const position = afterSequenceNumber !== undefined
      ? { ShardIteratorType: ShardIteratorType.AFTER_SEQUENCE_NUMBER, SequenceNumber: afterSequenceNumber }
      : { ShardIteratorType: this.options.spec.startingPosition === 'LATEST' ? ShardIteratorType.LATEST : ShardIteratorType.TRIM_HORIZON };
    const command = new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ...position });
    const output = await this.streams.send(command, { abortSignal: this.abort.signal });
    return output.ShardIterator;
  }

  private async poll(shardId: string, firstIterator: string | undefined, artifacts: MotoStreamArtifacts): Promise<void> {
    const { spec, region } = this.options;
    let iterator = firstIterator;
    let lastSequenceNumber: string | undefined;
    let idleSince = Date.now();
    let failing = false;
    while (!this.stopped) {
      let records: _Record[];
      try {
        // Re-positioning at LATEST before anything was read could skip records: only from a known position, or the trim horizon.
        iterator ??= await this.iterator(shardId, lastSequenceNumber);
        const command = new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT });
        const output = await this.streams.send(command, { abortSignal: this.abort.signal });
        records = output.Records ?? [];
        iterator = output.NextShardIterator;
        if (failing) this.options.log(`${this.prefix} reading the stream again`);
        failing = false;
        if (iterator === undefined) {
          this.options.log(`${this.prefix} shard ${shardId} is closed`);
          return;
        }
      } catch (error) {
        if (this.stopped) return;
        if (!failing) this.options.log(`${this.prefix} reading the stream failed (${(error as Error).name}: ${(error as Error).message.split('\n')[0]}); retrying with a fresh iterator`);
        failing = true;
        iterator = undefined;
        await this.sleep(this.pollIntervalMs * 4);
        continue;
      }

      const now = Date.now();
      if (records.length > 0) {
        lastSequenceNumber = records[records.length - 1].dynamodb?.SequenceNumber ?? lastSequenceNumber;
        idleSince = now;
      } else if (now - idleSince >= (this.options.idleRefreshMs ?? 2_000) && (lastSequenceNumber !== undefined || spec.startingPosition === 'TRIM_HORIZON')) {
        iterator = undefined;
        idleSince = now;
      }
      const written = artifacts.accept(records.map((record) => toLambdaRecord(record, { region, streamArn: this.streamArn })), now);
      const passing = written.filter((record) => spec.filter.matches(record));
      this.counters.filteredOut += written.length - passing.length;
      this.counters.records += passing.length;
      for (let start = 0; start < passing.length; start += spec.batchSize) {
        if (!(await this.deliver(shardId, passing.slice(start, start + spec.batchSize)))) return;
      }
      if (records.length < GET_RECORDS_LIMIT) await this.sleep(this.pollIntervalMs);
    }
  }

  private deliver(shardId: string, records: readonly DynamoDBRecord[]): Promise<boolean> {
    const { spec } = this.options;
    return deliverBatch(records, {
      invoke: async (batch) => {
        const requestId = randomUUID();
        const outcome = await Promise.race([this.options.invoke({ Records: [...batch] }, { requestId }), this.stoppedOutcome]);
        if (outcome.kind === 'throttled') this.counters.throttles++;
        else this.counters.invocations++;
        return { outcome, requestId };
      },
      reportBatchItemFailures: spec.reportBatchItemFailures,
      bisectBatchOnFunctionError: spec.bisectBatchOnFunctionError,
      maximumRetryAttempts: spec.maximumRetryAttempts,
      waitBeforeRetry: (retry) => this.sleep(Math.min(MAX_RETRY_DELAY_MS, this.pollIntervalMs * 2 ** (retry - 1))),
      discard: (batch) => this.discard(shardId, batch),
      log: (line) => this.options.log(`${this.prefix} ${line}`),
    });
  }

  private async discard(shardId: string, batch: DiscardedBatch): Promise<void> {
    this.counters.discardedBatches++;
    const range = `${batch.records[0].dynamodb?.SequenceNumber}..${batch.records[batch.records.length - 1].dynamodb?.SequenceNumber}`;
    const queueUrl = this.options.onFailureQueueUrl;
    if (!queueUrl) {
      this.options.log(`${this.prefix} records ${range} discarded; the mapping has no on-failure destination`);
      return;
    }
    const message = onFailureMessage(batch, { functionArn: this.options.functionArn, shardId, streamArn: this.streamArn, now: new Date() });
    try {
      await this.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }), { abortSignal: this.abort.signal });
      this.options.log(`${this.prefix} records ${range} discarded; their metadata went to the on-failure destination ${this.options.spec.onFailure!.arn}`);
    } catch (error) {
      if (!this.stopped) this.options.log(`${this.prefix} records ${range} discarded; sending their metadata to ${queueUrl} failed: ${(error as Error).message}`);
    }
  }
}
