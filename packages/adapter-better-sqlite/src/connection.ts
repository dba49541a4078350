import {
  type BackupOptions,
  LruCache,
  type Params,
  type RawConnection,
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
  /** Atomic batch: BEGIN IMMEDIATE..COMMIT, or a SAVEPOINT when a transaction is open. */
  readonly #batch: (statements: readonly Statement[]) => RunResult[];
  readonly #begin: Record<TransactionMode, Prepared>;
  readonly #commit: Prepared;
  readonly #rollback: Prepared;

  constructor(db: Db, statementCacheSize: number) {
    this.#db = db;
    // better-sqlite3 finalizes a statement when it is garbage collected, so eviction only drops it.
    this.#cache = new LruCache(statementCacheSize);
    // better-sqlite3's helper picks SAVEPOINT/RELEASE/ROLLBACK TO itself when
    // db.inTransaction, so the same function serves both cases of the contract.
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

  batch(statements: readonly Statement[]): RunResult[] {
    return this.#batch(statements);
  }

  begin(mode: TransactionMode): RawTransaction {
    this.#begin[mode].run();
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

  batch(statements: readonly Statement[]): RunResult[] {
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
