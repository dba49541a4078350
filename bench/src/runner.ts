/**
 * Times a group of contestants doing the same operation with tinybench:
 * each round runs every contestant once (warm-up, then timed iterations),
 * the order reversed every other round so that none always goes first, and
 * the figures are the medians over the rounds.
 */
import { Bench } from "tinybench";

export interface Contestant {
  readonly label: string;
  readonly fn: () => unknown;
  readonly sync: boolean;
  /** Called after each of its rounds; see `Target.settle`. */
  readonly settle?: () => Promise<void>;
}

export interface Timing {
  /** Median latency, ms: the median of the rounds' medians. */
  readonly median: number;
  /** 95th percentile latency, ms: the median of the rounds' p95s. */
  readonly p95: number;
  /** Operations per second: calls divided by the time they took, median of the rounds. */
  readonly opsPerSec: number;
  /** Timed calls over all rounds. */
  readonly samples: number;
  readonly rounds: number;
  /** Set when the operation threw: no figures then. */
  readonly error?: string;
}

export interface RunProfile {
  /** Time budget per contestant and round, ms. */
  readonly time: number;
  /** Minimum timed calls per contestant and round. */
  readonly iterations: number;
  readonly warmupTime: number;
  readonly warmupIterations: number;
  readonly rounds: number;
}

export async function measure(
  contestants: readonly Contestant[],
  profile: RunProfile,
  onRound?: (round: number) => void,
): Promise<Map<string, Timing>> {
  const perRound = new Map<string, { median: number; p95: number; ops: number; n: number }[]>();
  const errors = new Map<string, string>();
  for (let round = 0; round < profile.rounds; round++) {
    onRound?.(round);
    const order = round % 2 === 0 ? contestants : [...contestants].reverse();
    for (const c of order) {
      if (errors.has(c.label)) continue;
      gc();
      const bench = new Bench({
        time: profile.time,
        iterations: profile.iterations,
        warmupTime: profile.warmupTime,
        warmupIterations: profile.warmupIterations,
        retainSamples: true,
        throws: false,
      });
      bench.add(c.label, c.fn as () => unknown, { async: !c.sync });
      await bench.run();
      // Background work the contestant started (the store's indexing pass)
      // finishes before the next one runs: a synchronous raw driver waiting
      // on the write lock would block the very event loop that must release it.
      await c.settle?.();
      const result = bench.tasks[0]?.result;
      if (result?.state !== "completed") {
        const message =
          result?.state === "errored" ? result.error.message : `state ${result?.state ?? "none"}`;
        errors.set(c.label, message);
        continue;
      }
      const samples = [...(result.latency.samples ?? [])].sort((a, b) => a - b);
      const total = samples.reduce((sum, s) => sum + s, 0);
      const list = perRound.get(c.label) ?? [];
      list.push({
        median: quantile(samples, 0.5),
        p95: quantile(samples, 0.95),
        ops: total > 0 ? (samples.length * 1000) / total : 0,
        n: samples.length,
      });
      perRound.set(c.label, list);
    }
  }
  const out = new Map<string, Timing>();
  for (const c of contestants) {
    const error = errors.get(c.label);
    const rounds = perRound.get(c.label) ?? [];
    if (error !== undefined || rounds.length === 0) {
      out.set(c.label, {
        median: Number.NaN,
        p95: Number.NaN,
        opsPerSec: Number.NaN,
        samples: 0,
        rounds: 0,
        error: error ?? "no samples",
      });
      continue;
    }
    out.set(c.label, {
      median: middle(rounds.map((r) => r.median)),
      p95: middle(rounds.map((r) => r.p95)),
      opsPerSec: middle(rounds.map((r) => r.ops)),
      samples: rounds.reduce((n, r) => n + r.n, 0),
      rounds: rounds.length,
    });
  }
  return out;
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** The median of a few numbers. */
export function middle(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Collects garbage when node runs with --expose-gc (the bench script does), so one contestant's garbage is not timed in the next. */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
