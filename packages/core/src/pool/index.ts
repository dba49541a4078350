/**
 * The connection pool: one writer behind a FIFO queue, N readers, bounded
 * waits, replacement of broken connections, and the WAL starvation guard.
 */
export { backoffDelay } from "./backoff.js";
export {
  CHECKPOINT_MODES,
  type CheckpointMode,
  type CheckpointResult,
  type CheckpointStats,
} from "./checkpoint.js";
export {
  PoolClosedError,
  PoolCloseTimeoutError,
  type PoolLaneName,
  PoolMisuseError,
  PoolOptionsError,
  PoolOverloadedError,
  PoolTimeoutError,
  StoreClosedError,
} from "./errors.js";
export type { PoolLaneStats } from "./lane.js";
export {
  type BusyRetryOptions,
  type CheckpointOptions,
  POOL_DEFAULTS,
  type PoolCloseOptions,
  type PoolOptions,
  type ResolvedPoolOptions,
  resolvePoolOptions,
  type WithWriterOptions,
} from "./options.js";
export type { WaitPercentiles } from "./percentiles.js";
export { Pool } from "./pool.js";
export { isConnectionLevelError } from "./retire.js";
export type { PoolStats } from "./stats.js";
