import {
  fromBigInt,
  type Params,
  type RawConnection,
  type RawStatement,
  type Row,
  type RunResult,
  SqliteError,
  type TransactionMode,
} from "@llm-sessions/core/driver";
import type Database from "libsql";
import { isBusy } from "../errors.js";
import { type BoundArgs, bindShape } from "../parameters.js";
import { explainAside } from "./explain.js";
import { NativeStatement } from "./statement.js";

type Db = Database.Database;

/** Asked right after a statement, on the same connection (core calls one statement at a time). */
const FIGURES = "SELECT changes(), last_insert_rowid()";
const SCHEMA_VERSION = "PRAGMA schema_version";

/** What a file's connection can open besides itself. */
export interface FileOpeners {
  /** A replacement with the same settings, pragmas applied (after BUSY, see below). */
  readonly reopen: () => Db;
  /** A bare second connection to the same file (for EXPLAIN, see `explain.ts`). */
  readonly openAside: () => Db;
}

/**
 * One connection of the `libsql` package (a local file or `:memory:`) as the
 * contract's raw connection; it answers synchronously. Core caches the
 * statements it prepares and does the rest.
 *
 * What the package does, and what that means here (0.5.29, checked):
 * - A prepared statement that fails with SQLITE_BUSY is never reset: it stays
 *   "in progress", so COMMIT fails with "SQL statements in progress" and reads
 *   keep an old snapshot until the statement runs again (the package resets
 *   a statement only when it runs; there is no reset or finalize call). So on
 *   a file the native connection is replaced after such a BUSY (`#heal`); an
 *   open transaction ends with it, and core refuses its later statements.
 *   `exec` finalizes its statements: a BUSY there (BEGIN IMMEDIATE) needs no
 *   healing, hence BEGIN/COMMIT go through `exec` (which is also faster than
 *   prepared BEGIN/COMMIT here).
 * - `stmt.run()` steps a statement that returns rows only once and does not
 *   reset it (same trouble as above): such statements are read with `all()`.
 * - `get()` does not reset a statement before binding: see `NativeStatement.first`.
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
  readonly #files: FileOpeners | undefined;
  /** The connection's own statements (FIGURES, SCHEMA_VERSION), remade with the native connection. */
  readonly #internal = new Map<string, NativeStatement>();
  /** Set when a replacement could not be opened: every call fails with it (CLOSED). */
  #broken: SqliteError | undefined;

  /**
   * `files` is given for a file; a private `:memory:` database cannot be
   * reopened, and nothing else can make it busy.
   */
  constructor(db: Db, files: FileOpeners | undefined) {
    this.#db = db;
    this.#files = files;
  }

  prepare(sql: string): RawStatement {
    const s = new NativeStatement(this.#usable(), sql);
    return {
      run: (params) => this.#step(s, params, (args) => this.#run(s, sql, args)),
      get: (params) => this.#step(s, params, (args) => this.#get(s, sql, args)),
      all: (params) => this.#step(s, params, (args) => this.#all(s, sql, args)),
    };
  }

  /** A raw BEGIN sent here stays open until COMMIT or ROLLBACK, as in SQLite. */
  exec(sql: string): void {
    this.#usable().exec(sql);
  }

  begin(mode: TransactionMode): void {
    this.#usable().exec(mode === "immediate" ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  }

  commit(): void {
    this.#usable().exec("COMMIT");
  }

  rollback(): void {
    this.#usable().exec("ROLLBACK");
  }

  inTransaction(): boolean {
    return this.#broken === undefined && this.#db.inTransaction;
  }

  close(): void {
    this.#internal.clear();
    const db = this.#db;
    rollbackIfOpen(db);
    if (this.#files !== undefined && !this.#broken) checkpointAtClose(db);
    // Nothing else: closing never changes the journal mode (a file stays WAL).
    retire(db);
  }

  #run(s: NativeStatement, sql: string, args: BoundArgs): RunResult {
    if (s.explain) {
      explainAside(this.#files?.openAside, sql, args);
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
  }

  #get(s: NativeStatement, sql: string, args: BoundArgs): Row | undefined {
    if (s.explain) return explainAside(this.#files?.openAside, sql, args)[0];
    // The contract allows get() on a statement that returns no data: it runs it.
    if (!s.reader) {
      s.run(args);
      return undefined;
    }
    const version = this.#schemaVersionFor(s);
    const values = s.first(args);
    return values === undefined ? undefined : s.row(values, version);
  }

  #all(s: NativeStatement, sql: string, args: BoundArgs): Row[] {
    if (s.explain) return explainAside(this.#files?.openAside, sql, args);
    if (!s.reader) {
      s.run(args);
      return [];
    }
    const version = this.#schemaVersionFor(s);
    return s.rows(s.all(args), version);
  }

  /** Puts `s` on the native connection in use, binds `params`, runs `op`; heals the connection after BUSY. */
  #step<T>(s: NativeStatement, params: Params | undefined, op: (args: BoundArgs) => T): T {
    const db = this.#usable();
    try {
      s.attach(db);
      return op(bindShape(s.shape, params));
    } catch (error) {
      if (isBusy(error)) this.#heal(db);
      throw error;
    }
  }

  /** `changes()` and `last_insert_rowid()` of the statement that just ran, exactly. */
  #figures(): RunResult {
    const [changes, rowid] = this.#own(FIGURES).first([]) as [bigint, bigint];
    return { changes: Number(changes), lastInsertRowid: fromBigInt(rowid) };
  }

  /** The schema version before `s` runs, when its column names depend on the schema. */
  #schemaVersionFor(s: NativeStatement): number | undefined {
    if (!s.needsSchemaVersion) return undefined;
    const [version] = this.#own(SCHEMA_VERSION).first([]) as [bigint];
    return Number(version);
  }

  #own(sql: string): NativeStatement {
    let s = this.#internal.get(sql);
    if (s === undefined) {
      s = new NativeStatement(this.#db, sql);
      this.#internal.set(sql, s);
    }
    return s;
  }

  #usable(): Db {
    if (this.#broken) throw this.#broken;
    return this.#db;
  }

  /**
   * Replaces the native connection after a BUSY left a statement in progress
   * (see the class comment). The old one is rolled back and closed; prepared
   * statements move to the new one when next run. An open transaction is
   * over (rolled back). A private `:memory:` database has no other
   * connection to be busy with, and reopening would lose it.
   */
  #heal(failed: Db): void {
    if (this.#files === undefined || failed !== this.#db || this.#broken) return;
    this.#internal.clear();
    retire(failed);
    try {
      this.#db = this.#files.reopen();
    } catch (error) {
      this.#broken = new SqliteError(
        "CLOSED",
        "the libsql connection could not be reopened after SQLITE_BUSY; open a new one",
        { cause: error },
      );
    }
  }
}

/**
 * What SQLite does when the last connection to a file closes: checkpoint
 * and empty the WAL. The package cannot close promptly (see the class
 * comment), so without this a store closed cleanly would leave its WAL
 * behind until the garbage collector ran. Never waits: with other
 * connections busy, it does nothing and they empty the WAL later.
 */
function checkpointAtClose(db: Db): void {
  try {
    db.exec("PRAGMA busy_timeout = 0; PRAGMA wal_checkpoint(TRUNCATE)");
  } catch {
    // A checkpoint is an optimization here; closing goes on.
  }
}

/** Rolls back what is open (see the class comment on close) and closes. */
function retire(db: Db): void {
  rollbackIfOpen(db);
  try {
    db.close();
  } catch {
    // Already closed, or broken: nothing more to release.
  }
}

function rollbackIfOpen(db: Db): void {
  try {
    if (db.inTransaction) db.exec("ROLLBACK");
  } catch {
    // Closing ends the transaction anyway (when the last statement is finalized).
  }
}
