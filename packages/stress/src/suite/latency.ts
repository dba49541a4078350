/** Latency percentiles of one set of operations, in milliseconds. */
export interface LatencySummary {
  /** How many durations were summarized. */
  readonly count: number;
  /** Median (nearest rank). */
  readonly p50: number;
  /** 95th percentile (nearest rank). */
  readonly p95: number;
  /** 99th percentile (nearest rank). */
  readonly p99: number;
  /** The longest duration. */
  readonly max: number;
}

/** The summary of no operations. */
export const NO_LATENCY: LatencySummary = { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };

/** Collects operation durations and summarizes them as percentiles. */
export class LatencyRecorder {
  #samples: number[] = [];

  /** Adds one duration (ms). */
  add(ms: number): void {
    this.#samples.push(ms);
  }

  /** Adds every duration of another recorder or summary source. */
  addAll(samples: readonly number[]): void {
    for (const s of samples) this.#samples.push(s);
  }

  /** How many durations were added. */
  get count(): number {
    return this.#samples.length;
  }

  /** The raw durations (for merging results of child processes). */
  samples(): readonly number[] {
    return this.#samples;
  }

  /** Times `fn` and records its duration, whether it resolves or rejects. */
  async time<T>(fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.add(performance.now() - started);
    }
  }

  /** p50/p95/p99/max of what was recorded. */
  summary(): LatencySummary {
    return summarize(this.#samples);
  }

  /** Forgets every sample (for per-interval figures). */
  reset(): void {
    this.#samples = [];
  }
}

/** Nearest-rank percentiles of `samples` (ms), rounded to 0.001 ms. */
export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return NO_LATENCY;
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
