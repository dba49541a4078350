import {
  type Params,
  type RawTransaction,
  type Row,
  type RunResult,
  SqliteError,
  type Statement,
} from "@llm-sessions/core";
import type { NativeConnection } from "./connection.js";

/**
 * A transaction begun on a native connection. Statements go to the same
 * connection, but only while the transaction is still open: SQLite rolls a
 * transaction back on its own after some errors (FULL, IOERR), a raw COMMIT
 * or ROLLBACK through `tx.exec` ends it, and a BUSY replaces the connection
 * (see `NativeConnection`). A statement run after that would silently run
 * outside any transaction (autocommit), so it fails with ABORT instead, and
 * so does `commit`.
 */
export class NativeTransaction implements RawTransaction {
  readonly #conn: NativeConnection;
  /** The native connection the transaction was begun on. */
  readonly #generation: number;

  constructor(conn: NativeConnection, generation: number) {
    this.#conn = conn;
    this.#generation = generation;
  }

  run(sql: string, params?: Params): RunResult {
    return this.#open().run(sql, params);
  }

  get(sql: string, params?: Params): Row | undefined {
    return this.#open().get(sql, params);
  }

  all(sql: string, params?: Params): Row[] {
    return this.#open().all(sql, params);
  }

  exec(sql: string): void {
    this.#open().exec(sql);
  }

  batch(statements: readonly Statement[]): RunResult[] | Promise<RunResult[]> {
    // Inside the open transaction the connection's batch is a savepoint.
    return this.#open().batch(statements);
  }

  commit(): void {
    this.#open().end("COMMIT");
  }

  /** Nothing to undo when SQLite or a replaced connection already ended it. */
  rollback(): void {
    if (this.#conn.isOpen(this.#generation)) this.#conn.end("ROLLBACK");
  }

  #open(): NativeConnection {
    if (!this.#conn.isOpen(this.#generation)) {
      throw new SqliteError(
        "ABORT",
        "the transaction is over: SQLite rolled it back after an error (BUSY, FULL, IOERR), or a COMMIT or ROLLBACK was sent through exec; start a new one",
      );
    }
    return this.#conn;
  }
}
