import * as sqlite from "node:sqlite";
import {
  type BackupOptions,
  type MaybePromise,
  type RawConnection,
  SqliteError,
  type TransactionMode,
} from "@llm-sessions/core/driver";
import { NodeSqliteStatement } from "./statement.js";

/**
 * Pages copied per backup step (400 KiB at the default page size; Node's own
 * default is 100). Node runs each step off the main thread; calls wait only
 * during the last one, so smaller steps keep that wait short.
 */
const BACKUP_PAGES_PER_STEP = 100;
/** What may follow the one statement `prepare` takes: nothing but blanks, `;` and comments. */
const NOTHING_MORE = /^(?:\s|;|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*$/;

/**
 * One `DatabaseSync` as the contract's raw connection: it answers
 * synchronously. Core does the rest (statement cache, serializing, lock
 * wait, transaction lifecycle, errors).
 */
export class NodeSqliteConnection implements RawConnection {
  readonly #db: sqlite.DatabaseSync;
  readonly #begin: Record<TransactionMode, sqlite.StatementSync>;
  readonly #commit: sqlite.StatementSync;
  readonly #rollback: sqlite.StatementSync;
  /** Settles when a backup's last step is done; calls wait for it meanwhile. */
  #paused: Promise<void> | undefined;

  constructor(db: sqlite.DatabaseSync) {
    this.#db = db;
    // Prepared once: cheaper than parsing BEGIN and COMMIT at every transaction.
    this.#begin = {
      immediate: db.prepare("BEGIN IMMEDIATE"),
      deferred: db.prepare("BEGIN DEFERRED"),
    };
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
  }

  /**
   * node:sqlite prepares the first statement of the text and ignores the
   * rest; the contract wants that refused (`MISUSE`), as SQLite's API does.
   */
  prepare(sql: string): NodeSqliteStatement {
    const stmt = this.#db.prepare(sql);
    if (!NOTHING_MORE.test(sql.slice(stmt.sourceSQL.length))) {
      throw new SqliteError("MISUSE", "prepare takes one statement; use exec for several");
    }
    return new NodeSqliteStatement(stmt, {
      parameters: this.#parameters(stmt.sourceSQL),
      paused: () => this.#paused,
    });
  }

  /**
   * The parameters a statement reads, from its bytecode (one `Variable` per
   * use, numbered): node:sqlite binds a missing one as NULL without a word.
   */
  #parameters(sql: string): { readonly highest: number; readonly distinct: number } {
    if (!/[?:@$]/.test(sql)) return { highest: 0, distinct: 0 };
    const used = new Set<number>();
    try {
      for (const op of this.#db.prepare(`EXPLAIN ${sql}`).all()) {
        if (op.opcode === "Variable") used.add(Number(op.p1));
      }
    } catch {
      // Not explainable (an EXPLAIN itself): bound as given.
    }
    return { highest: Math.max(0, ...used), distinct: used.size };
  }

  exec(sql: string): MaybePromise<void> {
    return this.#paused?.then(() => this.exec(sql)) ?? this.#db.exec(sql);
  }

  begin(mode: TransactionMode): MaybePromise<void> {
    return this.#paused?.then(() => this.begin(mode)) ?? void this.#begin[mode].run();
  }

  commit(): MaybePromise<void> {
    return this.#paused?.then(() => this.commit()) ?? void this.#commit.run();
  }

  rollback(): MaybePromise<void> {
    return this.#paused?.then(() => this.rollback()) ?? void this.#rollback.run();
  }

  inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  /**
   * SQLite's online backup through `sqlite.backup`, with a last report of
   * `remainingPages: 0`. Node copies each step off the main thread and
   * settles the promise a turn later; a write in between would be done but
   * not in the copy, so calls wait (`#paused`) from the report before the
   * last step until the copy is finished: a stall of one step at most.
   */
  async backup(destination: string, { onProgress }: BackupOptions): Promise<void> {
    let thrown: { error: unknown } | undefined;
    let finished = (): void => {};
    const report = (totalPages: number, remainingPages: number): void => {
      if (remainingPages <= BACKUP_PAGES_PER_STEP && this.#paused === undefined) {
        this.#paused = new Promise((resolve) => {
          finished = resolve;
        });
      }
      try {
        onProgress?.({ totalPages, remainingPages });
      } catch (error) {
        thrown = { error };
        throw error;
      }
    };
    try {
      const total = await sqlite.backup(this.#db, destination, {
        rate: BACKUP_PAGES_PER_STEP,
        progress: (p) => report(p.totalPages, p.remainingPages),
      });
      report(total, 0);
    } catch (error) {
      if (thrown !== undefined) {
        throw new SqliteError("ABORT", "backup aborted: the onProgress callback threw", {
          cause: thrown.error,
        });
      }
      throw error;
    } finally {
      this.#paused = undefined;
      finished();
    }
  }

  /** Closing never changes the journal mode (the file stays WAL); SQLite rolls back what is open. */
  close(): void {
    this.#db.close();
  }
}
