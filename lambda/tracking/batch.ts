import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { toEventRecord } from './event-records';
import { ErrorDetail, HttpError, jsonResponse, serviceUnavailable } from './http';
import type { EventRecord } from './items';
import { count, METRIC } from './observability';
import { repository } from './repository';
import { readJsonBody, validateTrackingBatch, validateTrackingUpdate } from './validation';
import { isTransientError } from '../shared/aws-errors';
import { runtimeConfig, type RuntimeConfig } from '../shared/config';
import { logger } from '../shared/observability';
import { settleWithRetries, type RetryPolicy, type SettleOptions } from '../shared/retry';

/**
 * POST /track/batch (flag `batch_processing`): up to 100 tracking updates, each
 * checked, stored and answered like a POST /track of its own, without one bad or
 * throttled update failing the others.
 *
 * Each event is stored with the same conditional PutItem as POST /track, not with
 * BatchWriteItem: BatchWriteItem takes no condition expressions, so it could not
 * say `attribute_not_exists(pk)`, would overwrite a stored event with a resent
 * payload and could not tell a duplicate from a new event. Its "unprocessed items"
 * handling is done here instead: puts that DynamoDB throttles or cannot take are
 * retried a bounded number of times with backoff, and what still fails is answered
 * "retry" for that update alone.
 *
 * The state item moves once per shipment, from all of that shipment's stored (or
 * duplicate) events in the batch: to the newest of them, conditionally, exactly
 * as POST /track does (repository.applyToState), so older updates never roll the
 * state back and milestones still count every event that moves it.
 */

/** Most DynamoDB calls in flight for one batch: fast, without bursting a shipment's partition. */
const CONCURRENCY = 10;

/**
 * Retry rounds on top of the SDK's own retries (3 attempts per call), with the
 * shared policy (lambda/shared/retry.ts): the SDK retries within milliseconds;
 * rounds wait 25–50 ms, then 50–100 ms, for a throttled partition to recover.
 * The retry window keeps the whole request well inside the function's timeout
 * (the SDK's request timeout is 3 s per attempt).
 */
const BATCH_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100 };
const RETRY_WINDOW_MS = 2_000;

/** How the batch's puts and state updates are run: transient failures retried until the window closes. */
function settleOptions(deadline: number): SettleOptions {
  return {
    retry: BATCH_RETRY,
    concurrency: CONCURRENCY,
    isRetriable: isTransientError,
    canRetry: (delayMs: number) => Date.now() + delayMs <= deadline,
  };
}

const UNAVAILABLE = 'temporarily unavailable, retry';

/** What became of one update: `valid` until stored, then accepted, duplicate or unavailable ("retry"). */
type Outcome = EventOutcome | { readonly result: 'invalid'; readonly tracking_id: unknown; readonly event_id: unknown; readonly error: HttpError };
interface EventOutcome {
  /** `failed`: an unexpected error, logged; answered "rejected" with an internal error for that update alone. */
  readonly result: 'valid' | 'accepted' | 'duplicate' | 'unavailable' | 'failed';
  readonly event: EventRecord;
}

export async function postTrackBatch(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const receivedAt = Date.now();
  const config = await runtimeConfig.get();
  // The route exists in API Gateway whatever the flag says; the feature does not.
  if (!config.flags.batch_processing) throw new HttpError(404, 'batch processing is disabled');

  const updates = await readUpdates(event, config);
  const deadline = Date.now() + RETRY_WINDOW_MS;

  const defaultTimes = defaultEventTimes(updates, receivedAt);
  const outcomes: Outcome[] = updates.map((raw, index) => {
    try {
      return { result: 'valid', event: toEventRecord(validateTrackingUpdate(raw, config.flags, receivedAt, defaultTimes[index]), receivedAt) };
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const fields = (raw ?? {}) as Record<string, unknown>;
      return { result: 'invalid', tracking_id: fields.tracking_id, event_id: fields.event_id, error };
    }
  });

  await storeEvents(outcomes, deadline);
  await applyStates(outcomes, deadline);
  return respond(outcomes);
}

/**
 * The event_time of each update that has none. All were received at once, yet the
 * request orders them: the n-th update of a shipment without event_time (n from 0)
 * is taken as received n ms after the first, so the shipment's newest is the
 * last one sent, as it would be had they come one by one — not whichever event_id
 * sorts last. Updates with an event_time are not affected.
 */
function defaultEventTimes(updates: readonly unknown[], receivedAt: number): number[] {
  const seen = new Map<string, number>();
  return updates.map((raw) => {
    const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof fields.tracking_id !== 'string' || fields.event_time !== undefined) return receivedAt;
    const ordinal = seen.get(fields.tracking_id) ?? 0;
    seen.set(fields.tracking_id, ordinal + 1);
    return receivedAt + ordinal;
  });
}

/** The envelope: 415, 413, JSON and depth like POST /track, then 1–100 update objects. */
async function readUpdates(event: APIGatewayProxyEvent, config: RuntimeConfig): Promise<readonly unknown[]> {
  try {
    const { body } = await readJsonBody(event, async () => config);
    return validateTrackingBatch(body);
  } catch (error) {
    if (error instanceof HttpError) count(METRIC.REJECTED);
    throw error;
  }
}

/**
 * Puts every valid event once, conditionally. An update repeating an earlier
 * update's (tracking_id, event_id) in the same batch is not written again: it is a
 * duplicate of that one (or shares its fate when that one could not be stored),
 * decided by request order, not by which of two concurrent puts landed first.
 */
