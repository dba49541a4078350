import { z } from "zod";
import { ValidationError } from "../errors.js";
import { parse } from "../sessions/validation.js";
import type { StoreMetrics } from "./types.js";

/** One threshold: at or above `warn` the store is `warn`, at or above `critical` it is `critical`. */
export interface HealthLimit {
  /** Value at or above which the store is `warn`. */
  readonly warn: number;
  /** Value at or above which the store is `critical`. */
  readonly critical: number;
}

/**
 * What `store.health()` compares the metrics with. The operator's guide
 * (docs/operations.md) says what each one means and what to do when it fires.
 */
export interface HealthThresholds {
  /** Bytes of the `-wal` file. A WAL this big means checkpoints are not getting through. */
  readonly walBytes: HealthLimit;
  /** p95 of the time callers waited for a connection (last 1024 acquisitions), ms. */
  readonly poolWaitP95Ms: HealthLimit;
  /**
   * Free pages / all pages: disk space a vacuum would give back. Free pages
   * do not slow or stop service (SQLite reuses them for new rows), so they
   * are at most `warn`, never `critical`: a load balancer acting on
   * `critical` must not drop a node that merely has space to reclaim. Judged
   * only for files of at least `minPages` pages (a small file's ratio says
   * nothing).
   */
  readonly freePageRatio: {
    /** Ratio (0–1) at or above which the store is `warn`. */
    readonly warn: number;
    /** Smallest file, in pages, whose free-page ratio is judged. */
    readonly minPages: number;
  };
  /** BEGIN retries after SQLITE_BUSY (another process writing) since the previous `health()` call. */
  readonly busyRetries: HealthLimit;
  /** Callers that timed out or were refused by the pool since the previous `health()` call. */
  readonly poolTimeouts: HealthLimit;
}

/** Thresholds to change; each one missing keeps its default. */
export type HealthThresholdsInput = {
  readonly [K in keyof HealthThresholds]?: Partial<HealthThresholds[K]>;
};

/** The defaults, chosen against the store's own settings (see the guide). */
export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = {
  // The adapters' journal_size_limit is 64 MiB and the pool's guard truncates at ~4 MiB.
  walBytes: { warn: 64 * 1024 * 1024, critical: 512 * 1024 * 1024 },
  // A healthy pool hands out connections in milliseconds; acquireTimeoutMs defaults to 5000.
  poolWaitP95Ms: { warn: 250, critical: 2_000 },
  freePageRatio: { warn: 0.3, minPages: 2_560 },
  busyRetries: { warn: 10, critical: 100 },
  poolTimeouts: { warn: 1, critical: 20 },
};

/** Why the status is not `ok`: one per threshold crossed. */
export interface HealthReason {
  /** Which threshold, e.g. `walBytes`; `pool` when the pool is closed. */
  readonly check: keyof HealthThresholds | "pool";
  /** Which limit was reached: `warn` or `critical`. */
  readonly level: "warn" | "critical";
  /** The measured value. */
  readonly value: number;
  /** The threshold it reached. */
  readonly threshold: number;
  /** What was measured, in words. */
  readonly message: string;
}

/** The outcome of `store.health()`. */
export interface HealthReport {
  /** The worst level among `reasons`; `ok` when there are none. */
  readonly status: "ok" | "warn" | "critical";
  /** One entry per threshold crossed; empty when the status is `ok`. */
  readonly reasons: readonly HealthReason[];
  /** The metrics the verdict was made from. */
  readonly metrics: StoreMetrics;
}

/** Counters that health judges by their growth since the previous check. */
export interface HealthCounters {
  readonly busyRetries: number;
  readonly poolTimeouts: number;
}

const limit = z
  .strictObject({
    warn: z.number().min(0).optional(),
    critical: z.number().min(0).optional(),
  })
  .optional();

