import type { DriverCapabilities } from "../driver/types.js";
import { PoolOptionsError } from "./errors.js";

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
  /** `busy_timeout` of every connection (passed to `driver.connect`). Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** `synchronous` of every connection (passed to `driver.connect`). Default `"normal"`. */
  readonly durability?: "normal" | "full";
  /** Open reader connections read-only (passed to `driver.connect`). Default false. */
  readonly readonlyReaders?: boolean;
  /**
   * Page cache of each reader connection, in KiB (passed to `driver.connect`
   * as `cacheSizeKiB`). Default 256. Every reader has a cache of its own, and
   * a warm one grows to its limit: at the drivers' defaults (16 MiB for
   * better-sqlite3, 2 MiB for libSQL) each reader costs that much resident
   * memory, while the operating system caches the file for all of them (a
   * page it holds costs about a microsecond to read). Measured with the bench
   * (100k messages): about 0.6 MB per extra reader at 256 KiB, 17 MB at
   * better-sqlite3's default, and last(50) of a random session as fast; only
   * a working set that fits in a large cache reads faster from it. The writer
   * keeps the driver's default. 0 = the driver's default for readers too.
   */
  readonly readerCacheKiB?: number;
  /**
   * Bytes of a database file each reader connection reads through memory
   * mapping (`PRAGMA mmap_size`, passed to `driver.connect` as
   * `mmapSizeBytes`). Default 1 GiB; 0 turns it off. The writer never maps
   * the file: for one process it made no difference, and with four processes
   * appending to one file it cost a quarter of their throughput (63% of one
   * process's rate instead of 83%). Why readers: with their small page cache,
   * a page that is not in it is read with a system call and copied; mapped, it
   * is read in place from the operating system's cache, which all
   * connections share (measured: last(50) of a random session, 100k messages,
   * 271 µs without, 129 µs with; a 64 MiB cache gives 131 µs). The mapping is
   * address space, not memory of its own: the pages are the OS's file cache.
   * The cost: an I/O error under a mapped read is a SIGBUS rather than an
   * error code. Only file databases whose driver reports `capabilities.file`.
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
 * Options with every default filled in, as the pool uses them. Each field
 * means what the same field of `PoolOptions` means; `readers` is already 0
 * when the database cannot be shared, and `checkpoint` already `false` when
 * there is no WAL to guard.
 */
export interface ResolvedPoolOptions {
  /** Reader connections; already 0 when the driver cannot share the database. */
  readonly readers: number;
  /** Longest wait for a connection before `PoolTimeoutError`, in ms. */
  readonly acquireTimeoutMs: number;
  /** Callers allowed to wait (both queues together) before `PoolOverloadedError`. */
  readonly maxWaiting: number;
  /** A reader idle this long, in ms, is closed. */
  readonly idleTimeoutMs: number;
  /** A reader older than this, in ms, is closed when released instead of reused. */
  readonly maxReaderAgeMs: number;
  /** A connection idle longer than this, in ms, is checked with `SELECT 1` before use (0 = always). */
  readonly validateAfterIdleMs: number;
  /** `busy_timeout` of every connection, in ms. */
  readonly busyTimeoutMs: number;
  /** `synchronous` of every connection. */
  readonly durability: "normal" | "full";
  /** Whether reader connections are opened read-only. */
  readonly readonlyReaders: boolean;
  /** Page cache of each reader connection, in KiB (0 = the driver's default). */
  readonly readerCacheKiB: number;
  /** Bytes of the file each reader connection reads through memory mapping (0 = none; the writer never maps). */
  readonly mmapSizeBytes: number;
  /** Retry of a refused `BEGIN IMMEDIATE`; `attempts` is 1 when retry is off. */
  readonly busyRetry: Required<BusyRetryOptions>;
  /** `false` when off or when the driver has no WAL to guard. */
  readonly checkpoint: Required<CheckpointOptions> | false;
  /** Default deadline of `close()`, in ms. */
  readonly closeTimeoutMs: number;
}

