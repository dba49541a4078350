/**
 * The driver contract: what an adapter implements so the core can run on any
 * SQLite driver. Everything here is async so that local (better-sqlite3) and
 * remote (libSQL over HTTP) drivers share one interface.
 */

/**
 * A value SQLite can store. Integers come back as `number` when they are safe
 * (|n| <= 2^53 - 1) and as `bigint` otherwise, so no integer is ever rounded.
 * Blobs come back as `Uint8Array` (a `Buffer` is one).
 */
export type SqliteValue = null | number | bigint | string | Uint8Array;

/**
 * Statement parameters: positional (`?`) as an array, or named as an object
 * whose keys have no prefix (`{ id: 1 }` binds `:id`, `@id` or `$id`).
 */
export type Params = readonly SqliteValue[] | Readonly<Record<string, SqliteValue>>;

/** A row as returned by `get` and `all`: column name to value. */
export type Row = Record<string, SqliteValue>;

/** One statement of a batch. */
export interface Statement {
  /** The SQL text, with `?` or named placeholders. */
  readonly sql: string;
  /** Its parameters, positional or named. */
  readonly params?: Params;
}

/** What a write reports. */
export interface RunResult {
  /** Rows changed by this statement (not counting trigger changes). */
  readonly changes: number;
  /** The rowid of the last inserted row on this connection (`number` when safe). */
  readonly lastInsertRowid: number | bigint;
}

/**
 * `immediate` takes the write lock at BEGIN (use it for every write: the
 * upgrade from a deferred read to a write is where SQLITE_BUSY escapes the busy
 * timeout); `deferred` for read-only snapshots.
 */
export type TransactionMode = "immediate" | "deferred";

/** The statements every connection and every open transaction can run. */
export interface Queryable {
  /** Runs one statement that returns no rows (or whose rows are ignored). */
  run(sql: string, params?: Params): Promise<RunResult>;
  /** The first row, or `undefined` when there is none. */
  get<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined>;
  /** Every row. */
  all<T extends object = Row>(sql: string, params?: Params): Promise<T[]>;
  /** Several `;`-separated statements, without parameters (DDL, pragmas). */
  exec(sql: string): Promise<void>;
  /**
   * Runs the statements in order, atomically: all of them or none. Outside a
   * transaction it is one write transaction (and one round trip on a remote
   * server); inside one it is a savepoint.
   */
  batch(statements: readonly Statement[]): Promise<RunResult[]>;
}

/** The handle a transaction callback receives. Invalid once the callback settles. */
export type Transaction = Queryable;

/** How far an online backup has got, in database pages. */
export interface BackupProgress {
  /** Pages in the source database (it may change between steps if the source is written). */
  readonly totalPages: number;
  /** Pages still to copy; 0 in the last report. */
  readonly remainingPages: number;
}

/** Options of `SqliteConnection.backup`. */
export interface BackupOptions {
  /**
   * Called after each step of the copy, and once more at the end with
   * `remainingPages: 0`. A callback that throws aborts the backup: the
   * promise rejects with a `SqliteError` of code `ABORT` whose `cause` is
   * what it threw.
   */
  readonly onProgress?: (progress: BackupProgress) => void;
}

/**
 * One connection to one database. Calls from several async callers are
 * serialized; while a transaction is open, other callers' statements wait for
 * it to end and never run inside it.
 */