async function storeEvents(outcomes: Outcome[], deadline: number): Promise<void> {
  const firstOf = new Map<string, number>();
  const repeats: Array<{ index: number; of: number }> = [];
  const writes: number[] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome.result === 'invalid') return;
    const identity = `${outcome.event.tracking_id}\n${outcome.event.event_id}`;
    const first = firstOf.get(identity);
    if (first === undefined) {
      firstOf.set(identity, index);
      writes.push(index);
    } else {
      repeats.push({ index, of: first });
    }
  });

  const settled = await settleWithRetries(writes, (index) => repository.putEvent(eventOf(outcomes[index])), settleOptions(deadline));
  settled.forEach((put, position) => {
    const index = writes[position];
    const sent = eventOf(outcomes[index]);
    if (put.ok) {
      outcomes[index] = { result: put.value.duplicate ? 'duplicate' : 'accepted', event: put.value.event };
    } else if (isTransientError(put.error)) {
      outcomes[index] = { result: 'unavailable', event: sent };
    } else {
      // One update's bug must not abandon the others half-done: answered for it alone.
      logger.error('unexpected error storing a batch update', { tracking_id: sent.tracking_id, event_id: sent.event_id, cause: put.error });
      outcomes[index] = { result: 'failed', event: sent };
    }
  });
  for (const { index, of } of repeats) {
    const first = outcomes[of] as EventOutcome;
    // A repeat shares the fate of the first: stored (so a duplicate), or not yet.
    const stored = first.result === 'accepted' || first.result === 'duplicate';
    outcomes[index] = { result: stored ? 'duplicate' : first.result, event: first.event };
  }
}

/**
 * One conditional state update per shipment, from its stored and duplicate events
 * (a duplicate still gets applied: it repairs a state a half-done earlier request
 * left behind). When a shipment's state cannot be written, its updates are answered
 * "retry" even though their events are stored: history and state only agree after
 * the retry, which finds them as duplicates and applies them.
 */
async function applyStates(outcomes: Outcome[], deadline: number): Promise<void> {
  const shipments = new Map<string, { events: EventRecord[]; indexes: number[] }>();
  outcomes.forEach((outcome, index) => {
    if (outcome.result !== 'accepted' && outcome.result !== 'duplicate') return;
    const shipment = shipments.get(outcome.event.tracking_id) ?? { events: [], indexes: [] };
    shipment.events.push(outcome.event);
    shipment.indexes.push(index);
    shipments.set(outcome.event.tracking_id, shipment);
  });

  const groups = [...shipments.values()];
  const settled = await settleWithRetries(groups, (group) => repository.applyToState(group.events), settleOptions(deadline));
  settled.forEach((applied, position) => {
    const group = groups[position];
    if (applied.ok) {
      logger.debug('shipment state applied', { tracking_id: group.events[0].tracking_id, state: applied.value });
      return;
    }
    const unavailable = isTransientError(applied.error);
    if (!unavailable) {
      logger.error('unexpected error applying batch updates to a shipment', { tracking_id: group.events[0].tracking_id, cause: applied.error });
    }
    for (const index of group.indexes) {
      outcomes[index] = { result: unavailable ? 'unavailable' : 'failed', event: eventOf(outcomes[index]) };
    }
  });
}

/** 200 with one result per update in request order; 503 when every update was answered "retry". */
function respond(outcomes: readonly Outcome[]): APIGatewayProxyResult {
  const tally = { valid: 0, accepted: 0, duplicate: 0, invalid: 0, unavailable: 0, failed: 0 };
  for (const outcome of outcomes) tally[outcome.result]++;
  if (tally.accepted > 0) count(METRIC.ACCEPTED, tally.accepted);
  if (tally.duplicate > 0) count(METRIC.DUPLICATE, tally.duplicate);
  if (tally.invalid > 0) count(METRIC.REJECTED, tally.invalid);
  if (tally.unavailable > 0) count(METRIC.DEPENDENCY_UNAVAILABLE, tally.unavailable);
  if (tally.failed > 0) count(METRIC.FAILED, tally.failed);
  logger.info('tracking batch recorded', {
    updates: outcomes.length,
    accepted: tally.accepted,
    duplicate: tally.duplicate,
    invalid: tally.invalid,
    unavailable: tally.unavailable,
    failed: tally.failed,
  });

  const results = outcomes.map(toResult);
  // The 503 still carries every result: each update's event_id (the server's ULID
  // when the client sent none) is what a safe retry must resend.
  if (tally.unavailable === outcomes.length) throw serviceUnavailable({ results });
  return jsonResponse(200, { results });
}

function eventOf(outcome: Outcome): EventRecord {
  if (outcome.result === 'invalid') throw new Error('an invalid update has no event');
  return outcome.event;
}

function toResult(outcome: Outcome, index: number): Record<string, unknown> {
  if (outcome.result === 'invalid') {
    const details: readonly ErrorDetail[] | undefined = outcome.error.details;
    return {
      index,
      tracking_id: typeof outcome.tracking_id === 'string' ? outcome.tracking_id : null,
      event_id: typeof outcome.event_id === 'string' ? outcome.event_id : null,
      result: 'rejected',
      error: outcome.error.message,
      ...(details ? { details } : {}),
    };
  }
  const { tracking_id, event_id } = outcome.event;
  // An unavailable update carries the event_id it was (or would have been) stored
  // under, the server's ULID included: resending it with that id cannot store it twice.
  if (outcome.result === 'unavailable') return { index, tracking_id, event_id, result: 'rejected', error: UNAVAILABLE };
  if (outcome.result === 'failed') return { index, tracking_id, event_id, result: 'rejected', error: 'internal error' };
  return { index, tracking_id, event_id, result: outcome.result };
}
