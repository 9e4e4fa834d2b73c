/** Latency samples and their percentiles, for the projections' live latency. */

/** The median and 99th percentile of latency samples, in milliseconds. */
export interface LatencyFigures {
  p50_ms: number;
  p99_ms: number;
}

/** The `p`-th percentile (0–100) of a non-empty list, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile() of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** p50 and p99 of the samples (milliseconds). */
export function latencyFigures(samples: readonly number[]): LatencyFigures {
  return { p50_ms: percentile(samples, 50), p99_ms: percentile(samples, 99) };
}
