import * as sqlite from "node:sqlite";
import {
  type RawBackupOptions,
  type RawConnection,
  SqliteError,
  type TransactionMode,
} from "@llm-sessions/core/driver";
import { NodeSqliteStatement } from "./statement.js";

/** Pages per backup step (Node's default). Calls wait during the last step only, so it is kept short. */
const BACKUP_PAGES_PER_STEP = 100;
/** What may follow the one statement `prepare` takes: blanks, `;` and comments. */
const NOTHING_MORE = /^(?:\s|;|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*$/;

/**
 * One `DatabaseSync` as the contract's raw connection: it answers
 * synchronously. Core does the rest: statement cache, parameter checks,
 * serializing, lock wait, transactions, errors, holding calls during a
 * backup's last step.
 */
export class NodeSqliteConnection implements RawConnection {
  readonly #db: sqlite.DatabaseSync;
  /** Prepared once: cheaper than parsing BEGIN and COMMIT at every transaction. */
  readonly #tx: Record<TransactionMode | "commit" | "rollback", sqlite.StatementSync>;

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

  /** node:sqlite would prepare the first statement and drop the rest: refused, as SQLite's API does. */
  prepare(sql: string): NodeSqliteStatement {
    const stmt = this.#db.prepare(sql);
    if (!NOTHING_MORE.test(sql.slice(stmt.sourceSQL.length))) {
      throw new SqliteError("MISUSE", "prepare takes one statement; use exec for several");
    }
    return new NodeSqliteStatement(stmt);
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  begin(mode: TransactionMode): void {
    this.#tx[mode].run();
  }

  commit(): void {
    this.#tx.commit.run();
  }

  rollback(): void {
    this.#tx.rollback.run();
  }

  inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  /**
   * SQLite's online backup (`sqlite.backup`, Node 22.16 and 23.8 on), with a
   * last report of `remainingPages: 0`. Node copies each step off the main
   * thread and settles a turn later: a write in between would be done but
   * not in the copy, so core holds calls from the report before the last step.
   */
  async backup(destination: string, { onProgress, holdCalls }: RawBackupOptions): Promise<void> {
    const report = (totalPages: number, remainingPages: number): void => {
      if (remainingPages <= BACKUP_PAGES_PER_STEP) holdCalls?.();
      onProgress?.({ totalPages, remainingPages });
    };
    const total = await sqlite.backup(this.#db, destination, {
      rate: BACKUP_PAGES_PER_STEP,
      progress: (p) => report(p.totalPages, p.remainingPages),
    });
    report(total, 0);
  }

  /** Closing never changes the journal mode (the file stays WAL); SQLite rolls back what is open. */
  close(): void {
    this.#db.close();
  }
}
