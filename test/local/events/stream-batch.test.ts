import type { DynamoDBRecord } from 'aws-lambda';
import { DeliveryOptions, DiscardedBatch, deliverBatch, onFailureMessage, readBatchResponse } from '../../../local/events/stream-batch';
import type { InvokeOutcome } from '../../../local/functions/workers';

/**
 * A stream batch delivered as Lambda's event source mapping does: retries,
 * checkpoints from reported item failures, bisection on function errors, and the
 * on-failure metadata once the retries run out.
 */

const records = (count: number): DynamoDBRecord[] => Array.from({ length: count }, (_, i) => ({
  eventName: 'MODIFY',
  dynamodb: { SequenceNumber: String(1000 + i), ApproximateCreationDateTime: 1_780_000_000 + i, Keys: { pk: { S: `TRACK#${i}` } } },
}));
const sequence = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;

const ok = (payload: unknown = null): InvokeOutcome => ({ kind: 'result', payload: JSON.stringify(payload) });
const failed = (...ids: string[]) => ok({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });
const crashed: InvokeOutcome = { kind: 'error', errorType: 'Error', errorMessage: 'boom' };
const throttled: InvokeOutcome = { kind: 'throttled' };

/** A function that answers with `respond`, and remembers which records each invocation carried. */
function harness(respond: (batch: readonly DynamoDBRecord[], call: number) => InvokeOutcome, overrides: Partial<DeliveryOptions> = {}) {
  const calls: string[][] = [];
  const discarded: DiscardedBatch[] = [];
  const options: DeliveryOptions = {
    invoke: async (batch) => {
      calls.push(batch.map(sequence));
      return { outcome: respond(batch, calls.length), requestId: `request-${calls.length}` };
    },
    reportBatchItemFailures: true,
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: 3,
    waitBeforeRetry: async () => true,
    discard: async (batch) => {
      discarded.push(batch);
    },
    log: () => undefined,
    ...overrides,
  };
  return { calls, discarded, options };
}

describe('reading what the function answered', () => {
  const batch = records(3);

  test.each<[string, InvokeOutcome, ReturnType<typeof readBatchResponse>]>([
    ['null', ok(null), { kind: 'success' }],
    ['an empty object', ok({}), { kind: 'success' }],
    ['an empty list', ok({ batchItemFailures: [] }), { kind: 'success' }],
    ['a null list', ok({ batchItemFailures: null }), { kind: 'success' }],
    ['two failures: the lowest sequence number is where the batch continues', failed('1002', '1001'), { kind: 'partial', from: 1 }],
    ['an empty itemIdentifier', failed(''), { kind: 'failure', reason: expect.stringMatching(/names "", which is not a sequence number/) }],
    ['an unknown itemIdentifier', failed('999'), { kind: 'failure', reason: expect.stringMatching(/names "999"/) }],
    ['a null itemIdentifier', ok({ batchItemFailures: [{ itemIdentifier: null }] }), { kind: 'failure', reason: expect.any(String) }],
    ['a misspelled key', ok({ batchItemFailures: [{ itemIdentifer: '1000' }] }), { kind: 'failure', reason: expect.any(String) }],
    ['batchItemFailures that is not a list', ok({ batchItemFailures: '1000' }), { kind: 'failure', reason: 'batchItemFailures is not a list' }],
    ['a function error', crashed, { kind: 'failure', reason: 'Error: boom' }],
    ['a timeout', { kind: 'timeout' }, { kind: 'failure', reason: 'the function timed out' }],
    ['the runtime stopping', { kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'stopping' }, { kind: 'stopped' }],
    ['a throttled invocation (the function never ran)', throttled, { kind: 'throttled' }],
  ])('%s', (_name, outcome, verdict) => {
    expect(readBatchResponse(outcome, batch, true)).toEqual(verdict);
  });

  test('without ReportBatchItemFailures, what the function returns is not looked at', () => {
    expect(readBatchResponse(failed('1000'), batch, false)).toEqual({ kind: 'success' });
    expect(readBatchResponse(crashed, batch, false)).toMatchObject({ kind: 'failure' });
  });
});

