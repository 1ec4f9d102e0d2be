import { TRACKING_STATUSES, STATUS_ALIASES } from './statuses';

/**
 * The one source of request validation.
 *
 * The construct puts this schema into the API Gateway model of `POST /track`
 * (API Gateway models are JSON Schema draft-04; the model documents the body,
 * the handler enforces it), and the handler's validator is compiled from this
 * same object at build time. Keep it draft-04: no `const`, no boolean
 * `exclusiveMinimum`, no `format` (API Gateway does not check formats; RFC 3339
 * timestamps are a pattern here, and the handler also rejects impossible dates
 * such as February 30).
 */

/** RFC 3339 date-time with an explicit offset, e.g. `2026-11-26T10:15:00.123Z`. */
export const RFC3339_PATTERN =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$';

/** Tracking ids: 1–100 characters of `[A-Za-z0-9._:-]` (they become DynamoDB key parts). */
export const TRACKING_ID_PATTERN = '^[A-Za-z0-9._:-]{1,100}$';

/** Client idempotency keys: 1–128 visible ASCII characters. */
export const EVENT_ID_PATTERN = '^[!-~]{1,128}$';

/** Fields accepted only while the `enhanced_tracking` flag is on. */
export const ENHANCED_FIELDS: readonly string[] = ['sub_status', 'message', 'eta', 'address'];

/** Upper bound on the serialized size of `metadata`, in bytes. */
export const MAX_METADATA_BYTES = 8192;

/**
 * The deepest JSON nesting accepted. DynamoDB allows 32 levels per item and the
 * event item wraps the request one level down, so 30 leaves headroom.
 */
export const MAX_JSON_DEPTH = 30;

const boundedString = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });

/** JSON Schema (draft-04) of one tracking update: the body of `POST /track`. */
export const TRACKING_UPDATE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'TrackingUpdate',
  type: 'object',
  additionalProperties: false,
  required: ['tracking_id', 'status', 'location'],
  properties: {
    tracking_id: { type: 'string', pattern: TRACKING_ID_PATTERN },
    status: { type: 'string', enum: [...TRACKING_STATUSES, ...Object.keys(STATUS_ALIASES)] },
    location: {
      type: 'object',
      additionalProperties: false,
      required: ['lat', 'lng'],
      properties: {
        lat: { type: 'number', minimum: -90, maximum: 90 },
        lng: { type: 'number', minimum: -180, maximum: 180 },
      },
    },
    event_time: { type: 'string', pattern: RFC3339_PATTERN },
    event_id: { type: 'string', pattern: EVENT_ID_PATTERN },
    metadata: { type: 'object', maxProperties: 50 },
    sub_status: boundedString(100),
    message: boundedString(1000),
    eta: { type: 'string', pattern: RFC3339_PATTERN },
    address: {
      type: 'object',
      additionalProperties: false,
      properties: {
        line1: boundedString(200),
        line2: boundedString(200),
        city: boundedString(100),
        region: boundedString(100),
        postal_code: boundedString(20),
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
    },
  },
};

/** Most updates one `POST /track/batch` accepts. */
export const MAX_BATCH_UPDATES = 100;

/**
 * JSON Schema (draft-04) of the body of `POST /track/batch`. Only the envelope
 * is checked here, so a batch with some invalid updates passes it; the handler
 * validates each update against
 * {@link TRACKING_UPDATE_SCHEMA} and reports it as rejected without failing the rest.
 */
export const TRACKING_BATCH_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'TrackingBatch',
  type: 'object',
  additionalProperties: false,
  required: ['updates'],
  properties: {
    updates: { type: 'array', minItems: 1, maxItems: MAX_BATCH_UPDATES, items: { type: 'object' } },
  },
};
