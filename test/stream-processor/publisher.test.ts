import './env';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import 'aws-sdk-client-mock-jest';
import { eventBridge, putEventsAnswers, putEventsCalls } from './mocks';
import type { RetryPolicy } from '../../lambda/shared/retry';
import { EventPublisher, PublishError } from '../../lambda/stream-processor/publisher';

const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 };
const entry = (id: string): PutEventsRequestEntry => ({ Source: 's', DetailType: 'd', Detail: JSON.stringify({ id }) });
const idOf = (e: PutEventsRequestEntry): string => JSON.parse(e.Detail!).id;

function publisher(options: Partial<ConstructorParameters<typeof EventPublisher>[0]> = {}): EventPublisher {
  return new EventPublisher({ client: new EventBridgeClient({ region: 'us-east-1' }), retry: FAST, ...options });
}

beforeEach(() => {
  eventBridge.reset();
});

describe('publisher: per-entry attribution within a PutEvents call', () => {
  test('a failed entry in the middle of a call of ten fails only its own caller', async () => {
    putEventsAnswers((e) => (idOf(e) === 'e4' ? 'InvalidArgument' : undefined));
    const p = publisher();

    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => p.publish(entry(`e${i}`))));

    expect(putEventsCalls()).toHaveLength(1);
    const rejected = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [i] : []));
    expect(rejected).toEqual([4]);
    const failure = (outcomes[4] as PromiseRejectedResult).reason;
    expect(failure).toBeInstanceOf(PublishError);
    expect(failure).toMatchObject({ attempts: 1, transient: false, errorCode: 'InvalidArgument' });
    expect((outcomes[5] as PromiseFulfilledResult<{ eventId: string }>).value).toEqual({ eventId: expect.stringMatching(/^eb-/), attempts: 1 });
  });

  test('retried entries from different calls travel together, and stop at maxAttempts', async () => {
    putEventsAnswers((e) => (idOf(e).startsWith('bad') ? 'ThrottlingException' : undefined));
    const p = publisher();

    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 9 }, (_, i) => p.publish(entry(`ok${i}`))),
      p.publish(entry('bad0')),
      p.publish(entry('bad1')),
    ]);

    expect(putEventsCalls()[0]).toHaveLength(10);
    expect(putEventsCalls()[1]).toHaveLength(1);
    const attemptsOfBad = putEventsCalls().flat().filter((e) => idOf(e).startsWith('bad')).length;
    expect(attemptsOfBad).toBe(2 * FAST.maxAttempts);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(2);
  });

  test('canRetry = false turns a transient failure into an immediate rejection', async () => {
    putEventsAnswers(() => 'ThrottlingException');
    const canRetry = jest.fn().mockReturnValue(false);

    await expect(publisher({ canRetry }).publish(entry('x'))).rejects.toMatchObject({ attempts: 1, transient: true });
    expect(canRetry).toHaveBeenCalledTimes(1);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  test('a result without an entry for the event counts as a transient failure', async () => {
    eventBridge.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 0, Entries: [] }).resolves({ Entries: [{ EventId: 'eb-9' }] });

    await expect(publisher().publish(entry('x'))).resolves.toEqual({ eventId: 'eb-9', attempts: 2 });
  });
});
