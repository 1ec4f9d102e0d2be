import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { cursors } from './cursor';
import { ErrorDetail, HttpError, jsonResponse } from './http';
import { readLimit } from './page-limit';
import type { StatusShardPosition, StatusSinceRange } from './pages';
import { repository } from './repository';
import { currentStateView } from './state-view';
import { parseRfc3339, toIsoMillis } from './time';
import { ROUTES } from '../../src/contract/routes';
import { normalizeStatus, STATUS_ALIASES, TRACKING_STATUSES } from '../../src/contract/statuses';

const ACCEPTED_STATUSES = [...TRACKING_STATUSES, ...Object.keys(STATUS_ALIASES)];

/**
 * GET /shipments?status=S[&updated_before=T][&updated_after=T]: the shipments whose
 * current status is S, those that took it most recently first, from the sharded
 * status index — with `updated_before` / `updated_after`, only those whose
 * `status_since` (when they took S) is strictly before / after T: "in transit,
 * and not moved for five days" is the stall sweep's own query. See
 * repository.listByStatus for how pages fan out over the shards, and why a live
 * listing can repeat or miss a shipment that changes status between pages.
 */
export async function getShipments(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const { status, range, limit, positions } = readQuery(event);
  const page = await repository.listByStatus(status, limit, positions, range);
  return jsonResponse(200, {
    status,
    shipments: page.shipments.map((state) => ({ tracking_id: state.tracking_id, ...currentStateView(state) })),
    next_cursor: page.nextPositions ? cursors.encode(cursorQuery(status, range), page.nextPositions) : null,
  });
}

/**
 * A status cursor continues this route for this (stored) status and time range
 * only: `failed` and `exception` share one; another range needs a first page.
 */
const cursorQuery = (status: string, range: StatusSinceRange) => ({
  route: ROUTES.shipments.path,
  scope: range.before === undefined && range.after === undefined ? status : `${status}|${range.before ?? ''}|${range.after ?? ''}`,
});

/** The bounds of the range, parsed (RFC 3339) and normalized to UTC ISO with ms, as status_since is stored. */
const RANGE_PARAMETERS = { before: 'updated_before', after: 'updated_after' } as const;

function readRange(query: Record<string, string | undefined>, details: ErrorDetail[]): StatusSinceRange {
  const range: { before?: string; after?: string } = {};
  for (const [bound, name] of Object.entries(RANGE_PARAMETERS) as ['before' | 'after', string][]) {
    const text = query[name];
    if (text === undefined) continue;
    const millis = parseRfc3339(text);
    if (millis === undefined) details.push({ path: `/${name}`, message: 'must be an RFC 3339 date-time, e.g. 2026-11-26T10:15:00Z' });
    else range[bound] = toIsoMillis(millis);
  }
  if (range.before !== undefined && range.after !== undefined && range.after >= range.before) {
    details.push({ path: `/${RANGE_PARAMETERS.after}`, message: `must be earlier than ${RANGE_PARAMETERS.before}` });
  }
  return range;
}

function readQuery(event: APIGatewayProxyEvent): { status: string; range: StatusSinceRange; limit: number; positions?: StatusShardPosition[] } {
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

  const range = readRange(query, details);
  const limit = readLimit(query.limit, details);

  let positions: StatusShardPosition[] | undefined;
  // Whose cursor it is can only be checked against a valid status.
  if (query.cursor !== undefined && status !== undefined) {
    const decoded = cursors.decode(
      query.cursor,
      { ...cursorQuery(status, range), scopeMismatch: 'belongs to another status or time range' },
      // Defense in depth behind the signature: one well-formed position per shard.
      (key): key is StatusShardPosition[] => repository.isStatusPagePositions(key),
    );
    if (decoded.ok) positions = decoded.key;
    else details.push({ path: '/cursor', message: decoded.message });
  }

  if (details.length > 0) throw new HttpError(400, 'invalid query parameters', { details });
  return { status: status!, range, limit, positions };
}