/** The defaults, all finite: no wait in the pool can last forever. */
export const POOL_DEFAULTS = {
  /** Reader connections. */
  readers: 4,
  /** Longest wait for a connection, in ms. */
  acquireTimeoutMs: 5_000,
  /** Callers allowed to wait for a connection. */
  maxWaiting: 1_000,
  /** Idle time after which a reader is closed, in ms. */
  idleTimeoutMs: 30_000,
  /** Age after which a released reader is closed, in ms. */
  maxReaderAgeMs: 300_000,
  /** Idle time after which a connection is validated before use, in ms. */
  validateAfterIdleMs: 10_000,
  /** `busy_timeout` of every connection, in ms. */
  busyTimeoutMs: 5_000,
  /** `synchronous` of every connection. */
  durability: "normal",
  /** Readers are opened read-write. */
  readonlyReaders: false,
  /** Page cache of each reader, in KiB. */
  readerCacheKiB: 256,
  /** Bytes of the file each reader reads through memory mapping (1 GiB). */
  mmapSizeBytes: 1_073_741_824,
  /** Retry of a `BEGIN IMMEDIATE` refused with BUSY. */
  busyRetry: {
    /** Total tries of BEGIN, the first included. */
    attempts: 6,
    /** Delay before the first retry, in ms; doubles each time. */
    baseDelayMs: 5,
    /** Cap on one delay, in ms. */
    maxDelayMs: 250,
  },
  /** The WAL starvation guard. */
  checkpoint: {
    /** WAL size, in pages, above which a TRUNCATE checkpoint runs. */
    walPages: 1_000,
    /** Shortest time between two WAL measures, in ms. */
    intervalMs: 1_000,
    /** Longest hold of new readers while in-use ones drain, in ms. */
    drainTimeoutMs: 100,
  },
  /** Default deadline of `close()`, in ms. */
  closeTimeoutMs: 10_000,
} as const satisfies ResolvedPoolOptions;

/** The largest delay `setTimeout` honours (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

const TOP_KEYS = Object.keys(POOL_DEFAULTS);
const RETRY_KEYS = Object.keys(POOL_DEFAULTS.busyRetry);
const CHECKPOINT_KEYS = Object.keys(POOL_DEFAULTS.checkpoint);

/**
 * Checks `options` and fills in the defaults. Unknown keys, non-integers and
 * values out of range throw `PoolOptionsError`; an `undefined` value means
 * "the default" so callers can spread partial objects.
 */
export function resolvePoolOptions(
  options: PoolOptions | undefined,
  capabilities: DriverCapabilities,
): ResolvedPoolOptions {
  const o = record(options === undefined ? {} : options, "options", TOP_KEYS);
  const readers = int(o, "readers", POOL_DEFAULTS.readers, 0, 256);
  return {
    // A private :memory: database exists only on the connection that made
    // it: a second connection would see an empty database.
    readers: capabilities.sharedConnections ? readers : 0,
    acquireTimeoutMs: int(o, "acquireTimeoutMs", POOL_DEFAULTS.acquireTimeoutMs, 1, MAX_TIMER_MS),
    maxWaiting: int(o, "maxWaiting", POOL_DEFAULTS.maxWaiting, 0, 10_000_000),
    idleTimeoutMs: int(o, "idleTimeoutMs", POOL_DEFAULTS.idleTimeoutMs, 1, MAX_TIMER_MS),
    maxReaderAgeMs: int(o, "maxReaderAgeMs", POOL_DEFAULTS.maxReaderAgeMs, 1, MAX_TIMER_MS),
    validateAfterIdleMs: int(
      o,
      "validateAfterIdleMs",
      POOL_DEFAULTS.validateAfterIdleMs,
      0,
      MAX_TIMER_MS,
    ),
    busyTimeoutMs: int(o, "busyTimeoutMs", POOL_DEFAULTS.busyTimeoutMs, 0, MAX_TIMER_MS),
    durability: oneOf(o, "durability", POOL_DEFAULTS.durability, ["normal", "full"] as const),
    readonlyReaders: bool(o, "readonlyReaders", POOL_DEFAULTS.readonlyReaders),
    readerCacheKiB: int(o, "readerCacheKiB", POOL_DEFAULTS.readerCacheKiB, 0, 1_073_741_824),
    mmapSizeBytes: int(o, "mmapSizeBytes", POOL_DEFAULTS.mmapSizeBytes, 0, 2 ** 40),
    busyRetry: busyRetry(o.busyRetry),
    checkpoint:
      capabilities.file && capabilities.walCheckpoint ? checkpoint(o.checkpoint) : offOr(o),
    closeTimeoutMs: int(o, "closeTimeoutMs", POOL_DEFAULTS.closeTimeoutMs, 0, MAX_TIMER_MS),
  };
}

