/**
 * Opaque page cursors: base64url of `{"v":1,"t":<tracking_id>,"k":<page key>}`.
 * Not signed — a client can forge one — so decoding checks everything a forged
 * or stale cursor could get wrong, and the caller answers 400, never a 500: the
 * version, that it belongs to the requested shipment, and (through `isKey`) that
 * the key has the shape of one of this shipment's page keys.
 */
const CURSOR_VERSION = 1;

/** Generous for three short key attributes; longer input is refused before decoding. */
const MAX_CURSOR_LENGTH = 2048;

export type DecodedCursor<K> = { readonly ok: true; readonly key: K } | { readonly ok: false; readonly message: string };

export function encodeCursor(trackingId: string, key: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, t: trackingId, k: key }), 'utf8').toString('base64url');
}

export function decodeCursor<K>(cursor: string, trackingId: string, isKey: (key: unknown) => key is K): DecodedCursor<K> {
  const invalid = { ok: false, message: 'is not a valid cursor' } as const;
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  if (typeof decoded !== 'object' || decoded === null) return invalid;
  const envelope = decoded as Record<string, unknown>;
  if (envelope.v !== CURSOR_VERSION || typeof envelope.t !== 'string') return invalid;
  if (envelope.t !== trackingId) return { ok: false, message: 'belongs to another shipment' };
  return isKey(envelope.k) ? { ok: true, key: envelope.k } : invalid;
}
