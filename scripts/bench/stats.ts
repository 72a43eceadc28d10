/** The few statistics the bench needs: medians and percentiles, no dependency. */

/** The q-quantile (0..1) by linear interpolation between the closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/**
 * Baseline and subject measured in alternating order (ABBA...): round `i` runs
 * the baseline first when `i` is even, so a slow spell of the machine lands on
 * both sides alike.
 */
export function baselineFirst(round: number): boolean {
  return round % 2 === 0;
}

/**
 * The order in which `count` sides run in round `round`: rotated by one each
 * round, so no side is always first (or always right after another).
 */
export function rotation(round: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i + round) % count);
}

/** Milliseconds since an arbitrary origin, sub-millisecond precision. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
