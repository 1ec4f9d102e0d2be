/**
 * RFC 3339 date-times (`2026-11-26T10:15:00.123+01:00`). The schema's pattern
 * checks the shape; this checks that the date exists (no February 30, no hour 24)
 * and converts it to epoch milliseconds.
 */
const RFC3339_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of an RFC 3339 date-time, or undefined when it is not one or
 * names a date or time that does not exist. Fractions finer than a millisecond are
 * truncated; leap seconds (`:60`) are refused (JavaScript dates cannot hold them).
 */
export function parseRfc3339(text: string): number | undefined {
  const parts = RFC3339_PARTS.exec(text);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  const millis = parts[7] ? Number(parts[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  // Date rolls February 30 over into March: a real date reads back unchanged.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;

  let offsetMinutes = 0;
  if (parts[8]) {
    const offsetHours = Number(parts[9]);
    const offsetMins = Number(parts[10]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (parts[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return date.getTime() - offsetMinutes * 60_000;
}

/** UTC ISO-8601 with milliseconds, e.g. `2026-11-26T09:15:00.123Z`. */
export function toIsoMillis(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}
