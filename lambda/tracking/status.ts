import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { cursors } from './cursor';
import { ErrorDetail, HttpError, jsonResponse } from './http';
import type { EventRecord } from './items';
import { readLimit } from './page-limit';
import type { HistoryPageKey } from './pages';
import { repository } from './repository';
import { currentStateView } from './state-view';
import { ENHANCED_FIELDS, TRACKING_ID_PATTERN } from '../../src/contract/request-schema';
import { ROUTES } from '../../src/contract/routes';

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
    current: currentStateView(state),
    updates,
    count: updates.length,
    next_cursor: history.nextKey ? cursors.encode(cursorQuery(trackingId), history.nextKey) : null,
  });
}

/** A history cursor continues this route for this shipment only. */
const cursorQuery = (trackingId: string) => ({ route: ROUTES.status.path, scope: trackingId });

function readQuery(event: APIGatewayProxyEvent): { trackingId: string; limit: number; startKey?: HistoryPageKey } {
  const query = event.queryStringParameters ?? {};
  const details: ErrorDetail[] = [];

  const trackingId = query.tracking_id;
  if (trackingId === undefined || trackingId === '') {
    details.push({ path: '/tracking_id', message: 'is required' });
  } else if (!TRACKING_ID.test(trackingId)) {
    details.push({ path: '/tracking_id', message: 'must be 1-100 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"' });
  }

  const limit = readLimit(query.limit, details);

  let startKey: HistoryPageKey | undefined;
  const cursor = query.cursor;
  // Whose cursor it is can only be checked against a valid tracking id.
  if (cursor !== undefined && trackingId !== undefined && TRACKING_ID.test(trackingId)) {
    const decoded = cursors.decode(
      cursor,
      { ...cursorQuery(trackingId), scopeMismatch: 'belongs to another shipment' },
      // Defense in depth behind the signature: the key must be one of this shipment's history keys.
      (key): key is HistoryPageKey => repository.isHistoryPageKey(trackingId, key),
    );
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