export interface SqliteConnection extends Queryable {
  /**
   * Runs `fn` inside BEGIN IMMEDIATE or BEGIN DEFERRED; commits when it
   * resolves and rolls back when it throws (rethrowing the error). Calling
   * `transaction` on the connection from inside `fn` rejects with a
   * `SqliteError` of code `MISUSE` (nested transactions are not supported:
   * use `tx.batch`, which is a savepoint, for an atomic sub-step).
   */
  transaction<T>(mode: TransactionMode, fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Runs a body written as a generator of statements (`TxSteps`) in one
   * transaction, with the same commit/rollback rules as `transaction`. When
   * the adapter answers synchronously, BEGIN to COMMIT runs without waiting
   * on a single promise, so the write lock is held for the statements alone.
   * A decorating wrapper that cannot do better implements it as
   * `transaction(mode, (tx) => runSteps(steps(), tx))`.
   */
  transactionSteps<T>(mode: TransactionMode, steps: () => TxSteps<T>): Promise<T>;
  /**
   * Runs a fixed list of statements as one write transaction (`BEGIN
   * IMMEDIATE`, the statements, `COMMIT`), all or none, and returns the rows
   * of each (`[]` for a statement without rows). For a hot write whose
   * conditions live in its SQL: on a server it is one request, where
   * `transaction` costs a round trip per statement. Outside a transaction
   * only: from inside one it rejects with `MISUSE`.
   */
  writeBatch(statements: readonly Statement[]): Promise<Row[][]>;
  /**
   * True when a transaction is open that `transaction()` did not start (a raw
   * `BEGIN` sent with `exec`). The pool checks it before reusing a connection.
   */
  inTransaction(): Promise<boolean>;
  /** Closes the connection. A second call is harmless; any other call after it rejects with code `CLOSED`. */
  close(): Promise<void>;
  /** Whether `close()` was called or the connection was found broken. */
  readonly closed: boolean;
  /**
   * Optional, present exactly when the driver's `capabilities.onlineBackup`
   * is true: copies this connection's main database page by page (SQLite's
   * online backup API) into `destination`, a file path whose directory exists
   * and which does not exist yet. The copy is complete, closed and has the
   * source's journal mode in its header when the promise resolves.
   *
   * It waits for a transaction open on this connection to end, then starts.
   * Once the first progress report is made, other callers' statements and
   * transactions on *this* connection run between the steps of the copy:
   * for a file SQLite folds their commits into the copy (for a private
   * in-memory database it restarts the copy at each commit instead), and a
   * step never copies while this connection has a write transaction open
   * (it waits for the commit or rollback). So every commit made on this connection before
   * the promise resolves is in the copy, and nothing uncommitted is. Writes
   * from *other* connections restart the copy: run it on the one connection
   * that writes (the pool's writer). Not allowed from inside this
   * connection's own transaction (`MISUSE`). Closing the connection aborts
   * it. Drivers without it get a copy through `VACUUM INTO` instead.
   */
  backup?(destination: string, options?: BackupOptions): Promise<void>;
}

/** What an adapter can do; suites and the core read it instead of guessing. */
export interface DriverCapabilities {
  /** The database is a file or `:memory:` on this machine. */
  readonly local: boolean;
  /** The database is on a server (libSQL over http/ws). */
  readonly remote: boolean;
  /**
   * Each `connect()` reaches the same database. False for a private
   * `:memory:` database: the pool then uses one connection for everything.
   */
  readonly sharedConnections: boolean;
  /** The target is a file (WAL applies, the file can be backed up or damaged). */
  readonly file: boolean;
  /** Native page-by-page backup with progress: connections have `backup()`. */
  readonly onlineBackup: boolean;
  /** The FTS5 extension is compiled in. */
  readonly fts5: boolean;
  /** `PRAGMA wal_checkpoint` is allowed (remote servers reject it). */
  readonly walCheckpoint: boolean;
  /** `VACUUM` and `VACUUM INTO` are allowed. */
  readonly vacuum: boolean;
  /**
   * True on a server (sqld): a write that meets another connection's write
   * lock waits on the server until the lock is released, or until the
   * server ends the holder's transaction at its own limit (about 5 s);
   * `busyTimeoutMs` does not apply (the server may still answer `BUSY` to a
   * write that waited past its own limit). Absent or false:
   * it fails `BUSY` once `busyTimeoutMs` has passed.
   */
  readonly queuesWriters?: boolean;
  /**
   * True when BEGIN travels with a transaction's first statement (a server
   * through `@libsql/client`: no round trip of its own), so
   * `transaction("immediate")` takes the write lock with that statement and
   * a transaction that has run nothing holds none. Absent or false: the lock
   * is held before the callback runs.
   */
  readonly beginsLazily?: boolean;
  /**
   * True when the driver would cut bound text at its first NUL (node:sqlite
   * of Node 22): the adapter then refuses text with a NUL inside with
   * `MISUSE` and writes nothing, rather than store less than it was given.
   * Absent or false: such text round-trips whole.
   */
  readonly refusesTextWithNul?: boolean;
}

/** Options the pool passes to every connection it opens. */
export interface ConnectOptions {
  /**
   * How long a connection waits on a locked database before SQLITE_BUSY.
   * Default 5000. (Both adapters wait for the write lock at BEGIN IMMEDIATE
   * on later turns of the event loop, not inside SQLite's busy handler.)
   */
  readonly busyTimeoutMs?: number;
  /** `synchronous` pragma: `normal` (survives crashes) or `full` (survives power loss). Default `normal`. */
  readonly durability?: "normal" | "full";
  /** Open read-only (readers of a file). Default false. */
  readonly readonly?: boolean;
  /**
   * This connection's page cache, in KiB (`PRAGMA cache_size = -N`). Default:
   * the driver's own (16 MiB for better-sqlite3, 2 MiB for libSQL). The pool
   * gives its readers a small one (`PoolOptions.readerCacheKiB`).
   */
  readonly cacheSizeKiB?: number;
  /**
   * Bytes of the database file read through memory mapping (`PRAGMA
   * mmap_size`); 0 = none. Default: the driver's own (0 for both adapters).
   * SQLite caps it at its build's limit (2 GiB for both). Files only.
   */
  readonly mmapSizeBytes?: number;
}

/** A factory for connections to one target, given to the adapter's factory. */
export interface SqliteDriver {
  /** The driver's name, e.g. `"better-sqlite3"` or `"libsql"`. */
  readonly name: string;
  /** Where the connections go, for messages and metrics (no secrets). */
  readonly target: string;
  /** What the driver can do; the pool adapts to it. */
  readonly capabilities: DriverCapabilities;
  /**
   * Optional: the absolute path of the database file when the target is a
   * plain (unencrypted) SQLite file on this machine; undefined otherwise.
   * With it, `openStore` inspects the file and its WAL with plain file reads
   * before any connection touches them (empty file, damaged WAL, foreign or
   * older database) and notices when the file is replaced under the store.
   * A driver without it gets none of these checks.
   */
  readonly localPath?: string;
  /**
   * Opens a new connection with the pragmas applied: `foreign_keys=ON`,
   * `busy_timeout`, and for files `journal_mode=WAL` and `synchronous`.
   */
  connect(options?: ConnectOptions): Promise<SqliteConnection>;
}

/**
 * One statement a transaction body yields (see `TxSteps`): a statement to
 * run, or an async sub-step (a rare path, e.g. restoring an archived
 * session) after which the rest of the body runs async.
 */
export type TxStep =
  | { readonly kind: "run"; readonly sql: string; readonly params?: Params }
  | { readonly kind: "get"; readonly sql: string; readonly params?: Params }
  | { readonly kind: "all"; readonly sql: string; readonly params?: Params }
  | { readonly kind: "exec"; readonly sql: string }
  | { readonly kind: "batch"; readonly statements: readonly Statement[] }
  | { readonly kind: "await"; readonly fn: (tx: Transaction) => Promise<unknown> };

/**
 * A transaction body written as a generator of the statements it wants run
 * (write it with the `step` helpers and `yield*`); it returns the
 * transaction's result. A failing statement is thrown into the body at its
 * `yield*`, so `try`/`catch` works as it does around an `await`.
 */
export type TxSteps<T> = Generator<TxStep, T, unknown>;
