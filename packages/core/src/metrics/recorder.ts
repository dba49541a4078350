import { PercentileRing, type WaitPercentiles } from "../pool/percentiles.js";

/** The public store operations that are timed, by the name metrics report them under. */
export const STORE_OPERATIONS = [
  "sessions.create",
  "sessions.get",
  "sessions.list",
  "sessions.update",
  "sessions.delete",
  "sessions.fork",
  "messages.append",
  "messages.last",
  "messages.list",
  "messages.pop",
  "messages.window",
  "messages.compact",
  "messages.replaceTail",
  "messages.applyOperation",
  "messages.operation",
  "messages.clear",
  "search",
  "stats",
  "lifecycle.sweep",
  "lifecycle.archive",
  "lifecycle.restore",
  "lifecycle.touch",
] as const;

/** A timed store operation. */
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

/** Figures of one operation. Counts are since the store opened; latencies cover the last 1024 calls. */
export interface OperationMetrics {
  /** Calls that resolved. */
  readonly count: number;
  /** Calls that rejected (validation, not found, timeouts, ...). */
  readonly errors: number;
  /** Milliseconds spent in every call, resolved or not (with `count + errors`, the mean). */
  readonly totalMs: number;
  /** Latency of recent calls, resolved or not, in milliseconds. */
  readonly latencyMs: WaitPercentiles;
}

/** Samples kept per operation: bounded memory (8 KiB each), figures that describe now. */
export const LATENCY_WINDOW = 1024;

class OperationStats {
  count = 0;
  errors = 0;
  totalMs = 0;
  readonly ring = new PercentileRing(LATENCY_WINDOW);
}

/**
 * Counts and times store operations. `record` is the hot path: two field
 * increments and one write into a fixed ring, no allocation. Percentiles are
 * computed only when someone asks (`snapshot`).
 */
export class OperationRecorder {
  readonly #ops = new Map<string, OperationStats>();

  constructor(operations: readonly string[] = STORE_OPERATIONS) {
    for (const op of operations) this.#ops.set(op, new OperationStats());
  }

  /** Records one call of `op` that took `ms` and resolved (`ok`) or rejected. */
  record(op: string, ms: number, ok: boolean): void {
    let stats = this.#ops.get(op);
    if (!stats) {
      stats = new OperationStats();
      this.#ops.set(op, stats);
    }
    if (ok) stats.count++;
    else stats.errors++;
    stats.totalMs += ms;
    stats.ring.add(ms);
  }

  /** Every operation's figures now (operations never called report zeros). */
  snapshot(): Record<string, OperationMetrics> {
    const out: Record<string, OperationMetrics> = {};
    for (const [op, s] of this.#ops) {
      out[op] = {
        count: s.count,
        errors: s.errors,
        totalMs: s.totalMs,
        latencyMs: s.ring.summary(),
      };
    }
    return out;
  }
}
