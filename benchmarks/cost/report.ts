/** Plain-text tables for the cost benchmark's output (Markdown, so the README can carry them as printed). */

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  alignRight: (column: number) => boolean = (column) => column > 0,
): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
  const pad = (cell: string, column: number) => (alignRight(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]));
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (alignRight(column) ? `${'-'.repeat(width + 1)}:` : `${'-'.repeat(width + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Dollars with cents, or `–` for nothing. */
export function usd(value: number): string {
  if (value === 0) return '–';
  return value < 0.005 ? '<0.01' : value.toFixed(2);
}

export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}
