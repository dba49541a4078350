/** Wait-time percentiles over a window of recent acquisitions, in milliseconds. */
export interface WaitPercentiles {
  /** Median wait (nearest rank). */
  readonly p50: number;
  /** 95th percentile wait (nearest rank). */
  readonly p95: number;
  /** 99th percentile wait (nearest rank). */
  readonly p99: number;
  /** The longest wait in the window. */
  readonly max: number;
  /** How many waits the window holds (0 until the first acquisition). */
  readonly samples: number;
}

/**
 * A fixed-size ring of the most recent samples: memory stays bounded however
 * long the pool runs, and the figures describe now, not the whole past.
 */
export class PercentileRing {
  readonly #values: Float64Array;
  #next = 0;
  #count = 0;

  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.#values = new Float64Array(capacity);
  }

  /** Records one sample, overwriting the oldest once the ring is full. */
  add(value: number): void {
    this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.#values.length;
    if (this.#count < this.#values.length) this.#count++;
  }

  /** Nearest-rank percentiles of the samples held (all 0 when there are none). */
  summary(): WaitPercentiles {
    if (this.#count === 0) return { p50: 0, p95: 0, p99: 0, max: 0, samples: 0 };
    const sorted = this.#values.slice(0, this.#count).sort();
    const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
    return {
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      max: sorted[sorted.length - 1] ?? 0,
      samples: this.#count,
    };
  }
}
