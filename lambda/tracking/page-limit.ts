import type { ErrorDetail } from './http';

/** Page size when the client sends no `limit`. */
export const DEFAULT_PAGE_LIMIT = 10;
/** Largest page size a client may ask for. */
export const MAX_PAGE_LIMIT = 100;

/** The `limit` query parameter (an integer 1–100, default 10); a bad value is added to `details`. */
export function readLimit(text: string | undefined, details: ErrorDetail[]): number {
  if (text === undefined) return DEFAULT_PAGE_LIMIT;
  const limit = /^[0-9]{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_LIMIT)) {
    details.push({ path: '/limit', message: `must be an integer from 1 to ${MAX_PAGE_LIMIT}` });
  }
  return limit;
}
