import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HttpError, jsonResponse } from './http';
import { count, METRIC } from './observability';
import { repository } from './repository';
import { TRACKING_ID_PATTERN } from '../../src/contract/request-schema';
import { logger } from '../shared/observability';

const TRACKING_ID = new RegExp(TRACKING_ID_PATTERN);

/**
 * DELETE /shipments/{tracking_id}: erases every item of the shipment (erasure.ts).
 * 200 with the number of items deleted; 404 when there was nothing to delete —
 * so a second DELETE answers 404 and changes nothing, as a first one of an
 * unknown shipment does. An erasure cut short (503) left some items behind: the
 * retry finishes it and answers 200.
 */
export async function deleteShipment(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const trackingId = event.pathParameters?.tracking_id;
  if (trackingId === undefined || !TRACKING_ID.test(trackingId)) {
    throw new HttpError(400, 'invalid path parameters', {
      details: [{ path: '/tracking_id', message: 'must be 1-100 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"' }],
    });
  }
  const { deletedItems } = await repository.eraseShipment(trackingId);
  if (deletedItems === 0) throw new HttpError(404, 'shipment not found');
  count(METRIC.SHIPMENT_ERASED);
  logger.info('shipment erased', { tracking_id: trackingId, deleted_items: deletedItems });
  return jsonResponse(200, { message: 'Shipment deleted', tracking_id: trackingId, deleted_items: deletedItems });
}