function busyRetry(value: unknown): Required<BusyRetryOptions> {
  const d = POOL_DEFAULTS.busyRetry;
  if (value === undefined) return { ...d };
  if (value === false) return { ...d, attempts: 1 };
  const o = record(value, "busyRetry", RETRY_KEYS);
  const baseDelayMs = int(o, "baseDelayMs", d.baseDelayMs, 0, 60_000, "busyRetry.");
  const maxDelayMs = int(
    o,
    "maxDelayMs",
    Math.max(d.maxDelayMs, baseDelayMs),
    0,
    60_000,
    "busyRetry.",
  );
  if (maxDelayMs < baseDelayMs) {
    throw new PoolOptionsError(
      "busyRetry.maxDelayMs",
      `must be at least busyRetry.baseDelayMs (${baseDelayMs}), got ${maxDelayMs}`,
    );
  }
  return {
    attempts: int(o, "attempts", d.attempts, 1, 100, "busyRetry."),
    baseDelayMs,
    maxDelayMs,
  };
}

function checkpoint(value: unknown): Required<CheckpointOptions> | false {
  const d = POOL_DEFAULTS.checkpoint;
  if (value === undefined) return { ...d };
  if (value === false) return false;
  const o = record(value, "checkpoint", CHECKPOINT_KEYS);
  return {
    walPages: int(o, "walPages", d.walPages, 1, 1_000_000_000, "checkpoint."),
    intervalMs: int(o, "intervalMs", d.intervalMs, 0, MAX_TIMER_MS, "checkpoint."),
    drainTimeoutMs: int(o, "drainTimeoutMs", d.drainTimeoutMs, 0, MAX_TIMER_MS, "checkpoint."),
  };
}

/** Still validates a checkpoint option the driver cannot use, so a typo is never hidden. */
function offOr(o: Record<string, unknown>): false {
  checkpoint(o.checkpoint);
  return false;
}

function record(value: unknown, name: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PoolOptionsError(name, `must be an object, got ${describe(value)}`);
  }
  const prefix = name === "options" ? "" : `${name}.`;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new PoolOptionsError(
        `${prefix}${key}`,
        `unknown option (known: ${allowed.map((k) => prefix + k).join(", ")})`,
      );
    }
  }
  return value as Record<string, unknown>;
}

function int(
  o: Record<string, unknown>,
  key: string,
  fallback: number,
  min: number,
  max: number,
  prefix = "",
): number {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new PoolOptionsError(
      prefix + key,
      `must be an integer from ${min} to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

function bool(o: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new PoolOptionsError(key, `must be true or false, got ${describe(value)}`);
  }
  return value;
}

function oneOf<T extends string>(
  o: Record<string, unknown>,
  key: string,
  fallback: T,
  allowed: readonly T[],
): T {
  const value = o[key];
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new PoolOptionsError(
      key,
      `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(value)}`,
    );
  }
  return value as T;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : typeof value;
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
  if (options === undefined) return false;
  for (const key of Object.keys(options)) {
    if (key !== "drainReaders") {
      throw new PoolOptionsError(`withWriter.${key}`, "unknown option (known: drainReaders)");
    }
  }
  const drain = options.drainReaders ?? false;
  if (typeof drain !== "boolean") {
    throw new PoolOptionsError("withWriter.drainReaders", "must be true or false");
  }
  return drain;
}

/** Checks the options of `close`; returns the deadline in milliseconds. */
export function parseCloseTimeout(options: PoolCloseOptions | undefined, fallback: number): number {
  if (options === undefined) return fallback;
  for (const key of Object.keys(options)) {
    if (key !== "timeoutMs") {
      throw new PoolOptionsError(`close.${key}`, "unknown option (known: timeoutMs)");
    }
  }
  const t = options.timeoutMs;
  if (t === undefined) return fallback;
  if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t > MAX_TIMER_MS) {
    throw new PoolOptionsError(
      "close.timeoutMs",
      `must be an integer from 0 to ${MAX_TIMER_MS}, got ${String(t)}`,
    );
  }
  return t;
}
