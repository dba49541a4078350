/**
 * The adapter contract: what a SQLite driver implements so that the store
 * runs on it. It is small on purpose. An adapter opens connections, prepares
 * and runs statements, begins and ends transactions, maps its errors and says
 * what it can do; `createDriver` (core) turns it into the `SqliteDriver` the
 * store uses, and does everything else once for every adapter: it checks the
 * connect options, builds and applies the pragmas, caches prepared
 * statements, serializes callers, waits for the write lock without blocking
 * the event loop, drives transactions and their step bodies, makes batches
 * atomic and turns every error into a `SqliteError`.
 *
 * Every method may answer synchronously or with a promise. A synchronous
 * driver (better-sqlite3, the `libsql` package, `node:sqlite`) should answer
 * synchronously: a transaction body then runs from BEGIN to COMMIT without
 * waiting on a single promise, so the write lock is held for the statements
 * alone.
 */

import type { SqliteError } from "./errors.js";
import type {
  BackupOptions,
  DriverCapabilities,
  Params,
  Row,
  RunResult,
  Statement,
  TransactionMode,
} from "./types.js";

/** A value, or a promise of it: adapters answer whichever way their driver does. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * One prepared statement of a raw connection. Core keeps the statements it
 * prepared in a bounded cache per connection (`SqliteAdapter.tuning`), so an
 * adapter prepares each SQL text once and never caches itself.
 *
 * Rows and figures must already be in the contract's shape: integers as
 * `number` when safe and `bigint` otherwise (never rounded), blobs as
 * `Uint8Array`, one own property per column (a repeated name keeps the last
 * value; `rowBuilder` does all of this for drivers that read rows as arrays).
 */
export interface RawStatement {
  /**
   * Runs the statement to its end; also a statement that returns rows
   * (`INSERT ... RETURNING`), whose rows are dropped but whose `changes` count.
   */
  run(params?: Params): MaybePromise<RunResult>;
  /** The first row, or `undefined`. A statement that returns no rows is run and gives `undefined`. */
  get(params?: Params): MaybePromise<Row | undefined>;
  /** Every row. A statement that returns no rows is run and gives `[]`. */
  all(params?: Params): MaybePromise<Row[]>;
}

/**
 * One connection of the driver. Core calls it one call at a time (never two
 * at once on one connection) and never after `close`.
 */
export interface RawConnection {
  /**
   * Prepares one statement. Synchronous: a driver that prepares on its
   * server returns a statement that does so when run. May throw the driver's
   * error for bad SQL (core maps it).
   */
  prepare(sql: string): RawStatement;
  /** Runs several `;`-separated statements without parameters (pragmas, DDL, `SAVEPOINT`). */
  exec(sql: string): MaybePromise<void>;
  /**
   * `BEGIN IMMEDIATE` or `BEGIN DEFERRED`. While the transaction is open,
   * statements prepared on this connection run inside it. Core waits for the
   * write lock of a file itself when the adapter is `synchronous`, so an
   * adapter begins without waiting of its own beyond `busy_timeout`.
   */
  begin(mode: TransactionMode): MaybePromise<void>;
  /** Commits the open transaction. */
  commit(): MaybePromise<void>;
  /** Rolls the open transaction back. */
  rollback(): MaybePromise<void>;
  /**
   * Whether a transaction is open now, however it began (`begin`, or a raw
   * `BEGIN` sent with `exec`), and false once SQLite or the server ended it
   * on its own (after FULL, IOERR or a timeout). Synchronous: core asks it
   * before every statement of a transaction, so that a statement never runs
   * outside the transaction it was meant for.
   */
  inTransaction(): boolean;
  /** Closes the connection (a transaction still open is rolled back). */
  close(): MaybePromise<void>;
  /**
   * The online backup, present exactly when the adapter declares
   * `capabilities.onlineBackup` (`createDriver` refuses a connection where the
   * two disagree). Copies the main database page by page into
   * `destination` (a path whose directory exists and which does not), calling
   * `onProgress` after each step and once more with `remainingPages: 0`.
   * Core starts it while it holds the connection and lets other calls in
   * from the first progress report on, so it must copy in steps that yield
   * to the event loop and treat BUSY from a step as "try the next step
   * later". An `onProgress` that throws should abort the copy (let the error
   * out of the driver's progress callback): core then rejects with `ABORT`.
   * A driver that settles the backup after its last step calls
   * `options.holdCalls()` before that step (see `RawBackupOptions`).
   */
  backup?(destination: string, options: RawBackupOptions): Promise<void>;
  /**
   * Optional: runs the statements atomically in one call to the driver (a
   * server: one round trip): inside an open transaction as a savepoint,
   * outside as its own write transaction. Without it core does the same with
   * `SAVEPOINT` or `begin("immediate")` and the statements one by one: the
   * outcome is the same, only the number of calls differs.
   */
  batch?(statements: readonly Statement[]): Promise<RunResult[]>;
  /**
   * Optional: runs the statements as one write transaction (BEGIN IMMEDIATE
   * to COMMIT) in one call to the driver (a server: one round trip) and
   * returns each statement's rows. Core calls it only when no transaction is
   * open. Without it core does the same with `begin("immediate")`, each
   * statement's `all` and `commit`: the outcome is the same, only the number
   * of calls differs.
   */
  writeBatch?(statements: readonly Statement[]): Promise<Row[][]>;
}

