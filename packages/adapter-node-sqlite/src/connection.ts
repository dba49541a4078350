import * as sqlite from "node:sqlite";
import {
  type BackupOptions,
  type MaybePromise,
  type RawConnection,
  SqliteError,
  type TransactionMode,
} from "@llm-sessions/core/driver";
import { NodeSqliteStatement, type ParameterUse } from "./statement.js";

/** Pages per backup step (Node's default). Calls wait during the last step only, so it is kept short. */
const BACKUP_PAGES_PER_STEP = 100;
/** What may follow the one statement `prepare` takes: blanks, `;` and comments. */
const NOTHING_MORE = /^(?:\s|;|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*$/;

/**
 * One `DatabaseSync` as the contract's raw connection: it answers
 * synchronously (but while a backup finishes, see `backup`). Core does the
 * rest: statement cache, serializing, lock wait, transactions, errors.
 */
export class NodeSqliteConnection implements RawConnection {
  readonly #db: sqlite.DatabaseSync;
  /** Prepared once: cheaper than parsing BEGIN and COMMIT at every transaction. */
  readonly #tx: Record<TransactionMode | "commit" | "rollback", sqlite.StatementSync>;
  /** Settles when a backup's last step is done. */
  #paused: Promise<void> | undefined;

  constructor(db: sqlite.DatabaseSync) {
    this.#db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#tx = {
      immediate: p("BEGIN IMMEDIATE"),
      deferred: p("BEGIN DEFERRED"),
      commit: p("COMMIT"),
      rollback: p("ROLLBACK"),
    };
  }

  /** Runs `fn` now, or after the backup's last step while one is finishing. */
  readonly #when = <T>(fn: () => T): MaybePromise<T> =>
    this.#paused === undefined ? fn() : this.#paused.then(() => this.#when(fn));

  /** node:sqlite would prepare the first statement and drop the rest: refused, as SQLite's API does. */
  prepare(sql: string): NodeSqliteStatement {
    const stmt = this.#db.prepare(sql);
    if (!NOTHING_MORE.test(sql.slice(stmt.sourceSQL.length))) {
      throw new SqliteError("MISUSE", "prepare takes one statement; use exec for several");
    }
    return new NodeSqliteStatement(stmt, this.#parameters(stmt.sourceSQL), this.#when);
  }

  /**
   * The parameters a statement reads, from its bytecode (one `Variable` per
   * use, numbered): node:sqlite binds a missing one as NULL without a word.
   */
  #parameters(sql: string): ParameterUse {
    const used = new Set<number>();
    try {
      if (/[?:@$]/.test(sql)) {
        for (const op of this.#db.prepare(`EXPLAIN ${sql}`).all()) {
          if (op.opcode === "Variable") used.add(Number(op.p1));
        }
      }
    } catch {
      // Not explainable (an EXPLAIN itself): bound as given.
    }
    return { highest: Math.max(0, ...used), distinct: used.size };
  }

  exec(sql: string): MaybePromise<void> {
    return this.#when(() => this.#db.exec(sql));
  }

  begin(mode: TransactionMode): MaybePromise<void> {
    return this.#when(() => void this.#tx[mode].run());
  }

  commit(): MaybePromise<void> {
    return this.#when(() => void this.#tx.commit.run());
  }

  rollback(): MaybePromise<void> {
    return this.#when(() => void this.#tx.rollback.run());
  }

  inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  /**
   * SQLite's online backup (`sqlite.backup`, Node 22.16 and 23.8 on), with a
   * last report of `remainingPages: 0`. Node copies each step off the main
   * thread and settles a turn later: a write in between would be done but
   * not in the copy, so calls wait from the report before the last step.
   */
  async backup(destination: string, { onProgress }: BackupOptions): Promise<void> {
    let thrown: { error: unknown } | undefined;
    let finished = (): void => {};
    const report = (totalPages: number, remainingPages: number): void => {
      if (remainingPages <= BACKUP_PAGES_PER_STEP && this.#paused === undefined) {
        this.#paused = new Promise((resolve) => (finished = resolve));
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
      if (thrown === undefined) throw error;
      throw new SqliteError("ABORT", "backup aborted: onProgress threw", { cause: thrown.error });
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
