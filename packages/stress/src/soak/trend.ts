/** One soak interval's figures. */
export interface SoakInterval {
  /** Seconds since the start, at the interval's end. */
  readonly atS: number;
  readonly operations: number;
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** Resident set size of this process, MiB. */
  readonly rssMiB: number;
  /** V8 heap in use, MiB. */
  readonly heapMiB: number;
  /** The WAL file, MiB (0 when there is none). */
  readonly walMiB: number;
  /** The database file, MiB. */
  readonly dbMiB: number;
}

/** How a figure moved after warm-up. */
export interface Trend {
  /** Medians of the first and last third of the post-warm-up samples. */
  readonly first: number;
  readonly last: number;
  /** Every sample of the last third is above every sample of the first third. */
  readonly rising: boolean;
  /** `rising`, and the rise is more than the allowance. */
  readonly growing: boolean;
}

/**
 * Whether `samples` keep growing: split into thirds, the last third lies
 * wholly above the first third and its median exceeds the first's by more
 * than `allowance` (absolute) and `ratio` (relative). A figure that levels
 * off (caches filling up) is not growing; one that climbs all the way is.
 */
export function trend(samples: readonly number[], allowance: number, ratio: number): Trend {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = samples.slice(0, third);
  const last = samples.slice(-third);
  const m1 = median(first);
  const m3 = median(last);
  const rising = samples.length >= 3 && Math.min(...last) > Math.max(...first);
  return {
    first: m1,
    last: m3,
    rising,
    growing: rising && m3 - m1 > allowance && m3 > m1 * ratio,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
