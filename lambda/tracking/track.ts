import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { toEventRecord } from './event-records';
import { HttpError, jsonResponse, serviceUnavailable } from './http';
import type { EventRecord } from './items';
import { count, METRIC } from './observability';
import { repository } from './repository';
import type { StateChange } from './state-write';
import { readJsonBody, TrackingUpdate, validateTrackingUpdate } from './validation';
import { isTransientError } from '../shared/aws-errors';
import { runtimeConfig } from '../shared/config';
import { logger } from '../shared/observability';

/** POST /track: validate one tracking update, store it once, move the shipment's state. */
export async function postTrack(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const receivedAt = Date.now();
  const update = await readTrackingUpdate(event, receivedAt);

  const { stored, duplicate, stateChange } = await store(toEventRecord(update, receivedAt));

  count(duplicate ? METRIC.DUPLICATE : METRIC.ACCEPTED);
  logger.info('tracking update recorded', {
    tracking_id: stored.tracking_id, event_id: stored.event_id, duplicate, state: stateChange,
  });
  return jsonResponse(200, {
    message: 'Tracking update recorded',
    tracking_id: stored.tracking_id,
    timestamp: stored.event_time,
    event_id: stored.event_id,
    status: stored.status,
    duplicate,
  });
}

/**
 * Stores the event once and applies it to the state. New or duplicate, the stored
 * event is applied: a retry after a half-done attempt (event written, state not)
 * repairs the state, and applying an event twice changes nothing.
 *
 * When DynamoDB is unavailable the 503 carries the event_id — the server's ULID
 * when the client sent none. The event may be stored already (the put succeeded,
 * or its answer was lost), so a retry must reuse that id: a new one would store
 * the event a second time.
 */
async function store(event: EventRecord): Promise<{ stored: EventRecord; duplicate: boolean; stateChange: StateChange }> {
  try {
    const { event: stored, duplicate } = await repository.putEvent(event);
    const stateChange = await repository.applyToState([stored]);
    return { stored, duplicate, stateChange };
  } catch (error) {
    if (!isTransientError(error)) throw error;
    logger.warn('DynamoDB unavailable', { tracking_id: event.tracking_id, event_id: event.event_id, cause: error });
    count(METRIC.DEPENDENCY_UNAVAILABLE);
    throw serviceUnavailable({ tracking_id: event.tracking_id, event_id: event.event_id });
  }
}

/**
 * The request checks, in contract order: 415, 413, invalid JSON / too deep, then
 * every field error at once. The flags come from the same config read as the size limit.
 */
async function readTrackingUpdate(event: APIGatewayProxyEvent, receivedAt: number): Promise<TrackingUpdate> {
  try {
    const { body, config } = await readJsonBody(event, () => runtimeConfig.get());
    return validateTrackingUpdate(body, config.flags, receivedAt);
  } catch (error) {
    if (error instanceof HttpError) {
      count(METRIC.REJECTED);
    }
    throw error;
  }
}
