import {
  fromBigInt,
  LruCache,
  type Params,
  type LegacyRawConnection as RawConnection,
  type RawTransaction,
  type Row,
  type RunResult,
  SqliteError,
  type Statement,
  type TransactionMode,
} from "@llm-sessions/core";
import type Database from "libsql";
import { isBusy, mapLibsqlError } from "../errors.js";
import { type LockAttempt, withoutBlocking } from "../lock-wait.js";
import { type BoundArgs, bindShape } from "../parameters.js";
import { explainAside } from "./explain.js";
import { NativeStatement } from "./statement.js";
import { NativeTransaction } from "./transaction.js";

type Db = Database.Database;

/** Asked right after a statement, on the same connection (the wrapper's mutex keeps anyone else out). */
const FIGURES = "SELECT changes(), last_insert_rowid()";
const SCHEMA_VERSION = "PRAGMA schema_version";
/** `batch` inside an open transaction runs in this savepoint, so that it is all or nothing. */
const SAVEPOINT = "llm_sessions_batch";
/** BEGIN IMMEDIATE without SQLite's busy wait (see `lock-wait.ts`); the pragma applies when prepared, so `exec`. */
const BEGIN_NO_WAIT = "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE";

/**
 * One connection of the `libsql` package (a local file or `:memory:`) as the
 * contract's raw connection. Core's `wrapConnection` adds the mutex, CLOSED
 * and MISUSE errors and the transaction lifecycle; this class runs
 * statements, synchronously, from a bounded cache of prepared statements.
 *
 * What the package does, and what that means here (0.5.29, checked):
 * - A prepared statement that fails with SQLITE_BUSY is never reset: it stays
 *   "in progress", so COMMIT fails with "SQL statements in progress" and reads
 *   keep an old snapshot until the statement runs again (the package resets
 *   a statement only when it runs; there is no reset or finalize call). So on
 *   a file the native connection is replaced after such a BUSY (`#heal`); an
 *   open transaction ends with it. `exec` finalizes its statements: a BUSY
 *   there (BEGIN IMMEDIATE) needs no healing, hence BEGIN/COMMIT go through
 *   `exec` (which is also faster than prepared BEGIN/COMMIT here).
 * - `stmt.run()` steps a statement that returns rows only once and does not
 *   reset it (same trouble as above): such statements are read with `all()`.
 * - `get()` does not reset a statement before binding: after a failure, a
 *   `run()` or an `all()` it would replay the old parameters or error, so
 *   `NativeStatement.first` guards it (see there).
 * - `run()` reports `changes: 0` for `... RETURNING` and passes the rowid
 *   through a double: both are read again with `changes()` and
 *   `last_insert_rowid()` when needed.
 * - EXPLAIN never finishes (see `explain.ts`): it runs on a second connection.
 * - Closing the database leaves the native connection open while statements
 *   still refer to it (until the garbage collector finalizes them), with its
 *   transaction and locks, and without the checkpoint SQLite makes when the
 *   last connection closes: `close` rolls back and checkpoints first.
 */
export class NativeConnection implements RawConnection {
  #db: Db;
  /** Opens a replacement with the same settings (after BUSY, see above). */
  readonly #reopen: (() => Db) | undefined;
  /** Opens a bare second connection to the same file (for EXPLAIN, see `explain.ts`). */
  readonly #openAside: (() => Db) | undefined;
  readonly #cache: LruCache<string, NativeStatement>;
  /** Bumped whenever the native connection is replaced: a transaction of an older one is over. */
  #generation = 0;
  /** Set when a replacement could not be opened: every call fails with it (CLOSED). */
  #broken: SqliteError | undefined;
  readonly #busyTimeoutMs: number;
  /** Restores the busy timeout after `BEGIN_NO_WAIT`. */
  readonly #wait: string;

  /**
   * `reopen` and `openAside` are given for a file; a private `:memory:`
   * database cannot be reopened, and nothing else can make it busy.
   */
  constructor(
    db: Db,
    files: { reopen: () => Db; openAside: () => Db } | undefined,
    statementCacheSize: number,
    busyTimeoutMs: number,
  ) {
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#wait = `PRAGMA busy_timeout = ${busyTimeoutMs}`;
    this.#reopen = files?.reopen;
    this.#openAside = files?.openAside;
    // The package finalizes a statement when it is garbage collected, so eviction only drops it.
    this.#cache = new LruCache(statementCacheSize);
  }

  /** How many prepared statements the cache holds now (for tests). */
  get cachedStatements(): number {
    return this.#cache.size;
  }

  /** Which native connection is in use: a transaction remembers it (see `NativeTransaction`). */
  get generation(): number {
    return this.#generation;
  }

