import { createHmac, timingSafeEqual } from 'node:crypto';
import { ENV } from '../../src/contract/runtime-config';

/**
 * Opaque, tamper-evident page cursors, shared by every paged route.
 *
 * A cursor is base64url of `<payload JSON><HMAC-SHA256 of the payload>`; the
 * payload is `{"v":2,"r":<route>,"q":<query scope>,"k":<page position>}`. The
 * MAC is checked first, so nothing a client made up is ever looked at: a cursor
 * that was altered, truncated or signed with another key is simply "not a valid
 * cursor". Route and scope (the tracking_id or the status) are inside the signed
 * payload, so a cursor only continues the query it came from — but not the page
 * size: a client may change `limit` between pages. After the MAC, the caller's
 * `isKey` still checks the shape of the position as defense in depth (a leaked
 * key, or a bug in an older version that signed something wrong).
 *
 * Every failure is a value the route answers with 400 on `/cursor`, never a throw.
 */
const CURSOR_VERSION = 2;
const MAC_BYTES = 32;

/**
 * Longest cursor accepted; longer input is refused before decoding. The largest
 * real one is a status-index cursor: one 125-character sort key per shard (8 by
 * default) — about 1.6 kB encoded; 4 kB leaves room for 16 shards.
 */
const MAX_CURSOR_LENGTH = 4096;

/**
 * Used when CURSOR_KEY is unset — unit tests and local runs. The construct always
 * sets CURSOR_KEY (the stack id), so deployed cursors are signed with a key that
 * is not in this source; with this fallback a cursor is still checked for damage
 * and for the query it belongs to, but anyone who reads this file could forge one.
 */
const DEVELOPMENT_KEY = 'logistics-tracking-api/development-cursor-key';

/** Which query a cursor continues: the route's path and what it is scoped to (a tracking id, a status). */
export interface CursorQuery {
  readonly route: string;
  readonly scope: string;
}

export type DecodedCursor<K> = { readonly ok: true; readonly key: K } | { readonly ok: false; readonly message: string };

export class CursorCodec {
  constructor(private readonly key: string) {}

  public encode(query: CursorQuery, position: unknown): string {
    const payload = Buffer.from(JSON.stringify({ v: CURSOR_VERSION, r: query.route, q: query.scope, k: position }), 'utf8');
    return Buffer.concat([payload, this.mac(payload)]).toString('base64url');
  }

  /**
   * The position in `cursor` when it was issued (signed with this key) for `query`
   * and `isKey` accepts it. `scopeMismatch` is the message for a cursor of the same
   * route and another scope ("belongs to another shipment").
   */
  public decode<K>(cursor: string, query: CursorQuery & { readonly scopeMismatch: string }, isKey: (key: unknown) => key is K): DecodedCursor<K> {
    const invalid = { ok: false, message: 'is not a valid cursor' } as const;
    if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return invalid;
    const bytes = Buffer.from(cursor, 'base64url');
    // Node ignores stray trailing bits; only the canonical encoding is ours, so any
    // changed character is refused, not silently read as the same bytes.
    if (bytes.length <= MAC_BYTES || bytes.toString('base64url') !== cursor) return invalid;
    const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
    if (!timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), this.mac(payload))) return invalid;

    let decoded: unknown;
    try {
      decoded = JSON.parse(payload.toString('utf8'));
    } catch {
      return invalid;
    }
    if (typeof decoded !== 'object' || decoded === null) return invalid;
    const envelope = decoded as Record<string, unknown>;
    if (envelope.v !== CURSOR_VERSION) return invalid;
    if (envelope.r !== query.route) return { ok: false, message: 'belongs to another route' };
    if (envelope.q !== query.scope) return { ok: false, message: query.scopeMismatch };
    return isKey(envelope.k) ? { ok: true, key: envelope.k } : invalid;
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}

/** The cursor codec keyed from CURSOR_KEY, else the development key. */
export function cursorCodecFromEnvironment(env: NodeJS.ProcessEnv): CursorCodec {
  return new CursorCodec(env[ENV.CURSOR_KEY] || DEVELOPMENT_KEY);
}

/** The function's cursor codec, shared by every route and invocation. */
export const cursors = cursorCodecFromEnvironment(process.env);
