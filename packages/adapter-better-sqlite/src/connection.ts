import {
  type BackupOptions,
  type RawConnection,
  SqliteError,
  type TransactionMode,
} from "@llm-sessions/core/driver";
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
   * step, so the final `remainingPages: 0` is reported here.
   */
  async backup(destination: string, options: BackupOptions): Promise<void> {
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

  /** Closing never changes the journal mode (the file stays WAL); better-sqlite3 rolls back what is open. */
  close(): void {
    this.#db.close();
  }
}
