import './env';

/**
 * Turns the processor's metrics output on for the test file that imports this
 * (before the processor's modules, which read the environment as they load; the
 * test environment is loaded first, whatever the import order), so tests read
 * the embedded-metric-format lines themselves: which metrics share a line, their
 * units and dimensions.
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'false';

/** One EMF line, reduced to what the tests compare. */
export interface EmfLine {
  readonly namespace: string;
  /** The dimension names of the line's (only) dimension set. */
  readonly dimensions: readonly string[];
  /** Metric name → unit. */
  readonly units: Readonly<Record<string, string>>;
  /** Every top-level field: metric values, dimension values, metadata. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Captures the EMF lines written to stdout from now on; everything else passes through. */
export function captureEmf(): { readonly lines: () => EmfLine[] } {
  const lines: EmfLine[] = [];
  const write = process.stdout.write.bind(process.stdout);
  jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const directive = parsed?._aws?.CloudWatchMetrics?.[0];
    if (!directive) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    const { _aws: _directive, ...fields } = parsed;
    lines.push({
      namespace: directive.Namespace,
      dimensions: directive.Dimensions[0],
      units: Object.fromEntries(directive.Metrics.map((metric: { Name: string; Unit: string }) => [metric.Name, metric.Unit])),
      fields,
    });
    return true;
  }) as typeof process.stdout.write);
  return { lines: () => [...lines] };
}

/** The lines that carry metric `name`. */
export const linesWith = (lines: readonly EmfLine[], name: string): EmfLine[] => lines.filter((line) => name in line.units);
