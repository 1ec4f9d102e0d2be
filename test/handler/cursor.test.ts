import { createHmac } from 'node:crypto';
import { CursorCodec, cursorCodecFromEnvironment } from '../../lambda/tracking/cursor';

const QUERY = { route: '/status', scope: 'PKG-1' };
const EXPECTED = { ...QUERY, scopeMismatch: 'belongs to another shipment' };
const anyKey = (_key: unknown): _key is unknown => true;
const codec = new CursorCodec('stack-id-1');

describe('cursor codec', () => {
  test('round-trips a position through an opaque base64url token', () => {
    const cursor = codec.encode(QUERY, { a: 'b' });

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode(cursor, EXPECTED, anyKey)).toEqual({ ok: true, key: { a: 'b' } });
  });

  test('signs with CURSOR_KEY when it is set, else with the development key', () => {
    const deployed = cursorCodecFromEnvironment({ CURSOR_KEY: 'stack-id-1' });
    const development = cursorCodecFromEnvironment({});

    expect(codec.decode(deployed.encode(QUERY, 1), EXPECTED, anyKey).ok).toBe(true);
    expect(codec.decode(development.encode(QUERY, 1), EXPECTED, anyKey)).toEqual({ ok: false, message: 'is not a valid cursor' });
    expect(development.decode(development.encode(QUERY, 1), EXPECTED, anyKey).ok).toBe(true);
  });

  test('refuses a non-canonical spelling of the same bytes (every character counts)', () => {
    // A length that leaves one byte over encodes it in two characters, the second with 4 unused bits.
    let position = '';
    while (Buffer.from(codec.encode(QUERY, position), 'base64url').length % 3 !== 1) position += 'x';
    const cursor = codec.encode(QUERY, position);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = [...alphabet]
      .map((c) => cursor.slice(0, -1) + c)
      .filter((variant) => variant !== cursor && Buffer.from(variant, 'base64url').equals(Buffer.from(cursor, 'base64url')));

    expect(sameBytes.length).toBeGreaterThan(0);
    for (const variant of sameBytes) expect(codec.decode(variant, EXPECTED, anyKey)).toEqual({ ok: false, message: 'is not a valid cursor' });
  });

  test('refuses a correctly signed payload that is not a cursor envelope', () => {
    const sign = (payload: string) => {
      const bytes = Buffer.from(payload, 'utf8');
      const mac = createHmac('sha256', 'stack-id-1').update(bytes).digest();
      return Buffer.concat([bytes, mac]).toString('base64url');
    };

    for (const payload of ['not json', 'null', '42', JSON.stringify({ v: 1, r: '/status', q: 'PKG-1', k: 1 })]) {
      expect(codec.decode(sign(payload), EXPECTED, anyKey)).toEqual({ ok: false, message: 'is not a valid cursor' });
    }
    expect(codec.decode(sign(JSON.stringify({ v: 2, r: '/status', q: 'PKG-1', k: 1 })), EXPECTED, anyKey).ok).toBe(true);
  });

  test('refuses input too short to hold a signature', () => {
    expect(codec.decode('AAAA', EXPECTED, anyKey).ok).toBe(false);
    expect(codec.decode('', EXPECTED, anyKey).ok).toBe(false);
  });

  test('names the mismatch when the route or the scope differs', () => {
    expect(codec.decode(codec.encode({ route: '/shipments', scope: 'PKG-1' }, 1), EXPECTED, anyKey)).toEqual({ ok: false, message: 'belongs to another route' });
    expect(codec.decode(codec.encode({ route: '/status', scope: 'PKG-2' }, 1), EXPECTED, anyKey)).toEqual({ ok: false, message: 'belongs to another shipment' });
  });

  test('still lets the caller refuse the position', () => {
    const never = (_key: unknown): _key is never => false;

    expect(codec.decode(codec.encode(QUERY, 1), EXPECTED, never)).toEqual({ ok: false, message: 'is not a valid cursor' });
  });
});
