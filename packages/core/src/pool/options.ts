import type { DriverCapabilities } from "../driver/types.js";
import { parseClose, parsePoolOptions, parseWithWriter } from "./options-schema.js";

/** Retry of `BEGIN IMMEDIATE` when another process holds the write lock past `busy_timeout`. */
export interface BusyRetryOptions {
  /** Total tries of BEGIN, the first included (1 = no retry). Default 6. */
  readonly attempts?: number;
  /** Delay before the first retry; doubles each time. Default 5 ms. */
  readonly baseDelayMs?: number;
  /** Cap on one delay. Default 250 ms. */
  readonly maxDelayMs?: number;
}

/**
 * The WAL starvation guard: with one writer and readers that are always busy,
 * SQLite's passive auto-checkpoint never finds a moment to reset the WAL, and
 * the WAL file grows without end. The guard measures the WAL after writes and,
 * past `walPages`, runs a TRUNCATE checkpoint while new readers are held back.
 */
export interface CheckpointOptions {
  /** WAL size, in pages (frames), above which a TRUNCATE checkpoint runs. Default 1000. */
  readonly walPages?: number;
  /** Measure the WAL at most this often (each measure is a PASSIVE checkpoint). Default 1000 ms. */
  readonly intervalMs?: number;
  /**
   * How long the guard holds new readers back while waiting for the readers
   * in use to be released. If they are not, the TRUNCATE is skipped (and
   * tried again at the next interval) rather than stalling the writer. Default 100 ms.
   */
  readonly drainTimeoutMs?: number;
}

/** Options of `Pool.open`. Every one is optional; unknown keys are rejected. */
export interface PoolOptions {
  /**
   * Reader connections, opened on demand. Default 4. Forced to 0 when the
   * driver cannot share a database between connections (a private
   * `:memory:` database): reads then queue for the writer connection.
   */
  readonly readers?: number;
  /** Longest wait for a connection before `PoolTimeoutError`. Default 5000 ms. */
  readonly acquireTimeoutMs?: number;
  /** Callers allowed to wait (both queues together); one more gets `PoolOverloadedError` at once. Default 1000. */
  readonly maxWaiting?: number;
  /** A reader idle this long is closed (reopened when needed). Default 30000 ms. */
  readonly idleTimeoutMs?: number;
  /** A reader older than this is closed when released instead of reused. Default 300000 ms. */
  readonly maxReaderAgeMs?: number;
  /** A connection idle longer than this runs `SELECT 1` before it is handed out; broken ones are replaced. Default 10000 ms (0 = always). */
  readonly validateAfterIdleMs?: number;
  /** `busy_timeout` of every connection (passed to `driver.connect`). Default 5000 ms; at most `MAX_BUSY_TIMEOUT_MS` (2^31 - 1). */
  readonly busyTimeoutMs?: number;
  /** `synchronous` of every connection (passed to `driver.connect`). Default `"normal"`. */
  readonly durability?: "normal" | "full";
  /** Open reader connections read-only (passed to `driver.connect`). Default false. */
  readonly readonlyReaders?: boolean;
  /**
   * Page cache of each reader connection, in KiB (passed to `driver.connect`
   * as `cacheSizeKiB`). Default 256; 0 = the driver's default. Every reader
   * has a cache of its own and a warm one fills up, while the operating
   * system caches the file once for all of them: a large reader cache costs
   * memory per reader and saves little. The writer keeps the driver's
   * default. (Figures: docs/operations.md, "The pragmas the store sets".)
   */
  readonly readerCacheKiB?: number;
  /**
   * Bytes of the database file each reader connection reads through memory
   * mapping (`PRAGMA mmap_size`, passed to `driver.connect` as
   * `mmapSizeBytes`). Default 1 GiB; 0 turns it off. Readers only: a mapped
   * page is read in place from the operating system's file cache instead of
   * copied into a reader's small cache, while a mapped writer slowed several
   * processes writing to one file. The cost: an I/O error under a mapped read
   * is a SIGBUS rather than an error code. Only file databases whose driver
   * reports `capabilities.file`. (Figures: docs/operations.md, "The pragmas
   * the store sets".)
   */
  readonly mmapSizeBytes?: number;
  /** Retry of a BEGIN IMMEDIATE refused with BUSY; `false` = no retry. */
  readonly busyRetry?: BusyRetryOptions | false;
  /** The WAL starvation guard; `false` turns it off. Only active for file databases whose driver allows `wal_checkpoint`. */
  readonly checkpoint?: CheckpointOptions | false;
  /** Default deadline of `close()`. Default 10000 ms. */
  readonly closeTimeoutMs?: number;
}

/**
 * Options with every default filled in, as the pool uses them: each field
 * means what the same field of `PoolOptions` means. `readers` is already 0
 * when the database cannot be shared, `busyRetry.attempts` is 1 when retry is
 * off, and `checkpoint` is `false` when off or when there is no WAL to guard.
 */
export type ResolvedPoolOptions = {
  readonly [K in keyof PoolOptions]-?: K extends "busyRetry"
    ? Required<BusyRetryOptions>
    : K extends "checkpoint"
      ? Required<CheckpointOptions> | false
      : Exclude<PoolOptions[K], undefined>;
};

