import type { BackupOptions, RawConnection, TransactionMode } from "@llm-sessions/core/driver";
import type Database from "better-sqlite3";
import { BetterSqliteStatement } from "./statement.js";

type Db = Database.Database;
type Prepared = Database.Statement<unknown[], unknown>;

/**
 * Pages copied per backup step (4 MiB at the default page size). The copy
 * yields to the event loop between steps; bigger steps finish sooner, smaller
 * ones report progress more often. better-sqlite3's own default is 100.
 */
const BACKUP_PAGES_PER_STEP = 1024;

/**
 * One better-sqlite3 database handle as the contract's raw connection: it
 * answers synchronously. Core does the rest (statement cache, serializing,
 * lock wait, transaction lifecycle, errors).
 */
export class BetterSqliteConnection implements RawConnection {
  readonly #db: Db;
  readonly #begin: Record<TransactionMode, Prepared>;
  readonly #commit: Prepared;
  readonly #rollback: Prepared;

  constructor(db: Db) {
    this.#db = db;
    // Prepared once: cheaper than parsing BEGIN and COMMIT at every transaction.
    this.#begin = {
      immediate: db.prepare("BEGIN IMMEDIATE"),
      deferred: db.prepare("BEGIN DEFERRED"),
    };
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
  }

  prepare(sql: string): BetterSqliteStatement {
    return new BetterSqliteStatement(this.#db.prepare(sql));
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  begin(mode: TransactionMode): void {
    this.#begin[mode].run();
  }

  commit(): void {
    this.#commit.run();
  }

  rollback(): void {
    this.#rollback.run();
  }

  inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  /**
   * SQLite's online backup through better-sqlite3, in steps of
   * `BACKUP_PAGES_PER_STEP` pages. better-sqlite3 does not report the last
   * step, so the final `remainingPages: 0` is reported here. An `onProgress`
   * that throws ends the copy with its error; core makes that `ABORT`.
   */
  async backup(destination: string, { onProgress }: BackupOptions): Promise<void> {
    const last = await this.#db.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.({ totalPages, remainingPages });
        return BACKUP_PAGES_PER_STEP;
      },
    });
    onProgress?.({ totalPages: last.totalPages, remainingPages: 0 });
  }

  /** Closing never changes the journal mode (the file stays WAL); better-sqlite3 rolls back what is open. */
  close(): void {
    this.#db.close();
  }
}
