import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { runtimeConfig } from './config';
import { toEventRecord } from './event-records';
import { HttpError, jsonResponse } from './http';
import { count, logger, METRIC } from './observability';
import { repository } from './repository';
import { readJsonBody, TrackingUpdate, validateTrackingUpdate } from './validation';

/** POST /track: validate one tracking update, store it once, move the shipment's state. */
export async function postTrack(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const receivedAt = Date.now();
  const update = await readTrackingUpdate(event, receivedAt);

  const { event: stored, duplicate } = await repository.putEvent(toEventRecord(update, receivedAt));
  // New or duplicate, apply the stored event: a retry after a half-done attempt
  // (event written, state not) repairs the state; the update is conditional, so
  // applying it again is a no-op.
  const stateChange = await repository.applyToState([stored]);

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
