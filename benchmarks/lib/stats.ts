/** The few statistics the benchmark reports. */

/** The q-quantile (0..1) of the values, interpolating linearly between neighbours. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export interface Summary {
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
}

export function summarize(values: readonly number[]): Summary {
  return { p25: quantile(values, 0.25), median: quantile(values, 0.5), p75: quantile(values, 0.75) };
}
