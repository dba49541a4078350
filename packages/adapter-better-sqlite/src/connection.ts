import {
  type BackupOptions,
  LruCache,
  type Params,
  type LegacyRawConnection as RawConnection,
  type RawTransaction,
  type Row,
  type RowBuilder,
  type RunResult,
  rowBuilder,
  SqliteError,
  type Statement,
  type TransactionMode,
} from "@llm-sessions/core";
import type Database from "better-sqlite3";
import { mapError } from "./errors.js";
import { type LockAttempt, withoutBlocking } from "./lock-wait.js";
import { bindArgs, toRunResult } from "./values.js";

type Db = Database.Database;
type Prepared = Database.Statement<unknown[], unknown>;

/**
 * A cached statement. Statements that return rows run in raw mode (arrays)
 * and `build` shapes each array into a row object: faster than
 * better-sqlite3's own row objects (see core's `rowBuilder`).
 */
interface Entry {
  readonly stmt: Prepared;
  /** null for statements that return no data. */
  build: RowBuilder | null;
  columns: number;
}

/**
 * Pages copied per backup step (4 MiB at the default page size). The copy
 * yields to the event loop between steps; bigger steps finish sooner, smaller
 * ones report progress more often. better-sqlite3's own default is 100.
 */
const BACKUP_PAGES_PER_STEP = 1024;

/**
 * One better-sqlite3 database handle as the contract's raw connection. Core's
 * `wrapConnection` adds the mutex, CLOSED and MISUSE errors and the
 * transaction lifecycle; this class only runs statements, synchronously.
 */
export class BetterSqliteConnection implements RawConnection {
  readonly #db: Db;
  readonly #cache: LruCache<string, Entry>;
  /** Atomic batch inside an open transaction: a SAVEPOINT. */
  readonly #batch: (statements: readonly Statement[]) => RunResult[];
  readonly #begin: Record<TransactionMode, Prepared>;
  readonly #commit: Prepared;
  readonly #rollback: Prepared;
  /**
   * `busy_timeout` off and back on around BEGIN IMMEDIATE (see `lock-wait.ts`).
   * Run with `exec`: SQLite applies this pragma when it is prepared, not when it runs.
   */
  readonly #noWait = "PRAGMA busy_timeout = 0";
  readonly #wait: string;
  readonly #busyTimeoutMs: number;

