import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { postTrackBatch } from './batch';
import { withDeadline } from './deadline';
import { deleteShipment } from './delete-shipment';
import { errorResponse, HttpError, serviceUnavailable } from './http';
import { count, METRIC } from './observability';
import { getShipments } from './shipments';
import { getStatus } from './status';
import { postTrack } from './track';
import { ROUTES as CONTRACT_ROUTES } from '../../src/contract/routes';
import { isTransientError } from '../shared/aws-errors';
import { logger, metrics, startInvocationLog } from '../shared/observability';

/**
 * The tracking API's Lambda handler (API Gateway REST, proxy integration): routes
 * the request and maps every error to a response in one place.
 */

type Route = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * Each of the contract's routes (the same table the construct builds the API
 * from) with its implementation; the compiler refuses a contract route without one.
 */
const IMPLEMENTATIONS: Record<keyof typeof CONTRACT_ROUTES, Route> = {
  track: postTrack,
  status: getStatus,
  trackBatch: postTrackBatch,
  shipments: getShipments,
  eraseShipment: deleteShipment,
};

/** path → method → implementation. */
const ROUTES: ReadonlyMap<string, ReadonlyMap<string, Route>> = (() => {
  const routes = new Map<string, Map<string, Route>>();
  for (const [name, { path, method }] of Object.entries(CONTRACT_ROUTES)) {
    if (!routes.has(path)) routes.set(path, new Map());
    routes.get(path)!.set(method, IMPLEMENTATIONS[name as keyof typeof CONTRACT_ROUTES]);
  }
  return routes;
})();

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  startInvocationLog(context, event.requestContext?.requestId);
  try {
    // Every DynamoDB call of the request gives up in time for the 503 to beat the function timeout.
    return await withDeadline(context.getRemainingTimeInMillis(), () => route(event)(event));
  } catch (error) {
    return toErrorResponse(error);
  } finally {
    // Nothing counted (e.g. a GET) would only log Powertools' "no metrics" warning.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}

function route(event: APIGatewayProxyEvent): Route {
  // `resource` is the API Gateway resource path (no stage, no path parameters
  // filled in); `path` serves when the function is invoked without one.
  const methods = ROUTES.get(event.resource) ?? ROUTES.get(event.path);
  if (!methods) throw new HttpError(404, 'not found');
  const method = methods.get(String(event.httpMethod).toUpperCase());
  if (!method) {
    throw new HttpError(405, 'method not allowed', { headers: { Allow: [...methods.keys()].join(', ') } });
  }
  return method;
}

/** The one place an error becomes a response. The client never sees a stack trace or an internal message. */
function toErrorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof HttpError) {
    logger.info('request refused', { status: error.status, error: error.message, details: error.details });
    return errorResponse(error);
  }
  if (isTransientError(error)) {
    logger.warn('DynamoDB unavailable', { cause: error });
    count(METRIC.DEPENDENCY_UNAVAILABLE);
    return errorResponse(serviceUnavailable());
  }
  logger.error('unexpected error', { cause: error });
  return errorResponse(new HttpError(500, 'internal error'));
}
