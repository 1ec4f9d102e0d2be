import { randomUUID } from 'crypto';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { InvocationClock, lambdaContext } from './invocation';
import type { StreamMappingSpec } from '../../../local/assembly/event-sources';
import type { FunctionSpec } from '../../../local/assembly/template';
import { deliverBatch } from '../../../local/events/stream-batch';
import { MotoStreamArtifacts, toLambdaRecord } from '../../../local/events/stream-records';
import type { InvokeOutcome } from '../../../local/functions/workers';
import type { LocalCredentials } from '../../../local/gateway/sigv4';
import {
  SHIPMENT_DELETED_EVENT, SHIPMENT_STALLED_EVENT, STATUS_CHANGED_EVENT,
  type ShipmentDeletedDetail, type ShipmentStalledDetail, type StatusChangedDetail,
} from '../../../src/contract/events';

/**
 * The stream half of the system, run on demand and in process: read what the
 * table's stream got since the last run, take out moto's artifacts, apply the
 * event source mapping's filter, deliver the records to the real stream
 * processor in batches as the template's mapping would (batch size, partial
 * batch responses, bisection, retry limit — local/events/stream-batch.ts, without the
 * waits between retries), then collect what EventBridge delivered to the
 * rule's queue and what the processor dead-lettered.
 */

/** What one {@link StreamDelivery.run} did. */
export interface StreamRun {
  /** Status changes the rule's queue received, in arrival order. */
  readonly published: readonly StatusChangedDetail[];
  /** `Tracking Shipment Stalled` events the notices queue received, in arrival order (none without that queue). */
  readonly stalls: readonly ShipmentStalledDetail[];
  /** `Tracking Shipment Deleted` events the notices queue received, in arrival order (none without that queue). */
  readonly deletions: readonly ShipmentDeletedDetail[];
  /** Stream records read (moto's artifacts included). */
  readonly recordsRead: number;
  /** moto artifacts taken out: the first INSERT of an UpdateItem on a missing item, no-op MODIFYs. */
  readonly artifactsDropped: number;
  /** Records the mapping's filter kept out (event items). */
  readonly filteredOut: number;
  /** Records handed to the processor. */
  readonly recordsDelivered: number;
  readonly invocations: number;
  /** Invocations that did not finish their batch (a batch item failure or an error), each followed by a re-delivery. */
  readonly failedInvocations: number;
  /** Records given up on after the mapping's retries (lost to the model: never published). */
  readonly recordsDiscarded: number;
  /** Messages the processor sent to its dead-letter queue (parsed bodies). */
  readonly deadLetters: readonly any[];
}

export interface StreamDeliveryOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
  readonly mapping: StreamMappingSpec;
  readonly processor: FunctionSpec;
  readonly handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;
  readonly statusChangesQueueUrl: string;
  /** The queue of the stall and deletion rules. @default - none: no stall or deletion is collected */
  readonly noticesQueueUrl?: string;
  readonly deadLetterQueueUrl: string;
}

/** GetRecords' largest page. */
const GET_RECORDS_LIMIT = 1000;

interface ShardPosition {
  readonly shardId: string;
  lastSequenceNumber?: string;
}

export class StreamDelivery {
  private readonly streams: DynamoDBStreamsClient;
  private readonly sqs: SQSClient;
  private stream?: { readonly arn: string; readonly shards: ShardPosition[]; readonly artifacts: MotoStreamArtifacts };

  constructor(private readonly options: StreamDeliveryOptions) {
    const config = { endpoint: options.endpoint, region: options.region, credentials: options.credentials, maxAttempts: 1 };
    this.streams = new DynamoDBStreamsClient(config);
    this.sqs = new SQSClient(config);
  }

  /** The table was created again: its stream is a new one, read from its start. */
  public reset(): void {
    this.stream = undefined;
  }

