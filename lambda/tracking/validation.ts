import type { ErrorObject } from 'ajv';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import validateBatchSchema from './generated/validate-tracking-batch';
import validateSchema from './generated/validate-tracking-update';
import { ErrorDetail, HttpError, header } from './http';
import { escapePointer, unstorableValues } from './storable';
import { parseRfc3339, toIsoMillis } from './time';
import {
  ENHANCED_FIELDS,
  MAX_JSON_DEPTH,
  MAX_METADATA_BYTES,
  RFC3339_PATTERN,
} from '../../src/contract/request-schema';
import { MAX_MAX_REQUEST_BYTES, type FeatureFlagsDocument } from '../../src/contract/runtime-config';
import { normalizeStatus } from '../../src/contract/statuses';
import type { RuntimeConfig } from '../shared/config';

/**
 * An event_time this far ahead of the receive time is refused: the state item only
 * moves forward in event time, so a far-future event would pin the shipment's
 * current status until that time. One hour absorbs scanner clock skew.
 */
export const MAX_EVENT_TIME_AHEAD_MS = 60 * 60 * 1000;

/**
 * Earliest accepted event_time. History keys sort as ISO-8601 strings, which only
 * holds for four-digit years; nothing was scanned before 1970 either.
 */
const EARLIEST_EVENT_TIME_MS = 0;

/** A tracking update that passed every check; `status` is normalized, `event_time` is UTC ISO with ms. */
export interface TrackingUpdate {
  readonly tracking_id: string;
  readonly status: string;
  readonly location: { readonly lat: number; readonly lng: number };
  readonly event_time: string;
  readonly event_id?: string;
  readonly metadata?: Record<string, unknown>;
  readonly sub_status?: string;
  readonly message?: string;
  readonly eta?: string;
  readonly address?: Record<string, string>;
}

/** The raw request body. */
export interface RequestBody {
  readonly text: string;
  readonly bytes: number;
}

/** 415 unless the Content-Type is absent or a JSON media type (`application/json`, `application/*+json`). */
export function requireJsonContentType(event: APIGatewayProxyEvent): void {
  const contentType = header(event, 'content-type');
  if (contentType === undefined || contentType.trim() === '') return;
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) return;
  throw new HttpError(415, 'Content-Type must be application/json');
}

/** The body as text, and its size in bytes as received (base64 decoded when API Gateway encoded it). */
export function decodeBody(event: APIGatewayProxyEvent): RequestBody {
  const raw = event.body ?? '';
  if (event.isBase64Encoded) {
    const buffer = Buffer.from(raw, 'base64');
    return { text: buffer.toString('utf8'), bytes: buffer.length };
  }
  return { text: raw, bytes: Buffer.byteLength(raw, 'utf8') };
}

/** 413 when the body is larger than the configured limit. */
export function requireBodyWithin(body: RequestBody, maxBytes: number): void {
  if (body.bytes > maxBytes) {
    throw new HttpError(413, `request body is ${body.bytes} bytes; the limit is ${maxBytes} bytes`);
  }
}

/** The outcome of parsing, kept as a value so parsing can run before the size limit is known. */
export type ParsedJson = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: HttpError };

/** Parses JSON and refuses nesting deeper than DynamoDB can store (see MAX_JSON_DEPTH). Never throws. */
export function parseJsonBody(text: string): ParsedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: new HttpError(400, 'request body is not valid JSON') };
  }
  const tooDeep = firstTooDeep(value, MAX_JSON_DEPTH);
  if (tooDeep !== undefined) {
    return {
      ok: false,
      error: new HttpError(400, `request body nests deeper than ${MAX_JSON_DEPTH} levels`, {
        details: [{ path: tooDeep, message: `is an object or array at level ${MAX_JSON_DEPTH + 1}; at most ${MAX_JSON_DEPTH} levels are allowed` }],
      }),
    };
  }
  return { ok: true, value };
}

/**
 * The JSON pointer of the first object or array nested more than `maxDepth` levels
 * (the top-level value is level 1), or undefined. Iterative: no stack overflow.
 */
function firstTooDeep(root: unknown, maxDepth: number): string | undefined {
  const pending: Array<{ value: unknown; depth: number; path: string }> = [{ value: root, depth: 1, path: '' }];
  while (pending.length > 0) {
    const { value, depth, path } = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return path;
    for (const [key, child] of Object.entries(value)) pending.push({ value: child, depth: depth + 1, path: `${path}/${escapePointer(key)}` });
  }
  return undefined;
}

/**
 * Reads a JSON request body with the checks in contract order: 415, 413, invalid
 * JSON / too deep. `loadConfig` (the size limit, and the flags for what follows)
 * is called after the 415 check, so a wrong Content-Type never waits for SSM, and
 * parsing runs while SSM answers; the results are still applied in contract order.
 */
