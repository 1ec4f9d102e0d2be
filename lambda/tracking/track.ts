import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { runtimeConfig } from './config';
import { HttpError, jsonResponse } from './http';
import { count, logger, METRIC } from './observability';
import { EventRecord, repository } from './repository';
import { toIsoMillis } from './time';
import {
  decodeBody,
  parseJsonBody,
  requireBodyWithin,
  requireJsonContentType,
  TrackingUpdate,
  validateTrackingUpdate,
} from './validation';
import { MAX_MAX_REQUEST_BYTES } from '../../src/contract/runtime-config';

/** Server-assigned event ids: ULIDs, strictly increasing within this environment even in one millisecond. */
const nextEventId = monotonicFactory();

/** POST /track: validate one tracking update, store it once, move the shipment's state. */
export async function postTrack(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const receivedAt = Date.now();
  const update = await readTrackingUpdate(event, receivedAt);

  const { event: stored, duplicate } = await repository.putEvent(toEventRecord(update, receivedAt));
  // New or duplicate, apply the stored event: a retry after a half-done attempt
  // (event written, state not) repairs the state; the update is conditional, so
  // applying it again is a no-op.
  const stateChange = await repository.applyToState(stored);

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
 * every field error at once. The config fetch (the max body size and the flags)
 * starts first and parsing runs while SSM answers; the results are still applied
 * in contract order.
 */
async function readTrackingUpdate(event: APIGatewayProxyEvent, receivedAt: number): Promise<TrackingUpdate> {
  try {
    requireJsonContentType(event);
    const configured = runtimeConfig.get();
    const body = decodeBody(event);
    // Beyond the largest limit any config may set, the answer is 413 anyway: don't parse it.
    const parsedAhead = body.bytes <= MAX_MAX_REQUEST_BYTES ? parseJsonBody(body.text) : undefined;
    const config = await configured;
    requireBodyWithin(body, config.api.max_request_bytes);
    const parsed = parsedAhead ?? parseJsonBody(body.text);
    if (!parsed.ok) throw parsed.error;
    return validateTrackingUpdate(parsed.value, config.flags, receivedAt);
  } catch (error) {
    if (error instanceof HttpError) {
      count(METRIC.REJECTED);
    }
    throw error;
  }
}

function toEventRecord(update: TrackingUpdate, receivedAt: number): EventRecord {
  return {
    ...update,
    event_id: update.event_id ?? nextEventId(receivedAt),
    received_at: toIsoMillis(receivedAt),
  };
}