  public async run(): Promise<StreamRun> {
    const stream = await this.currentStream();
    const read = await this.readNewRecords(stream);
    // Everything a request wrote is in the stream when it answered (moto writes
    // records synchronously), so nothing needs holding back: holdMs 0.
    const written = stream.artifacts.accept(read, Date.now());
    const passing = written.filter((record) => this.options.mapping.filter.matches(record));

    const counters = { invocations: 0, failedInvocations: 0, recordsDiscarded: 0 };
    for (let start = 0; start < passing.length; start += this.options.mapping.batchSize) {
      await deliverBatch(passing.slice(start, start + this.options.mapping.batchSize), {
        invoke: async (records) => {
          counters.invocations++;
          const requestId = randomUUID();
          const outcome = await this.invoke(records, requestId);
          return { outcome, requestId };
        },
        reportBatchItemFailures: this.options.mapping.reportBatchItemFailures,
        bisectBatchOnFunctionError: this.options.mapping.bisectBatchOnFunctionError,
        maximumRetryAttempts: this.options.mapping.maximumRetryAttempts,
        waitBeforeRetry: async () => {
          counters.failedInvocations++;
          return true;
        },
        discard: async (batch) => {
          counters.recordsDiscarded += batch.records.length;
        },
        log: () => undefined,
      });
    }

    const published = (await this.drain(this.options.statusChangesQueueUrl)).map((event) => {
      if (event?.source !== STATUS_CHANGED_EVENT.source || event?.['detail-type'] !== STATUS_CHANGED_EVENT.detailType) {
        throw new Error(`the status-change queue received something else than a ${STATUS_CHANGED_EVENT.detailType} event: ${JSON.stringify(event)}`);
      }
      return event.detail as StatusChangedDetail;
    });
    const stalls: ShipmentStalledDetail[] = [];
    const deletions: ShipmentDeletedDetail[] = [];
    for (const event of this.options.noticesQueueUrl ? await this.drain(this.options.noticesQueueUrl) : []) {
      if (event?.source === SHIPMENT_STALLED_EVENT.source && event?.['detail-type'] === SHIPMENT_STALLED_EVENT.detailType) {
        stalls.push(event.detail);
      } else if (event?.source === SHIPMENT_DELETED_EVENT.source && event?.['detail-type'] === SHIPMENT_DELETED_EVENT.detailType) {
        deletions.push(event.detail);
      } else {
        throw new Error(`the notices queue received something else than a stall or a deletion: ${JSON.stringify(event)}`);
      }
    }
    return {
      published,
      stalls,
      deletions,
      recordsRead: read.length,
      artifactsDropped: read.length - written.length,
      filteredOut: written.length - passing.length,
      recordsDelivered: passing.length,
      ...counters,
      deadLetters: await this.drain(this.options.deadLetterQueueUrl),
    };
  }

  public destroy(): void {
    this.streams.destroy();
    this.sqs.destroy();
  }

  private async currentStream(): Promise<NonNullable<StreamDelivery['stream']>> {
    if (this.stream) return this.stream;
    const { tableName } = this.options.mapping;
    const listed = await this.streams.send(new ListStreamsCommand({ TableName: tableName }));
    const arn = listed.Streams?.[0]?.StreamArn;
    if (!arn) throw new Error(`table ${tableName} has no stream on the emulator`);
    const described = await this.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const shards = (described.StreamDescription?.Shards ?? []).map((shard) => ({ shardId: shard.ShardId! }));
    this.stream = { arn, shards, artifacts: new MotoStreamArtifacts(0) };
    return this.stream;
  }

  /**
   * Every record after the last one read, in order. A fresh iterator per run:
   * moto's iterators can go stale (shared/notes/moto.md), positions cannot.
   */
  private async readNewRecords(stream: NonNullable<StreamDelivery['stream']>): Promise<DynamoDBRecord[]> {
    const records: DynamoDBRecord[] = [];
    for (const shard of stream.shards) {
      const position = shard.lastSequenceNumber === undefined
        ? { ShardIteratorType: ShardIteratorType.TRIM_HORIZON }
        : { ShardIteratorType: ShardIteratorType.AFTER_SEQUENCE_NUMBER, SequenceNumber: shard.lastSequenceNumber };
      const start = await this.streams.send(new GetShardIteratorCommand({ StreamArn: stream.arn, ShardId: shard.shardId, ...position }));
      let iterator = start.ShardIterator;
      while (iterator) {
        const output = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }));
        const page = output.Records ?? [];
        for (const record of page) records.push(toLambdaRecord(record, { region: this.options.region, streamArn: stream.arn }));
        if (page.length > 0) shard.lastSequenceNumber = page[page.length - 1].dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
        if (page.length < GET_RECORDS_LIMIT) break;
        iterator = output.NextShardIterator;
      }
    }
    return records;
  }

  /** One invocation of the processor, read as Lambda reads it (the answer serialized as JSON). */
  private async invoke(records: readonly DynamoDBRecord[], requestId: string): Promise<InvokeOutcome> {
    const clock = new InvocationClock(this.options.processor.timeoutSeconds * 1000);
    try {
      const response = await this.options.handler({ Records: [...records] }, lambdaContext(this.options.processor, clock, requestId));
      if (clock.remainingMs < 0) return { kind: 'timeout' };
      return { kind: 'result', payload: JSON.stringify(response ?? null) };
    } catch (error) {
      return { kind: 'error', errorType: (error as Error)?.name ?? 'Error', errorMessage: (error as Error)?.message ?? String(error) };
    }
  }

  /** Receives and deletes until the queue is empty; the parsed bodies in arrival order. */
  private async drain(queueUrl: string): Promise<any[]> {
    const bodies: any[] = [];
    for (;;) {
      const output = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      const messages = output.Messages ?? [];
      if (messages.length === 0) return bodies;
      for (const message of messages) bodies.push(JSON.parse(message.Body ?? 'null'));
      await this.sqs.send(new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }));
    }
  }
}
