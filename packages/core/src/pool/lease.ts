import type {
  BackupOptions,
  Params,
  Row,
  RunResult,
  SqliteConnection,
  Statement,
  Transaction,
  TransactionMode,
  TxSteps,
} from "../driver/types.js";
import { PoolMisuseError } from "./errors.js";

/**
 * The connection a `read()` or `withWriter()` callback receives: it forwards
 * to the pooled connection until the callback settles, then refuses every
 * call. A handle kept past its callback could otherwise run statements on a
 * connection the pool has since lent to someone else — possibly inside their
 * open transaction.
 */
export class LeasedConnection implements SqliteConnection {
  readonly #conn: SqliteConnection;
  #revoked = false;
  /** Forwarded only when the pooled connection has it (the driver's online backup). */
  declare readonly backup?: (destination: string, options?: BackupOptions) => Promise<void>;

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
    if (typeof conn.backup === "function") {
      Object.defineProperty(this, "backup", {
        value: async (destination: string, options?: BackupOptions) =>
          this.#use().backup?.(destination, options),
      });
    }
  }

  /** Ends the lease: every later call rejects with `PoolMisuseError`. */
  revoke(): void {
    this.#revoked = true;
  }

  get closed(): boolean {
    return this.#revoked || this.#conn.closed;
  }

  async run(sql: string, params?: Params): Promise<RunResult> {
    return this.#use().run(sql, params);
  }

  async get<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.#use().get<T>(sql, params);
  }

  async all<T extends object = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.#use().all<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    return this.#use().exec(sql);
  }

  async batch(statements: readonly Statement[]): Promise<RunResult[]> {
    return this.#use().batch(statements);
  }

  async transaction<T>(mode: TransactionMode, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#use().transaction(mode, fn);
  }

  async transactionSteps<T>(mode: TransactionMode, steps: () => TxSteps<T>): Promise<T> {
    return this.#use().transactionSteps(mode, steps);
  }

  async writeBatch(statements: readonly Statement[]): Promise<Row[][]> {
    return this.#use().writeBatch(statements);
  }

  async inTransaction(): Promise<boolean> {
    return this.#use().inTransaction();
  }

  /** Refused: the pool owns the connection and decides when it closes. */
  async close(): Promise<void> {
    throw new PoolMisuseError(
      "a pooled connection cannot be closed by its borrower; the pool closes it (pool.close())",
    );
  }

  #use(): SqliteConnection {
    if (this.#revoked) {
      throw new PoolMisuseError(
        "this connection was used after its pool callback had settled; use the handle only inside the callback",
      );
    }
    return this.#conn;
  }
}
