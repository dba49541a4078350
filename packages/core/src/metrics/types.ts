import type { LifecycleFigures } from "../lifecycle/index.js";
import type { PoolStats } from "../pool/index.js";
import type { DatabaseFigures } from "./database-figures.js";
import type { OperationMetrics } from "./recorder.js";

/** Sessions by status, over every tenant. */
export interface SessionCounts {
  readonly total: number;
  readonly active: number;
  readonly idle: number;
  readonly archived: number;
}

/** Everything `store.metrics()` reports. Cheap enough to collect on every scrape. */
export interface StoreMetrics {
  /** When the figures were taken (ms since the epoch, wall clock). */
  readonly collectedAt: number;
  /** Since the store opened, in milliseconds. */
  readonly uptimeMs: number;
  /** Which driver and target (no secrets). */
  readonly driver: { readonly name: string; readonly target: string };
  /** Per public operation (`sessions.create`, `messages.append`, `search`, ...). */
  readonly operations: Readonly<Record<string, OperationMetrics>>;
  /** The connection pool (see `PoolStats`). */
  readonly pool: PoolStats;
  /** Pages, free pages, file and WAL bytes. */
  readonly database: DatabaseFigures;
  readonly sessions: SessionCounts;
  /**
   * Idle/archive/purge counts and the last sweep, since the store opened.
   * Absent when the store has no lifecycle to report.
   */
  readonly lifecycle?: LifecycleFigures;
}
