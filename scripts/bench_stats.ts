/**
 * The arithmetic of the benchmark's figures, shared by bench.ts, bench_chain.ts and bench_logs.ts.
 *
 * @module
 */

/** The nearest-rank `p`th percentile of `values` (not empty). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** The middle value (the lower of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** `n` to one decimal. */
export function round(n: number): number {
  return Math.round(n * 10) / 10;
}
