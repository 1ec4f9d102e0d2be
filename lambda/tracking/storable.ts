import type { ErrorDetail } from './http';

/**
 * What JSON allows and the JSON schema accepts, but DynamoDB cannot store (or the
 * marshaller would mangle): found before anything is written, so such input is a
 * 400 naming the field, never a 500 after half a batch was stored.
 *
 * - Numbers DynamoDB refuses (ValidationException): magnitudes below 1e-130 (a
 *   latitude of `1e-200`) or from 1e126 (`1e300`); 0 is fine.
 * - Numbers beyond ±(2^53 − 1): JSON.parse has already rounded them to a double
 *   (a nanosecond timestamp 1732615200123456789 arrives as …456800), so storing
 *   one would store a number the client never sent — and past 2^53 a double
 *   cannot tell a rounded integer from an exact one. So they are refused, and the
 *   client sends such values as strings. (Keeping the digits needs the parser's
 *   source text, which Node's JSON.parse reviver only offers from Node 22 on.)
 *   This bound is below DynamoDB's 1e126, so it covers that limit too.
 * - Strings and keys with a lone UTF-16 surrogate (`"\ud800"`): not Unicode, not
 *   encodable as the UTF-8 DynamoDB stores.
 * - Empty object keys: DynamoDB refuses empty attribute names, at any depth.
 * - `__proto__` keys: JSON.parse makes them ordinary properties, but the marshaller
 *   builds maps by assignment, where `__proto__` sets a prototype instead — the
 *   key would vanish or fail the write.
 * - `constructor` keys: the SDK's marshaller tells plain objects, Sets and Maps
 *   apart by their `constructor` property, so `{"constructor": 1}` fails the write
 *   and `{"constructor": {"name": "Set"}}` would be written as a set. (Found by the
 *   model-based tests' generated metadata.)
 */

const SMALLEST_MAGNITUDE = 1e-130;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problems of every value under `root` that DynamoDB cannot store as sent, by JSON pointer. */
export function unstorableValues(root: unknown): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  // Iterative: the body's depth is already bounded, but no recursion is needed either.
  const pending: Array<{ value: unknown; path: string }> = [{ value: root, path: '' }];
  while (pending.length > 0) {
    const { value, path } = pending.pop()!;
    const problem = problemOf(value);
    if (problem) details.push({ path: path === '' ? '/' : path, message: problem });
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${path}/${escapePointer(key)}`;
      const keyProblem = Array.isArray(value) ? undefined : problemOfKey(key);
      if (keyProblem) details.push({ path: childPath, message: keyProblem });
      else pending.push({ value: child, path: childPath });
    }
  }
  return details.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function problemOf(value: unknown): string | undefined {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && magnitude < SMALLEST_MAGNITUDE) return 'is too close to zero to store (the smallest magnitude is 1e-130)';
    if (magnitude > Number.MAX_SAFE_INTEGER) {
      return 'is beyond ±9007199254740991, where JSON numbers lose precision; send it as a string';
    }
  }
  if (typeof value === 'string' && LONE_SURROGATE.test(value)) return 'contains a lone UTF-16 surrogate, which is not valid Unicode';
  return undefined;
}

function problemOfKey(key: string): string | undefined {
  if (key === '') return 'is an empty key, which cannot be stored';
  if (key === '__proto__' || key === 'constructor') return `uses the key "${key}", which is not accepted`;
  if (LONE_SURROGATE.test(key)) return 'is a key with a lone UTF-16 surrogate, which is not valid Unicode';
  return undefined;
}

/** RFC 6901 escaping of one reference token. */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