const inputSchema = z.strictObject({
  walBytes: limit,
  poolWaitP95Ms: limit,
  // No `critical`: free pages never are (see HealthThresholds.freePageRatio).
  freePageRatio: z
    .strictObject({
      warn: z.number().min(0).max(1).optional(),
      minPages: z.number().int().min(0).optional(),
    })
    .optional(),
  busyRetries: limit,
  poolTimeouts: limit,
});

/**
 * Fills in defaults and checks the thresholds (numbers >= 0, ratios <= 1,
 * warn <= critical).
 *
 * @throws ValidationError naming the bad threshold.
 */
export function resolveThresholds(input: HealthThresholdsInput = {}): HealthThresholds {
  const given = parse("store.health", inputSchema, input);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_HEALTH_THRESHOLDS) as (keyof HealthThresholds)[]) {
    const merged: { warn: number; critical?: number } = {
      ...DEFAULT_HEALTH_THRESHOLDS[key],
      ...stripUndefined(given[key] ?? {}),
    };
    if (merged.critical !== undefined && merged.warn > merged.critical) {
      throw new ValidationError("store.health", [
        { path: `${key}.warn`, message: `must not exceed ${key}.critical (${merged.critical})` },
      ]);
    }
    out[key] = merged;
  }
  return out as unknown as HealthThresholds;
}

/** Current values of the counters health judges by growth. */
export function healthCounters(metrics: StoreMetrics): HealthCounters {
  return {
    busyRetries: metrics.pool.busyRetries,
    poolTimeouts: metrics.pool.timedOut + metrics.pool.overloaded,
  };
}

/**
 * Judges metrics against thresholds. Pure: `since` holds the counters at the
 * previous check (zeros for the first), so growth is `now - since`.
 */
export function evaluateHealth(
  metrics: StoreMetrics,
  thresholds: HealthThresholds,
  since: HealthCounters = { busyRetries: 0, poolTimeouts: 0 },
): HealthReport {
  const reasons: HealthReason[] = [];
  const judge = (
    check: keyof HealthThresholds,
    value: number | undefined,
    describe: (value: number) => string,
  ): void => {
    if (value === undefined || !Number.isFinite(value)) return;
    const t: { warn: number; critical?: number } = thresholds[check];
    const critical = t.critical !== undefined && value >= t.critical;
    const level = critical ? "critical" : value >= t.warn ? "warn" : undefined;
    if (!level) return;
    reasons.push({
      check,
      level,
      value,
      threshold: critical ? (t.critical as number) : t.warn,
      message: describe(value),
    });
  };
  if (metrics.pool.closed) {
    reasons.push({
      check: "pool",
      level: "critical",
      value: 1,
      threshold: 1,
      message: "the store is closed",
    });
  }
  judge("walBytes", metrics.database.walBytes, (v) => `the WAL is ${formatBytes(v)}`);
  if (metrics.pool.waitMs.samples > 0) {
    judge(
      "poolWaitP95Ms",
      metrics.pool.waitMs.p95,
      (v) => `p95 wait for a connection is ${v.toFixed(1)} ms`,
    );
  }
  if (metrics.database.pageCount >= thresholds.freePageRatio.minPages) {
    judge(
      "freePageRatio",
      metrics.database.freeRatio,
      (v) =>
        `${(v * 100).toFixed(1)}% of the file is free pages (${formatBytes(metrics.database.freelistCount * metrics.database.pageSize)}): harmless to service; a vacuum (store.maintenance.vacuum() or llm-sessions vacuum, in a quiet hour) gives the space back`,
    );
  }
  const now = healthCounters(metrics);
  judge(
    "busyRetries",
    now.busyRetries - since.busyRetries,
    (v) => `${v} BEGIN retries after SQLITE_BUSY since the previous check`,
  );
  judge(
    "poolTimeouts",
    now.poolTimeouts - since.poolTimeouts,
    (v) => `${v} callers timed out or were refused by the pool since the previous check`,
  );
  const status = reasons.some((r) => r.level === "critical")
    ? "critical"
    : reasons.length > 0
      ? "warn"
      : "ok";
  return { status, reasons, metrics };
}

/** `1.5 MiB`-style sizes for messages. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
