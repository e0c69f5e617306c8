/** Distribution of per-inference latencies: nearest-rank percentiles (a p95 is a value that
 * was actually measured, not an interpolation between two). */
export interface LatencyStats {
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

export function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function latencyStats(values: readonly number[]): LatencyStats | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    min: s[0],
    median: nearestRank(s, 50),
    p95: nearestRank(s, 95),
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}
