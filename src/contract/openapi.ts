import { TRACKING_BATCH_SCHEMA, TRACKING_ID_PATTERN, TRACKING_UPDATE_SCHEMA } from './request-schema';
import { ROUTES } from './routes';
import { TRACKING_STATUSES, STATUS_ALIASES } from './statuses';

/**
 * The API's OpenAPI 3 document, built from the same request schemas the API
 * Gateway models carry and the handler enforces (draft-04 keywords are a
 * subset of OpenAPI 3.0 schema objects, so only `$schema` and `title` go).
 * `npx projen bundle` writes it to assets/openapi/openapi.json, which ships in
 * the package; the local runtime serves it.
 */
export function buildOpenApiDocument(): Record<string, unknown> {
  const schemaOf = ({ $schema: _schema, title: _title, ...rest }: Record<string, unknown>) => rest;
  const json = (schema: unknown) => ({ 'application/json': { schema } });
  const error = (description: string) => ({ description, content: json({ $ref: '#/components/schemas/Error' }) });
  const statusParam = {
    name: 'status',
    in: 'query',
    required: true,
    schema: { type: 'string', enum: [...TRACKING_STATUSES, ...Object.keys(STATUS_ALIASES)] },
  };
  const limit = { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } };
  const cursor = { name: 'cursor', in: 'query', required: false, description: 'next_cursor of the previous page, unaltered', schema: { type: 'string' } };
  const sinceBound = (name: string, description: string) => ({
    name, in: 'query', required: false, description, schema: { type: 'string', format: 'date-time' },
  });
  const common = {
    400: error('Invalid input; `details` names every offending field'),
    403: error('Unsigned or not authorized (API Gateway)'),
    413: error('Body over the configured maximum size'),
    415: error('Body is not JSON'),
    429: error('Throttled'),
    503: {
      ...error('DynamoDB throttled or unreachable; retry later'),
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
    },
  };

  return {
    openapi: '3.0.3',
    info: {
      title: 'LogisticsTrackingApi',
      version: '1',
      description: 'Shipment tracking: ingest tracking updates, read a shipment\'s status and history, list shipments by status, erase a shipment.',
    },
    security: [{ sigv4: [] }],
    paths: {
      [ROUTES.track.path]: {
        post: {
          operationId: 'trackUpdate',
          summary: 'Record one tracking update (idempotent per tracking_id + event_id)',
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/TrackingUpdate' }) },
          responses: { 200: { description: 'Recorded, or a duplicate of a recorded event', content: json({ $ref: '#/components/schemas/TrackResult' }) }, ...common },
        },
      },
      [ROUTES.trackBatch.path]: {
        post: {
          operationId: 'trackBatch',
          summary: 'Record up to 100 tracking updates (feature flag batch_processing)',
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/TrackingBatch' }) },
          responses: {
            200: { description: 'One result per update, in request order', content: json({ $ref: '#/components/schemas/BatchResult' }) },
            404: error('Batch processing is disabled'),
            ...common,
          },
        },
      },
      [ROUTES.status.path]: {
        get: {
          operationId: 'getStatus',
          summary: 'A shipment\'s current state and its history, newest first',
          parameters: [{ name: 'tracking_id', in: 'query', required: true, schema: { type: 'string', pattern: TRACKING_ID_PATTERN } }, limit, cursor],
          responses: { 200: { description: 'The shipment', content: json({ type: 'object' }) }, 404: error('Unknown shipment'), ...common },
        },
      },
      [ROUTES.shipments.path]: {
        get: {
          operationId: 'listShipments',
          summary: 'Shipments whose current status is `status`, those that took it most recently first',
          parameters: [
            statusParam,
            sinceBound('updated_before', 'Only shipments that took `status` before this time (RFC 3339): "not moved since"'),
            sinceBound('updated_after', 'Only shipments that took `status` after this time (RFC 3339)'),
            limit,
            cursor,
          ],
          responses: { 200: { description: 'A page of shipments', content: json({ type: 'object' }) }, ...common },
        },
      },
      [ROUTES.eraseShipment.path]: {
        delete: {
          operationId: 'deleteShipment',
          summary: 'Erase every item of a shipment: its events, its state and what is derived from them',
          parameters: [{ name: 'tracking_id', in: 'path', required: true, schema: { type: 'string', pattern: TRACKING_ID_PATTERN } }],
          responses: {
            200: { description: 'Erased', content: json({ $ref: '#/components/schemas/DeleteResult' }) },
            404: error('Unknown shipment, or erased already'),
            ...common,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        sigv4: {
          'type': 'apiKey',
          'name': 'Authorization',
          'in': 'header',
          'x-amazon-apigateway-authtype': 'awsSigv4',
          'description': 'AWS Signature Version 4, service execute-api',
        },
      },
      schemas: {
        TrackingUpdate: schemaOf(TRACKING_UPDATE_SCHEMA),
        TrackingBatch: {
          ...schemaOf(TRACKING_BATCH_SCHEMA),
          properties: {
            updates: { ...TRACKING_BATCH_SCHEMA.properties.updates, items: { $ref: '#/components/schemas/TrackingUpdate' } },
          },
        },
        TrackResult: {
          type: 'object',
          required: ['message', 'tracking_id', 'timestamp', 'event_id', 'status', 'duplicate'],
          properties: {
            message: { type: 'string' },
            tracking_id: { type: 'string' },
            timestamp: { type: 'string' },
            event_id: { type: 'string' },
            status: { type: 'string' },
            duplicate: { type: 'boolean' },
          },
        },
        BatchResult: {
          type: 'object',
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  index: { type: 'integer' },
                  tracking_id: { type: 'string' },
                  event_id: { type: 'string' },
                  result: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] },
                  error: { type: 'string' },
                },
              },
            },
          },
        },
        DeleteResult: {
          type: 'object',
          required: ['message', 'tracking_id', 'deleted_items'],
          properties: {
            message: { type: 'string' },
            tracking_id: { type: 'string' },
            deleted_items: { type: 'integer', description: 'Items deleted: the events, the state and the delivery record' },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: { type: 'string' },
            details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
}
