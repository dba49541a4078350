import type { CheckpointStats } from "./checkpoint.js";
import type { PoolLaneStats } from "./lane.js";
import type { WaitPercentiles } from "./percentiles.js";

export type { CheckpointStats } from "./checkpoint.js";
export type { PoolLaneStats } from "./lane.js";
export type { WaitPercentiles } from "./percentiles.js";

/**
 * A snapshot of the pool, cheap enough to take on every metrics scrape.
 * Counters count since `Pool.open`; the rest describe this moment.
 */
export interface PoolStats {
  /** Connections open now (writer and readers). */
  readonly size: number;
  /** Open connections not lent to anyone. */
  readonly idle: number;
  /** Callers holding a connection now. */
  readonly busy: number;
  /** Callers queued for a connection now (both queues). */
  readonly waiting: number;
  /** Connections handed out (writer and readers). */
  readonly acquired: number;
  /** Callers that gave up after `acquireTimeoutMs` (their callbacks never ran). */
  readonly timedOut: number;
  /** Callers refused at once because `maxWaiting` were queued. */
  readonly overloaded: number;
  /** Connections discarded and replaced: broken, failed validation, saw BUSY, or released inside a transaction. */
  readonly replaced: number;
  /** Connections a callback released while still inside a transaction (rolled back; counted in `replaced` too unless the database is a private `:memory:`). */
  readonly rolledBack: number;
  /** Retries of a BEGIN IMMEDIATE refused with BUSY. */
  readonly busyRetries: number;
  /** Draining checkpoints (FULL, RESTART, TRUNCATE) run, automatic and manual. */
  readonly checkpoints: number;
  /** WAL size in pages (frames) when last measured; undefined until measured (or when the guard is off and `checkpoint()` never ran). */
  readonly walPages: number | undefined;
  /** Time from asking for a connection to holding it, over the last 1024 acquisitions (timeouts included). */
  readonly waitMs: WaitPercentiles;
  /** The reader connections. `max` is 0 when reads go to the writer. */
  readonly readers: PoolLaneStats;
  /** The writer connection and its queue. */
  readonly writer: PoolLaneStats;
  /** The WAL guard and manual checkpoints. */
  readonly checkpoint: CheckpointStats;
  /** Whether `close()` was called. */
  readonly closed: boolean;
}