  constructor(db: Db, statementCacheSize: number, busyTimeoutMs: number) {
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#wait = `PRAGMA busy_timeout = ${busyTimeoutMs}`;
    // better-sqlite3 finalizes a statement when it is garbage collected, so eviction only drops it.
    this.#cache = new LruCache(statementCacheSize);
    // Called only with a transaction open: better-sqlite3's helper then uses a savepoint.
    this.#batch = db.transaction((statements: readonly Statement[]) =>
      statements.map((s) => this.run(s.sql, s.params)),
    ).immediate;
    this.#begin = {
      immediate: db.prepare("BEGIN IMMEDIATE"),
      deferred: db.prepare("BEGIN DEFERRED"),
    };
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
  }

  /** How many prepared statements the cache holds now (for tests and metrics). */
  get cachedStatements(): number {
    return this.#cache.size;
  }

  run(sql: string, params?: Params): RunResult {
    // run() works on statements that return rows too (INSERT ... RETURNING): they are stepped through.
    return toRunResult(this.#prepare(sql).stmt.run(...bindArgs(params)));
  }

  get(sql: string, params?: Params): Row | undefined {
    const entry = this.#prepare(sql);
    // better-sqlite3 refuses get() on a statement that returns no data; the contract does not.
    if (entry.build === null) {
      entry.stmt.run(...bindArgs(params));
      return undefined;
    }
    const values = entry.stmt.get(...bindArgs(params)) as unknown[] | undefined;
    return values === undefined ? undefined : this.#builder(entry, values)(values);
  }

  all(sql: string, params?: Params): Row[] {
    const entry = this.#prepare(sql);
    if (entry.build === null) {
      entry.stmt.run(...bindArgs(params));
      return [];
    }
    const rows = entry.stmt.all(...bindArgs(params)) as unknown[][];
    const out = new Array<Row>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const values = rows[i] as unknown[];
      out[i] = this.#builder(entry, values)(values);
    }
    return out;
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  /** Inside a transaction a savepoint; outside, its own transaction, begun as `begin` does. */
  batch(statements: readonly Statement[]): RunResult[] | Promise<RunResult[]> {
    if (this.#db.inTransaction) return this.#batch(statements);
    const begun = withoutBlocking(() => this.#tryBeginImmediate(), this.#busyTimeoutMs);
    return begun instanceof Promise
      ? begun.then(() => this.#batchAndCommit(statements))
      : this.#batchAndCommit(statements);
  }

  #batchAndCommit(statements: readonly Statement[]): RunResult[] {
    try {
      const results = statements.map((s) => this.run(s.sql, s.params));
      this.#commit.run();
      return results;
    } catch (error) {
      this.#rollbackIfOpen();
      throw error;
    }
  }

  /**
   * BEGIN IMMEDIATE waits for the write lock on later turns of the event
   * loop, never inside SQLite's busy handler (see `lock-wait.ts`); a
   * deferred BEGIN takes no lock.
   */
  begin(mode: TransactionMode): RawTransaction | Promise<RawTransaction> {
    if (mode === "deferred") {
      this.#begin.deferred.run();
      return this.#transaction();
    }
    return withoutBlocking(() => this.#tryBeginImmediate(), this.#busyTimeoutMs);
  }

  #tryBeginImmediate(): LockAttempt<RawTransaction> {
    if (this.#db.memory) {
      // A private in-memory database has no other connection to hold the lock.
      this.#begin.immediate.run();
      return { ok: true, value: this.#transaction() };
    }
    this.#db.exec(this.#noWait);
    try {
      this.#begin.immediate.run();
      return { ok: true, value: this.#transaction() };
    } catch (error) {
      if (isBusy(error)) return { ok: false, busy: error };
      throw error;
    } finally {
      this.#db.exec(this.#wait);
    }
  }

  #transaction(): RawTransaction {
    return new BetterSqliteTransaction(
      this,
      () => this.#commit.run(),
      () => this.#rollbackIfOpen(),
    );
  }

  inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  /**
   * SQLite's online backup through better-sqlite3, in steps of
   * `BACKUP_PAGES_PER_STEP` pages. better-sqlite3 does not report the last
   * step, so the final `remainingPages: 0` is reported here.
   */
  async backup(destination: string, options: BackupOptions = {}): Promise<void> {
    const { onProgress } = options;
    let thrown: { error: unknown } | undefined;
    const report = (totalPages: number, remainingPages: number): void => {
      try {
        onProgress?.({ totalPages, remainingPages });
      } catch (error) {
        thrown = { error };
        throw error;
      }
    };
    try {
      const last = await this.#db.backup(destination, {
        progress: (p) => {
          report(p.totalPages, p.remainingPages);
          return BACKUP_PAGES_PER_STEP;
        },
      });
      report(last.totalPages, 0);
    } catch (error) {
      if (thrown && error === thrown.error) {
        throw new SqliteError("ABORT", "backup aborted: the onProgress callback threw", {
          cause: error,
        });
      }
      throw error;
    }
  }

  close(): void {
    this.#cache.clear();
    // Nothing else: closing never changes the journal mode (the file stays WAL).
    this.#db.close();
  }

  mapError(error: unknown): SqliteError {
    return mapError(error);
  }

  /** SQLite may already have rolled back on its own (e.g. after SQLITE_FULL): ROLLBACK would then fail. */
  #rollbackIfOpen(): void {
    if (this.#db.inTransaction) this.#rollback.run();
  }

  #prepare(sql: string): Entry {
    let entry = this.#cache.get(sql);
    if (entry === undefined) {
      const stmt = this.#db.prepare(sql);
      // Integers (rows and lastInsertRowid) are read as bigint so that none
      // beyond 2^53 is rounded; the row builder and values.ts narrow the safe ones to numbers.
      stmt.safeIntegers(true);
      entry = { stmt, build: null, columns: 0 };
      if (stmt.reader) {
        stmt.raw(true);
        this.#rebuild(entry);
      }
      this.#cache.set(sql, entry);
    }
    return entry;
  }

  /**
   * The entry's builder, remade if the statement's columns changed: SQLite
   * re-prepares a statement after a schema change, so `SELECT *` can gain or
   * lose columns between two runs of the same cached statement. (A rename
   * that keeps the count is not seen; every statement of the store names its
   * columns, so only a hand-written `SELECT *` across a rename could be.)
   */
  #builder(entry: Entry, values: readonly unknown[]): RowBuilder {
    if (values.length !== entry.columns) this.#rebuild(entry);
    return entry.build as RowBuilder;
  }

  #rebuild(entry: Entry): void {
    const names = entry.stmt.columns().map((c) => c.name);
    entry.build = rowBuilder(names);
    entry.columns = names.length;
  }
}

/** An open transaction: statements go to the same database handle. */
class BetterSqliteTransaction implements RawTransaction {
  readonly #conn: BetterSqliteConnection;
  readonly #commit: () => void;
  readonly #rollback: () => void;

  constructor(conn: BetterSqliteConnection, commit: () => void, rollback: () => void) {
    this.#conn = conn;
    this.#commit = commit;
    this.#rollback = rollback;
  }

  run(sql: string, params?: Params): RunResult {
    return this.#conn.run(sql, params);
  }

  get(sql: string, params?: Params): Row | undefined {
    return this.#conn.get(sql, params);
  }

  all(sql: string, params?: Params): Row[] {
    return this.#conn.all(sql, params);
  }

  exec(sql: string): void {
    this.#conn.exec(sql);
  }

  batch(statements: readonly Statement[]): RunResult[] | Promise<RunResult[]> {
    // Inside the open transaction the batch helper uses a savepoint.
    return this.#conn.batch(statements);
  }

  commit(): void {
    this.#commit();
  }

  rollback(): void {
    this.#rollback();
  }
}

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY, ...). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}
