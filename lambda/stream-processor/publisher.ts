import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { isRetryableEntryCode, isTransientError } from '../shared/aws-errors';
import { retryDelayMs, type RetryPolicy } from '../shared/retry';

/** PutEvents takes at most 10 entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;

/**
 * How often and how patiently one entry is sent (the shared policy, lambda/shared/retry.ts).
 * Four attempts, waiting about 0.1, 0.2 and 0.4 s between them: at most ~0.7 s
 * of waiting plus four attempts of at most 3 s each (clients.ts) — well within
 * the function timeout, with the dead-letter send still to come.
 */
export const PUBLISH_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

/** Why an entry was not published, after how many attempts. */
export class PublishError extends Error {
  constructor(
    message: string,
    /** Attempts made (1 = no retry). */
    public readonly attempts: number,
    /** Whether the last failure was a transient one (retries ran out) rather than a refusal. */
    public readonly transient: boolean,
    /** EventBridge's per-entry error code, when the call succeeded but the entry failed. */
    public readonly errorCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishError';
  }
}

export interface Published {
  /** The id EventBridge gave the event. */
  readonly eventId: string;
  readonly attempts: number;
}

export interface EventPublisherOptions {
  readonly client: EventBridgeClient;
  readonly retry: RetryPolicy;
  /** Whether a retry may start `delayMs` from now; false sends the entry to its caller's failure path instead. */
  readonly canRetry?: (delayMs: number) => boolean;
  /** Told about every failed attempt that will be retried. */
  readonly onRetry?: (entry: PutEventsRequestEntry, failure: PublishError) => void;
}

interface Pending {
  readonly entry: PutEventsRequestEntry;
  attempts: number;
  readonly resolve: (published: Published) => void;
  readonly reject: (error: PublishError) => void;
}

/**
 * Publishes events one at a time to its callers, ten at a time to EventBridge.
 *
 * Every `publish` call made in the same turn of the event loop (the batch
 * processor starts every record's handler at once) is queued and sent with as
 * few PutEvents calls as possible: a batch of 100 status changes costs 10 calls,
 * not 100. Each caller still gets the outcome of *its* entry: a PutEvents answer
 * with FailedEntryCount > 0 fails only the entries that carry an ErrorCode, and
 * only those are retried. Retryable failures (throttling, EventBridge's internal
 * errors, the network) are retried with exponential backoff and jitter up to the
 * policy's limit; anything else fails at once.
 *
 * One publisher per invocation: `canRetry` is bound to that invocation's deadline.
 */
export class EventPublisher {
  private queue: Pending[] = [];
  private flushScheduled = false;

  constructor(private readonly options: EventPublisherOptions) {}

  public publish(entry: PutEventsRequestEntry): Promise<Published> {
    return new Promise((resolve, reject) => this.enqueue({ entry, attempts: 0, resolve, reject }));
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const queued = this.queue;
      this.queue = [];
      // A state item's detail is well under 1 kB, so ten entries never come near
      // PutEvents' 256 KB request limit: chunking by count is enough.
      for (let start = 0; start < queued.length; start += MAX_ENTRIES_PER_CALL) {
        void this.send(queued.slice(start, start + MAX_ENTRIES_PER_CALL));
      }
    });
  }

  /** One PutEvents call. Never throws: every entry ends resolved, rejected or queued again. */
  private async send(chunk: Pending[]): Promise<void> {
    for (const pending of chunk) pending.attempts++;
    let results;
    try {
      const output = await this.options.client.send(new PutEventsCommand({ Entries: chunk.map((pending) => pending.entry) }));
      results = output.Entries ?? [];
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const transient = isTransientError(error);
      for (const pending of chunk) {
        this.failed(pending, new PublishError(`PutEvents failed: ${message}`, pending.attempts, transient, undefined, { cause: error }));
      }
      return;
    }
    chunk.forEach((pending, index) => {
      // Entries answer in request order, one for one.
      const result = results[index];
      if (result?.EventId && !result.ErrorCode) {
        pending.resolve({ eventId: result.EventId, attempts: pending.attempts });
        return;
      }
      const code = result?.ErrorCode;
      const message = result ? `${code ?? 'no error code'}: ${result.ErrorMessage ?? 'no error message'}` : 'no result entry for this event';
      // A missing result entry is EventBridge misbehaving, not a verdict on the event: worth another try.
      const transient = result === undefined || isRetryableEntryCode(code);
      this.failed(pending, new PublishError(`PutEvents entry failed: ${message}`, pending.attempts, transient, code));
    });
  }

  private failed(pending: Pending, failure: PublishError): void {
    const { retry, canRetry, onRetry } = this.options;
    const delayMs = failure.transient ? retryDelayMs(retry, pending.attempts, canRetry) : undefined;
    if (delayMs === undefined) {
      pending.reject(failure);
      return;
    }
    onRetry?.(pending.entry, failure);
    setTimeout(() => this.enqueue(pending), delayMs);
  }
}