/** What core gives a raw connection's `backup`. */
export interface RawBackupOptions extends BackupOptions {
  /**
   * Makes every later call to the connection (statements, `exec`,
   * transaction steps, `batch`) wait until the backup settles. Core always
   * passes it. A driver whose backup settles after its last step (a write in
   * between would be done but missing from the copy) calls it from the
   * progress report before that step; calling it again does nothing.
   */
  readonly holdCalls?: () => void;
}

/**
 * What `open` is given: the connect options checked and resolved by core.
 */
export interface ConnectionSettings {
  /**
   * Open read-only when the driver can (a file); core also adds
   * `query_only = ON` to the pragmas, so a driver that cannot is still safe.
   */
  readonly readonly: boolean;
  /** How long SQLite's busy handler may wait, for a driver that takes it as an open option. */
  readonly busyTimeoutMs: number;
  /**
   * The pragmas core applies, in order, with `exec` right after `open`
   * resolves (empty for a remote database, whose server owns them). An
   * adapter that replaces a connection under core (after an error that left
   * it unusable) applies them to the new one itself.
   */
  readonly pragmas: readonly string[];
}

/** Settings of the adapter that core applies; each one is optional and has core's default. */
export interface AdapterTuning {
  /** Every connection read-only, whatever the pool asks (the user's choice of a read-only store). Default false. */
  readonly readonly?: boolean;
  /** Prepared statements core keeps per connection, least recently used dropped first. Default 200. */
  readonly statementCacheSize?: number;
  /**
   * `journal_size_limit` of a file: the size the WAL is truncated to after a
   * checkpoint. Default 64 MiB; `-1` is no limit.
   */
  readonly journalSizeLimitBytes?: number;
}

/**
 * A SQLite driver as core sees it. `createDriver(adapter)` turns it into the
 * `SqliteDriver` that `openStore` takes.
 */
export interface SqliteAdapter {
  /** The driver's name, for messages and metrics (e.g. `"better-sqlite3"`). */
  readonly name: string;
  /** Where the connections go, for messages and metrics: never a secret (no token, no key). */
  readonly target: string;
  /**
   * The absolute path of the database file when the target is a plain
   * (unencrypted) SQLite file on this machine, else `undefined`. With it the
   * store reads the file and its WAL before any connection does (an empty
   * file, a damaged WAL, a foreign database) and notices when the file is
   * replaced under it.
   */
  readonly localPath: string | undefined;
  /** What the driver can do; the store, the pool and the test suites read it. */
  readonly capabilities: DriverCapabilities;
  /**
   * The driver answers synchronously, so SQLite's busy handler would freeze
   * the event loop while it waits for a lock. Core then takes a file's write
   * lock with `busy_timeout` off, trying again on later turns of the event
   * loop until the busy timeout has passed (another connection of this same
   * process can then finish and let go of the lock). An async driver waits
   * in SQLite's handler without blocking anyone.
   */
  readonly synchronous: boolean;
  /**
   * The driver binds a missing parameter as NULL without a word (node:sqlite,
   * the `libsql` package): core then checks the values of every statement it
   * runs against the parameters of its SQL first (`checkParameters`), and a
   * missing or surplus value, or an object for `?` parameters, is `RANGE`.
   * Default false: the driver refuses them itself (better-sqlite3). An
   * adapter's own `RawConnection.batch` checks its statements itself.
   */
  readonly checkParameters?: boolean;
  /** Core's settings for this adapter (the user's options, passed on). */
  readonly tuning?: AdapterTuning;
  /**
   * Opens one connection. Core applies `settings.pragmas` to it, and closes
   * it if they fail. May throw or reject with the driver's own error.
   */
  open(settings: ConnectionSettings): MaybePromise<RawConnection>;
  /**
   * Turns anything the driver threw into a `SqliteError` with a normalized
   * code (`toSqliteError` reads SQLite's codes and messages; an adapter adds
   * what its driver says differently). Must return a `SqliteError` it is
   * given as it is.
   */
  mapError(error: unknown): SqliteError;
}