export async function readJsonBody(event: APIGatewayProxyEvent, loadConfig: () => Promise<RuntimeConfig>): Promise<{
  readonly body: unknown;
  /** The configuration the request was checked with. */
  readonly config: RuntimeConfig;
}> {
  requireJsonContentType(event);
  const configured = loadConfig();
  const body = decodeBody(event);
  // Beyond the largest limit any config may set, the answer is 413 anyway: don't parse it.
  const parsedAhead = body.bytes <= MAX_MAX_REQUEST_BYTES ? parseJsonBody(body.text) : undefined;
  const config = await configured;
  requireBodyWithin(body, config.api.max_request_bytes);
  const parsed = parsedAhead ?? parseJsonBody(body.text);
  if (!parsed.ok) throw parsed.error;
  return { body: parsed.value, config };
}

/**
 * The updates of a `POST /track/batch` body, after checking the envelope against
 * TRACKING_BATCH_SCHEMA (the API Gateway model of the route): 1–100 objects. The
 * updates themselves are checked one by one with {@link validateTrackingUpdate}.
 */
export function validateTrackingBatch(body: unknown): readonly unknown[] {
  if (!validateBatchSchema(body)) {
    throw new HttpError(400, 'invalid batch', { details: (validateBatchSchema.errors ?? []).map(toDetail) });
  }
  return (body as { updates: unknown[] }).updates;
}

/**
 * Checks a parsed body against the contract schema and the rules a schema cannot
 * express, and answers 400 naming every offending field at once. An update without
 * event_time takes `defaultEventTime` (the receive time, unless a batch says otherwise).
 */
export function validateTrackingUpdate(
  body: unknown, flags: FeatureFlagsDocument, receivedAt: number, defaultEventTime = receivedAt,
): TrackingUpdate {
  const details: ErrorDetail[] = validateSchema(body) ? [] : (validateSchema.errors ?? []).map(toDetail);
  const invalid = new Set(details.map((detail) => detail.path));
  const fields = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;

  let eventTime = defaultEventTime;
  if (typeof fields.event_time === 'string' && !invalid.has('/event_time')) {
    const parsed = parseRfc3339(fields.event_time);
    if (parsed === undefined) {
      details.push({ path: '/event_time', message: 'is not a real date-time' });
    } else if (parsed > receivedAt + MAX_EVENT_TIME_AHEAD_MS) {
      details.push({ path: '/event_time', message: 'is more than 1 hour in the future' });
    } else if (parsed < EARLIEST_EVENT_TIME_MS) {
      details.push({ path: '/event_time', message: 'is before 1970-01-01T00:00:00Z' });
    } else {
      eventTime = parsed;
    }
  }
  if (typeof fields.eta === 'string' && !invalid.has('/eta') && parseRfc3339(fields.eta) === undefined) {
    details.push({ path: '/eta', message: 'is not a real date-time' });
  }
  if (typeof fields.metadata === 'object' && fields.metadata !== null && !invalid.has('/metadata')) {
    const bytes = Buffer.byteLength(JSON.stringify(fields.metadata), 'utf8');
    if (bytes > MAX_METADATA_BYTES) {
      details.push({ path: '/metadata', message: `is ${bytes} bytes serialized; at most ${MAX_METADATA_BYTES} bytes are allowed` });
    }
  }
  // What the schema lets through but DynamoDB cannot store (storable.ts), where the schema found nothing.
  for (const detail of unstorableValues(fields)) {
    if (![...invalid].some((path) => detail.path === path || detail.path.startsWith(`${path}/`))) details.push(detail);
  }
  if (!flags.enhanced_tracking) {
    for (const field of ENHANCED_FIELDS) {
      if (fields[field] !== undefined) {
        details.push({ path: `/${field}`, message: 'is not accepted: the enhanced_tracking feature is disabled' });
      }
    }
  }

  if (details.length > 0) throw new HttpError(400, 'invalid tracking update', { details });

  const update = fields as unknown as TrackingUpdate;
  return { ...update, status: normalizeStatus(update.status), event_time: toIsoMillis(eventTime) };
}

/** One ajv error as `{path, message}`, the path being the JSON pointer of the offending field itself. */
function toDetail(error: ErrorObject): ErrorDetail {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: `${error.instancePath}/${escapePointer(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${error.instancePath}/${escapePointer(String(params.additionalProperty))}`, message: 'is not an allowed field' };
    case 'enum':
      return { path: pathOf(error), message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'pattern':
      if (params.pattern === RFC3339_PATTERN) {
        return { path: pathOf(error), message: 'must be an RFC 3339 date-time with an offset, e.g. 2026-11-26T10:15:00Z' };
      }
      return { path: pathOf(error), message: error.message ?? 'is invalid' };
    default:
      return { path: pathOf(error), message: error.message ?? 'is invalid' };
  }
}

function pathOf(error: ErrorObject): string {
  return error.instancePath === '' ? '/' : error.instancePath;
}