/** The defaults, all finite: no wait in the pool can last forever. */
export const POOL_DEFAULTS = {
  readers: 4,
  acquireTimeoutMs: 5_000,
  maxWaiting: 1_000,
  idleTimeoutMs: 30_000,
  maxReaderAgeMs: 300_000,
  validateAfterIdleMs: 10_000,
  busyTimeoutMs: 5_000,
  durability: "normal",
  readonlyReaders: false,
  readerCacheKiB: 256,
  mmapSizeBytes: 1_073_741_824,
  busyRetry: {
    attempts: 6,
    baseDelayMs: 5,
    maxDelayMs: 250,
  },
  checkpoint: {
    walPages: 1_000,
    intervalMs: 1_000,
    drainTimeoutMs: 100,
  },
  closeTimeoutMs: 10_000,
} as const satisfies ResolvedPoolOptions;

/**
 * Checks `options` and fills in the defaults. Unknown keys, non-integers and
 * values out of range throw `PoolOptionsError` (before anything is opened);
 * an `undefined` value means "the default" so callers can spread partial
 * objects.
 */
export function resolvePoolOptions(
  options: PoolOptions | undefined,
  capabilities: DriverCapabilities,
): ResolvedPoolOptions {
  const o = parsePoolOptions(options === undefined ? {} : options);
  const d = POOL_DEFAULTS;
  return {
    // A private :memory: database exists only on the connection that made
    // it: a second connection would see an empty database.
    readers: capabilities.sharedConnections ? (o.readers ?? d.readers) : 0,
    acquireTimeoutMs: o.acquireTimeoutMs ?? d.acquireTimeoutMs,
    maxWaiting: o.maxWaiting ?? d.maxWaiting,
    idleTimeoutMs: o.idleTimeoutMs ?? d.idleTimeoutMs,
    maxReaderAgeMs: o.maxReaderAgeMs ?? d.maxReaderAgeMs,
    validateAfterIdleMs: o.validateAfterIdleMs ?? d.validateAfterIdleMs,
    busyTimeoutMs: o.busyTimeoutMs ?? d.busyTimeoutMs,
    durability: o.durability ?? d.durability,
    readonlyReaders: o.readonlyReaders ?? d.readonlyReaders,
    readerCacheKiB: o.readerCacheKiB ?? d.readerCacheKiB,
    mmapSizeBytes: o.mmapSizeBytes ?? d.mmapSizeBytes,
    busyRetry: resolveBusyRetry(o.busyRetry),
    // Still checked by the schema where there is no WAL, so a typo is never hidden.
    checkpoint:
      capabilities.file && capabilities.walCheckpoint ? resolveCheckpoint(o.checkpoint) : false,
    closeTimeoutMs: o.closeTimeoutMs ?? d.closeTimeoutMs,
  };
}

function resolveBusyRetry(r: BusyRetryOptions | false | undefined): Required<BusyRetryOptions> {
  const d = POOL_DEFAULTS.busyRetry;
  if (r === undefined) return { ...d };
  if (r === false) return { ...d, attempts: 1 };
  const baseDelayMs = r.baseDelayMs ?? d.baseDelayMs;
  return {
    attempts: r.attempts ?? d.attempts,
    baseDelayMs,
    // A base above the default cap raises the cap with it.
    maxDelayMs: r.maxDelayMs ?? Math.max(d.maxDelayMs, baseDelayMs),
  };
}

function resolveCheckpoint(
  c: CheckpointOptions | false | undefined,
): Required<CheckpointOptions> | false {
  const d = POOL_DEFAULTS.checkpoint;
  if (c === undefined) return { ...d };
  if (c === false) return false;
  return {
    walPages: c.walPages ?? d.walPages,
    intervalMs: c.intervalMs ?? d.intervalMs,
    drainTimeoutMs: c.drainTimeoutMs ?? d.drainTimeoutMs,
  };
}

/** Options of `Pool.withWriter`. */
export interface WithWriterOptions {
  /**
   * Hold new readers back and wait (up to `acquireTimeoutMs`) until every
   * reader in use is released before `fn` runs; readers stay held back until
   * it ends. For maintenance that must not run beside readers (VACUUM). If
   * they are not released in time, `PoolTimeoutError` and `fn` does not run.
   * Default false.
   */
  readonly drainReaders?: boolean;
}

/** Options of `Pool.close`. */
export interface PoolCloseOptions {
  /** How long queued and running work may take to finish. Default: the pool's `closeTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** Checks the options of `withWriter`; returns whether to drain readers. */
export function parseWithWriterOptions(options: WithWriterOptions | undefined): boolean {
  return options === undefined ? false : (parseWithWriter(options).drainReaders ?? false);
}

/** Checks the options of `close`; returns the deadline in milliseconds. */
export function parseCloseTimeout(options: PoolCloseOptions | undefined, fallback: number): number {
  return options === undefined ? fallback : (parseClose(options).timeoutMs ?? fallback);
}
