import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { cursors } from './cursor';
import { ErrorDetail, HttpError, jsonResponse } from './http';
import { readLimit } from './page-limit';
import type { StatusShardPosition } from './pages';
import { repository } from './repository';
import { currentStateView } from './state-view';
import { ROUTES } from '../../src/contract/routes';
import { normalizeStatus, STATUS_ALIASES, TRACKING_STATUSES } from '../../src/contract/statuses';

const ACCEPTED_STATUSES = [...TRACKING_STATUSES, ...Object.keys(STATUS_ALIASES)];

/**
 * GET /shipments?status=S: the shipments whose current status is S, most recently
 * updated first, from the sharded status index (see repository.listByStatus for
 * how pages fan out over the shards, and why a live listing can repeat or miss a
 * shipment that changes status between pages).
 */
export async function getShipments(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const { status, limit, positions } = readQuery(event);
  const page = await repository.listByStatus(status, limit, positions);
  return jsonResponse(200, {
    status,
    shipments: page.shipments.map((state) => ({ tracking_id: state.tracking_id, ...currentStateView(state) })),
    next_cursor: page.nextPositions ? cursors.encode(cursorQuery(status), page.nextPositions) : null,
  });
}

/** A status cursor continues this route for this (stored) status only: `failed` and `exception` share one. */
const cursorQuery = (status: string) => ({ route: ROUTES.shipments.path, scope: status });

function readQuery(event: APIGatewayProxyEvent): { status: string; limit: number; positions?: StatusShardPosition[] } {
  const query = event.queryStringParameters ?? {};
  const details: ErrorDetail[] = [];

  const requested = query.status;
  let status: string | undefined;
  if (requested === undefined || requested === '') {
    details.push({ path: '/status', message: 'is required' });
  } else if (!ACCEPTED_STATUSES.includes(requested)) {
    details.push({ path: '/status', message: `must be one of: ${ACCEPTED_STATUSES.join(', ')}` });
  } else {
    status = normalizeStatus(requested);
  }

  const limit = readLimit(query.limit, details);

  let positions: StatusShardPosition[] | undefined;
  // Whose cursor it is can only be checked against a valid status.
  if (query.cursor !== undefined && status !== undefined) {
    const decoded = cursors.decode(
      query.cursor,
      { ...cursorQuery(status), scopeMismatch: 'belongs to another status' },
      // Defense in depth behind the signature: one well-formed position per shard.
      (key): key is StatusShardPosition[] => repository.isStatusPagePositions(key),
    );
    if (decoded.ok) positions = decoded.key;
    else details.push({ path: '/cursor', message: decoded.message });
  }

  if (details.length > 0) throw new HttpError(400, 'invalid query parameters', { details });
  return { status: status!, limit, positions };
}