describe('delivering a batch', () => {
  test('a batch the function takes is invoked once', async () => {
    const { calls, discarded, options } = harness(() => ok());
    expect(await deliverBatch(records(3), options)).toBe(true);
    expect(calls).toEqual([['1000', '1001', '1002']]);
    expect(discarded).toEqual([]);
  });

  test('a reported item failure checkpoints the records before it: only it and what follows are retried', async () => {
    const { calls, discarded, options } = harness((_batch, call) => (call === 1 ? failed('1001') : ok()));
    await deliverBatch(records(3), options);
    expect(calls).toEqual([['1000', '1001', '1002'], ['1001', '1002']]);
    expect(discarded).toEqual([]);
  });

  test('retries run out: the rest of the batch is discarded after MaximumRetryAttempts, with the last request id', async () => {
    // Each time, the function fails the second record of what it gets (the only one, at the end).
    const { calls, discarded, options } = harness((batch) => failed(sequence(batch[Math.min(1, batch.length - 1)])));
    await deliverBatch(records(4), options);
    expect(calls).toEqual([['1000', '1001', '1002', '1003'], ['1001', '1002', '1003'], ['1002', '1003'], ['1003']]);
    expect(discarded).toHaveLength(1);
    expect(discarded[0]).toMatchObject({ requestId: 'request-4', invokeCount: 4, functionError: false });
    expect(discarded[0].records.map(sequence)).toEqual(['1003']);
  });

  test('a function error retries the whole batch, and with MaximumRetryAttempts 0 it is discarded at once', async () => {
    const three = harness(() => crashed);
    await deliverBatch(records(2), three.options);
    expect(three.calls).toHaveLength(4);
    expect(three.discarded[0]).toMatchObject({ invokeCount: 4, functionError: true, reason: 'Error: boom' });

    const none = harness(() => crashed, { maximumRetryAttempts: 0 });
    await deliverBatch(records(2), none.options);
    expect(none.calls).toHaveLength(1);
    expect(none.discarded).toHaveLength(1);
  });

  test('with BisectBatchOnFunctionError a poisoned record is isolated; splitting costs no retries; the others go through', async () => {
    const poisoned = '1005';
    const { calls, discarded, options } = harness((batch) => (batch.some((record) => sequence(record) === poisoned) ? crashed : ok()), {
      bisectBatchOnFunctionError: true,
    });
    await deliverBatch(records(8), options);
    expect(calls.slice(0, 6)).toEqual([
      ['1000', '1001', '1002', '1003', '1004', '1005', '1006', '1007'],
      ['1000', '1001', '1002', '1003'],
      ['1004', '1005', '1006', '1007'],
      ['1004', '1005'],
      ['1004'],
      ['1005'],
    ]);
    // 1005 alone: the first attempt, then three retries; then the rest of the split batch.
    expect(calls.slice(6)).toEqual([['1005'], ['1005'], ['1005'], ['1006', '1007']]);
    expect(discarded.map((batch) => batch.records.map(sequence))).toEqual([['1005']]);
  });

  test('a timeout fails the batch like an error', async () => {
    const { calls, discarded, options } = harness((_batch, call) => (call === 1 ? { kind: 'timeout' } : ok()));
    await deliverBatch(records(2), options);
    expect(calls).toHaveLength(2);
    expect(discarded).toEqual([]);
  });

  test('MaximumRetryAttempts -1 retries until the runtime stops, and never discards', async () => {
    let waits = 0;
    const { calls, discarded, options } = harness(() => crashed, {
      maximumRetryAttempts: -1,
      waitBeforeRetry: async () => ++waits < 20,
    });
    expect(await deliverBatch(records(1), options)).toBe(false);
    expect(calls).toHaveLength(20);
    expect(discarded).toEqual([]);
  });

  test('a throttled batch is retried whole until it runs: no split, no retry spent, not counted as an invocation', async () => {
    const waits: number[] = [];
    // Throttled three times, then a function error: with no retries left the batch is discarded after one real invocation.
    const { calls, discarded, options } = harness((_batch, call) => (call <= 3 ? throttled : crashed), {
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 0,
      waitBeforeRetry: async (retry) => {
        waits.push(retry);
        return true;
      },
    });
    await deliverBatch(records(2), options);
    expect(calls).toEqual([['1000', '1001'], ['1000', '1001'], ['1000', '1001'], ['1000', '1001'], ['1000'], ['1001']]);
    // The backoff grows with each throttle in a row.
    expect(waits).toEqual([1, 2, 3]);
    expect(discarded.map((batch) => [batch.records.map(sequence), batch.invokeCount])).toEqual([[['1000'], 2], [['1001'], 2]]);
  });

  test('a function that stays throttled is retried until the runtime stops, and nothing is discarded', async () => {
    let waits = 0;
    const { calls, discarded, options } = harness(() => throttled, { maximumRetryAttempts: 0, waitBeforeRetry: async () => ++waits < 10 });
    expect(await deliverBatch(records(1), options)).toBe(false);
    expect(calls).toHaveLength(10);
    expect(discarded).toEqual([]);
  });

  test('a stop during an invocation abandons the batch without discarding it', async () => {
    const { discarded, options } = harness(() => ({ kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'stopping' }));
    expect(await deliverBatch(records(2), options)).toBe(false);
    expect(discarded).toEqual([]);
  });
});

describe("the on-failure destination's message", () => {
  test("has Lambda's shape: request and response context, and the batch's place in the stream, not its records", () => {
    const batch = records(3);
    const message = onFailureMessage(
      { records: batch, requestId: 'r-1', invokeCount: 4, functionError: true, reason: 'Error: boom' },
      { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:processor', shardId: 'shardId-1', streamArn: 'arn:stream', now: new Date('2026-03-01T10:00:00.123Z') },
    );
    expect(message).toEqual({
      requestContext: { requestId: 'r-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:processor', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-03-01T10:00:00.123Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-1',
        startSequenceNumber: '1000',
        endSequenceNumber: '1002',
        approximateArrivalOfFirstRecord: new Date(1_780_000_000 * 1000).toISOString().replace('.000Z', 'Z'),
        approximateArrivalOfLastRecord: new Date(1_780_000_002 * 1000).toISOString().replace('.000Z', 'Z'),
        batchSize: 3,
        streamArn: 'arn:stream',
      },
    });
  });

  test('after reported item failures there is no function error', () => {
    const message = onFailureMessage(
      { records: records(1), requestId: 'r', invokeCount: 1, functionError: false, reason: 'reported' },
      { functionArn: 'f', shardId: 's', streamArn: 'a', now: new Date() },
    );
    expect(message.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
  });
});
