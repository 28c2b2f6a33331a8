// Small statistics for the load and diagnose reports.

/** The nearest-rank percentile (p in 0..100) of values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** The nearest-rank median; NaN for none. */
export function median(values: readonly number[]): number {
  return percentile(values, 50) ?? Number.NaN;
}

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const at = (p: number) => percentile(values, p) ?? 0;
  return {
    count: values.length,
    min: Math.min(...values),
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: Math.max(...values),
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  };
}

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** `binCount` equal bins from the smallest value to the largest. */
export function histogram(values: readonly number[], binCount = 10): Bin[] {
  if (values.length === 0) return [];
  const low = Math.min(...values);
  const high = Math.max(...values);
  const width = (high - low) / binCount || 1;
  const bins = Array.from({ length: binCount }, (_, index) => ({
    from: low + index * width,
    to: low + (index + 1) * width,
    count: 0,
  }));
  for (const value of values) {
    const index = Math.min(binCount - 1, Math.floor((value - low) / width));
    const bin = bins[index];
    if (bin) bin.count += 1;
  }
  return high === low ? bins.slice(0, 1) : bins;
}

/** One bar a bin, scaled to the fullest bin. `format` writes a bin's bounds. */
export function drawHistogram(bins: readonly Bin[], format: (value: number) => string, width = 40): string {
  const fullest = Math.max(1, ...bins.map((bin) => bin.count));
  const labels = bins.map((bin) => `${format(bin.from)} – ${format(bin.to)}`);
  const labelWidth = Math.max(...labels.map((label) => label.length));
  return bins
    .map((bin, index) => {
      const length = Math.round((bin.count / fullest) * width);
      const bar = bin.count > 0 && length === 0 ? '▏' : '█'.repeat(length);
      return `${labels[index]?.padStart(labelWidth)} │${bar.padEnd(width)} ${bin.count}`;
    })
    .join('\n');
}
