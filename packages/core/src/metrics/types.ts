import type { LifecycleFigures } from "../lifecycle/index.js";
import type { PoolStats } from "../pool/index.js";
import type { DatabaseFigures } from "./database-figures.js";
import type { OperationMetrics } from "./recorder.js";

/** Sessions by status, over every tenant. */
export interface SessionCounts {
  /** All sessions, whatever their status. */
  readonly total: number;
  /** Sessions with status `active`. */
  readonly active: number;
  /** Sessions with status `idle`. */
  readonly idle: number;
  /** Sessions with status `archived` (messages moved to a snapshot). */
  readonly archived: number;
}

/** Everything `store.metrics()` reports. Cheap enough to collect on every scrape. */
export interface StoreMetrics {
  /** When the figures were taken (ms since the epoch, wall clock). */
  readonly collectedAt: number;
  /** Since the store opened, in milliseconds. */
  readonly uptimeMs: number;
  /** Which driver and target (no secrets). */
  readonly driver: {
    /** The driver's name, e.g. `"better-sqlite3"` or `"libsql"`. */
    readonly name: string;
    /** Where the connections go (no secrets). */
    readonly target: string;
  };
  /** Per public operation (`sessions.create`, `messages.append`, `search`, ...). */
  readonly operations: Readonly<Record<string, OperationMetrics>>;
  /** The connection pool (see `PoolStats`). */
  readonly pool: PoolStats;
  /** Pages, free pages, file and WAL bytes. */
  readonly database: DatabaseFigures;
  /** Sessions by status, counted at collection time. */
  readonly sessions: SessionCounts;
  /**
   * Idle/archive/purge counts and the last sweep, since the store opened.
   * Absent when the store has no lifecycle to report.
   */
  readonly lifecycle?: LifecycleFigures;
}