  run(sql: string, params?: Params): RunResult {
    return this.#step(sql, params, (s, args) => {
      if (s.explain) {
        explainAside(this.#openAside, sql, args);
        return { changes: 0, lastInsertRowid: this.#figures().lastInsertRowid };
      }
      if (!s.reader) {
        const { changes, lastInsertRowid } = s.run(args);
        if (typeof lastInsertRowid === "number" && Number.isSafeInteger(lastInsertRowid)) {
          return { changes, lastInsertRowid };
        }
        // Passed through a double: beyond 2^53 it may be rounded. Read it exactly.
        return { changes, lastInsertRowid: this.#figures().lastInsertRowid };
      }
      // To the end: run() would step once and leave the statement in progress.
      s.all(args);
      const figures = this.#figures();
      return {
        changes: s.returning ? figures.changes : 0,
        lastInsertRowid: figures.lastInsertRowid,
      };
    });
  }

  get(sql: string, params?: Params): Row | undefined {
    return this.#step(sql, params, (s, args) => {
      if (s.explain) return explainAside(this.#openAside, sql, args)[0];
      // The contract allows get() on a statement that returns no data: it runs it.
      if (!s.reader) {
        s.run(args);
        return undefined;
      }
      const version = this.#schemaVersionFor(s);
      const values = s.first(args);
      return values === undefined ? undefined : s.row(values, version);
    });
  }

