import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { decodeCursor, encodeCursor } from './cursor';
import { ErrorDetail, HttpError, jsonResponse } from './http';
import { EventRecord, HistoryPageKey, repository } from './repository';
import { ENHANCED_FIELDS, TRACKING_ID_PATTERN } from '../../src/contract/request-schema';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;
const TRACKING_ID = new RegExp(TRACKING_ID_PATTERN);

/** GET /status: a shipment's current state and one page of its history, newest first. */
export async function getStatus(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const { trackingId, limit, startKey } = readQuery(event);

  const [state, history] = await Promise.all([
    repository.getState(trackingId),
    repository.listHistory(trackingId, limit, startKey),
  ]);
  if (!state) throw new HttpError(404, 'shipment not found');

  const updates = history.events.map(toUpdate);
  return jsonResponse(200, {
    tracking_id: trackingId,
    current: {
      status: state.status,
      location: state.location,
      timestamp: state.updated_at,
      event_id: state.last_event_id,
      first_seen_at: state.first_seen_at,
      updated_at: state.updated_at,
      version: state.version,
      ...(state.delivered_at !== undefined ? { delivered_at: state.delivered_at } : {}),
    },
    updates,
    count: updates.length,
    next_cursor: history.nextKey ? encodeCursor(trackingId, history.nextKey) : null,
  });
}

function readQuery(event: APIGatewayProxyEvent): { trackingId: string; limit: number; startKey?: HistoryPageKey } {
  const query = event.queryStringParameters ?? {};
  const details: ErrorDetail[] = [];

  const trackingId = query.tracking_id;
  if (trackingId === undefined || trackingId === '') {
    details.push({ path: '/tracking_id', message: 'is required' });
  } else if (!TRACKING_ID.test(trackingId)) {
    details.push({ path: '/tracking_id', message: 'must be 1-100 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"' });
  }

  let limit = DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    limit = /^[0-9]{1,3}$/.test(query.limit) ? Number(query.limit) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      details.push({ path: '/limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
    }
  }

  let startKey: HistoryPageKey | undefined;
  const cursor = query.cursor;
  // Whose cursor it is can only be checked against a valid tracking id.
  if (cursor !== undefined && trackingId !== undefined && TRACKING_ID.test(trackingId)) {
    const decoded = decodeCursor(cursor, trackingId, (key): key is HistoryPageKey => repository.isHistoryPageKey(trackingId, key));
    if (decoded.ok) startKey = decoded.key;
    else details.push({ path: '/cursor', message: decoded.message });
  }

  if (details.length > 0) throw new HttpError(400, 'invalid query parameters', { details });
  return { trackingId: trackingId!, limit, startKey };
}

function toUpdate(event: EventRecord): Record<string, unknown> {
  const update: Record<string, unknown> = {
    event_id: event.event_id,
    status: event.status,
    location: event.location,
    timestamp: event.event_time,
  };
  if (event.metadata !== undefined) update.metadata = event.metadata;
  const fields = event as unknown as Record<string, unknown>;
  for (const field of ENHANCED_FIELDS) {
    if (fields[field] !== undefined) update[field] = fields[field];
  }
  return update;
}