  all(sql: string, params?: Params): Row[] {
    return this.#step(sql, params, (s, args) => {
      if (s.explain) return explainAside(this.#openAside, sql, args);
      if (!s.reader) {
        s.run(args);
        return [];
      }
      const version = this.#schemaVersionFor(s);
      return s.rows(s.all(args), version);
    });
  }

  /** A raw BEGIN sent here stays open until COMMIT or ROLLBACK, as in SQLite. */
  exec(sql: string): void {
    this.#usable().exec(sql);
  }

  /**
   * Atomic: BEGIN IMMEDIATE (as `begin` takes it) ... COMMIT, or a savepoint
   * inside an open transaction (the wrapper's or a raw BEGIN). ROLLBACK (TO)
   * when one fails.
   */
  batch(statements: readonly Statement[]): RunResult[] | Promise<RunResult[]> {
    const db = this.#usable();
    if (db.inTransaction) return this.#batchInSavepoint(statements);
    const begun = withoutBlocking(() => this.#tryBeginImmediate(db), this.#busyTimeoutMs);
    return begun instanceof Promise
      ? begun.then(() => this.#batchAndCommit(db, statements))
      : this.#batchAndCommit(db, statements);
  }

  #batchAndCommit(db: Db, statements: readonly Statement[]): RunResult[] {
    try {
      const results = statements.map((s) => this.run(s.sql, s.params));
      this.#db.exec("COMMIT");
      return results;
    } catch (error) {
      this.#rollbackIfOpen(db);
      throw error;
    }
  }

  /**
   * BEGIN IMMEDIATE waits for the write lock on later turns of the event
   * loop, never inside SQLite's busy handler (see `lock-wait.ts`); a
   * deferred BEGIN takes no lock.
   */
  begin(mode: TransactionMode): RawTransaction | Promise<RawTransaction> {
    const db = this.#usable();
    if (mode === "deferred") {
      db.exec("BEGIN DEFERRED");
      return new NativeTransaction(this, this.#generation);
    }
    return withoutBlocking(() => {
      const begun = this.#tryBeginImmediate(db);
      return begun.ok ? { ok: true, value: new NativeTransaction(this, this.#generation) } : begun;
    }, this.#busyTimeoutMs);
  }

  /** One try at BEGIN IMMEDIATE on `db` (the connection `begin` was called on), without SQLite's wait. */
  #tryBeginImmediate(db: Db): LockAttempt<void> {
    // A retry after close or a replacement must not begin on a retired connection.
    if (db !== this.#usable()) {
      throw new SqliteError(
        "ABORT",
        "the libsql connection was replaced while waiting for the write lock",
      );
    }
    if (this.#reopen === undefined) {
      // A private in-memory database has no other connection to hold the lock.
      db.exec("BEGIN IMMEDIATE");
      return { ok: true, value: undefined };
    }
    try {
      db.exec(BEGIN_NO_WAIT);
      return { ok: true, value: undefined };
    } catch (error) {
      if (isBusy(error)) return { ok: false, busy: error };
      throw error;
    } finally {
      db.exec(this.#wait);
    }
  }

  inTransaction(): boolean {
    return this.#usable().inTransaction;
  }

  /** Whether the transaction begun on native connection `generation` is still open. */
  isOpen(generation: number): boolean {
    return generation === this.#generation && !this.#broken && this.#db.inTransaction;
  }

  /** Commits or rolls back the open transaction (for `NativeTransaction`). */
  end(how: "COMMIT" | "ROLLBACK"): void {
    this.#usable().exec(how);
  }

  close(): void {
    this.#cache.clear();
    const db = this.#db;
    this.#rollbackIfOpen(db);
    if (this.#reopen !== undefined && !this.#broken) this.#checkpointAtClose(db);
    // Nothing else: closing never changes the journal mode (a file stays WAL).
    this.#retire(db);
  }

  mapError(error: unknown): SqliteError {
    return mapLibsqlError(error);
  }

  /** Prepares (or finds) `sql`, binds `params`, runs `op`; heals the connection after BUSY. */
  #step<T>(
    sql: string,
    params: Params | undefined,
    op: (s: NativeStatement, args: BoundArgs) => T,
  ): T {
    const db = this.#usable();
    try {
      const s = this.#prepare(db, sql);
      return op(s, bindShape(s.shape, params));
    } catch (error) {
      if (isBusy(error)) this.#heal(db);
      throw error;
    }
  }

  #batchInSavepoint(statements: readonly Statement[]): RunResult[] {
    const db = this.#db;
    db.exec(`SAVEPOINT ${SAVEPOINT}`);
    try {
      const results = statements.map((s) => this.run(s.sql, s.params));
      db.exec(`RELEASE ${SAVEPOINT}`);
      return results;
    } catch (error) {
      // SQLite may have rolled back the whole transaction already (FULL, IOERR), or a BUSY replaced the connection.
      if (db === this.#db && db.inTransaction) {
        try {
          db.exec(`ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
        } catch {
          // Part of the batch may remain: the transaction must not commit. Later statements fail with ABORT.
          this.#rollbackIfOpen(db);
        }
      }
      throw error;
    }
  }

  /** `changes()` and `last_insert_rowid()` of the statement that just ran, exactly. */
  #figures(): RunResult {
    const s = this.#prepare(this.#db, FIGURES);
    const [changes, rowid] = s.first([]) as [bigint, bigint];
    return { changes: Number(changes), lastInsertRowid: fromBigInt(rowid) };
  }

  /** The schema version before `s` runs, when its column names depend on the schema. */
  #schemaVersionFor(s: NativeStatement): number | undefined {
    if (!s.needsSchemaVersion) return undefined;
    const [version] = this.#prepare(this.#db, SCHEMA_VERSION).first([]) as [bigint];
    return Number(version);
  }

  #prepare(db: Db, sql: string): NativeStatement {
    let s = this.#cache.get(sql);
    if (s === undefined) {
      s = new NativeStatement(db, sql);
      this.#cache.set(sql, s);
    }
    return s;
  }

  #usable(): Db {
    if (this.#broken) throw this.#broken;
    return this.#db;
  }

  /**
   * Replaces the native connection after a BUSY left a statement in progress
   * (see the class comment). The old one is rolled back and closed; its
   * statements are dropped. An open transaction is over (rolled back): its
   * later statements fail with ABORT. A private `:memory:` database has no
   * other connection to be busy with, and reopening would lose it.
   */
  #heal(failed: Db): void {
    if (this.#reopen === undefined || failed !== this.#db || this.#broken) return;
    this.#cache.clear();
    this.#generation++;
    this.#retire(failed);
    try {
      this.#db = this.#reopen();
    } catch (error) {
      this.#broken = new SqliteError(
        "CLOSED",
        "the libsql connection could not be reopened after SQLITE_BUSY; open a new one",
        { cause: error },
      );
    }
  }

  /**
   * What SQLite does when the last connection to a file closes: checkpoint
   * and empty the WAL. The package cannot close promptly (see the class
   * comment), so without this a store closed cleanly would leave its WAL
   * behind until the garbage collector ran. Never waits: with other
   * connections busy, it does nothing and they empty the WAL later.
   */
  #checkpointAtClose(db: Db): void {
    try {
      db.exec("PRAGMA busy_timeout = 0; PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // A checkpoint is an optimization here; closing goes on.
    }
  }

  /** Rolls back what is open (see the class comment on close) and closes. */
  #retire(db: Db): void {
    this.#rollbackIfOpen(db);
    try {
      db.close();
    } catch {
      // Already closed, or broken: nothing more to release.
    }
  }

  #rollbackIfOpen(db: Db): void {
    try {
      if (db.inTransaction) db.exec("ROLLBACK");
    } catch {
      // Closing ends the transaction anyway (when the last statement is finalized).
    }
  }
}
