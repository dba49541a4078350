import type { Transaction as ClientTransaction } from "@libsql/client";
import {
  type Params,
  type RawTransaction,
  type Row,
  type RunResult,
  SqliteError,
  type Statement,
} from "@llm-sessions/core";
import { mapLibsqlError } from "./errors.js";
import { type Explainer, routeExplain } from "./explain.js";
import {
  allRows,
  type Executor,
  firstRow,
  planBatch,
  runEach,
  runStatement,
} from "./statements.js";

/** How the connection that opened a transaction wants to hear of its errors. */
export interface TransactionHooks {
  /** True for a local target (see `statements.ts`: RETURNING figures). */
  readonly local: boolean;
  /**
   * Called with every error before it is rethrown. A local connection heals
   * itself here after SQLITE_BUSY, which ends this transaction.
   */
  readonly afterError: (error: unknown) => Promise<void>;
  /** Who answers EXPLAIN statements instead of this transaction (see `explain.ts`). */
  readonly explainer: Explainer | undefined;
}

/** `tx.batch` runs inside this savepoint, so that it is all or nothing. */
const SAVEPOINT = {
  before: "SAVEPOINT llm_sessions_batch",
  after: "RELEASE llm_sessions_batch",
  undo: ["ROLLBACK TO llm_sessions_batch", "RELEASE llm_sessions_batch"],
};

/**
 * An interactive transaction of @libsql/client as the contract's raw
 * transaction. Locally it holds the client's one connection (the client
 * gives the same connection back afterwards, pragmas and `:memory:` tables
 * intact); remotely it is one server stream.
 */
export class LibsqlTransaction implements RawTransaction {
  readonly #tx: ClientTransaction;
  /** `#tx` for statements, with EXPLAIN routed to the hooks' explainer. */
  readonly #executor: Executor;
  readonly #hooks: TransactionHooks;
  /** Set once the transaction is known to be over before commit/rollback. */
  #ended: SqliteError | undefined;

  constructor(tx: ClientTransaction, hooks: TransactionHooks) {
    this.#tx = tx;
    this.#executor = routeExplain(tx, hooks.explainer);
    this.#hooks = hooks;
  }

  /** False once committed, rolled back, or ended by SQLite or the server. */
  get open(): boolean {
    return this.#ended === undefined && !this.#tx.closed;
  }

  /** Lets go of the client's transaction (rolling back what is left), without waiting. */
  dispose(): void {
    this.#tx.close();
  }

  run(sql: string, params?: Params): Promise<RunResult> {
    return this.#call(() => runStatement(this.#executor, sql, params, this.#hooks.local));
  }

  get(sql: string, params?: Params): Promise<Row | undefined> {
    return this.#call(() => firstRow(this.#executor, sql, params));
  }

  all(sql: string, params?: Params): Promise<Row[]> {
    return this.#call(() => allRows(this.#executor, sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.#call(() => this.#tx.executeMultiple(sql));
  }

  /**
   * A savepoint around the statements. Locally they run one by one (no round
   * trips to save, and each gets exact figures); remotely they go as one call
   * (one round trip). The client's own `tx.batch` stops at a failing
   * statement but keeps what ran before it; ROLLBACK TO undoes that. A server
   * that refuses SAVEPOINT fails the batch with its error, and the
   * transaction is then rolled back as a whole rather than committed half-done.
   */
  batch(statements: readonly Statement[]): Promise<RunResult[]> {
    return this.#call(async () => {
      try {
        if (this.#hooks.local) {
          await this.#tx.execute(SAVEPOINT.before);
          const results = await runEach(this.#executor, statements, true);
          await this.#tx.execute(SAVEPOINT.after);
          return results;
        }
        const plan = planBatch(statements, SAVEPOINT);
        return plan.results(await this.#tx.batch(plan.statements));
      } catch (error) {
        await this.#undoSavepoint(error);
        throw error;
      }
    });
  }

  async commit(): Promise<void> {
    try {
      if (this.#ended) throw this.#ended;
      await this.#tx.commit();
    } catch (error) {
      if (error !== this.#ended) await this.#hooks.afterError(error);
      throw error;
    } finally {
      // Idempotent; hands the connection (or stream) back, rolling back what is left.
      this.#tx.close();
    }
  }

  async rollback(): Promise<void> {
    try {
      // SQLite may have rolled back already (SQLITE_FULL, IOERR, a healed BUSY):
      // ROLLBACK would then fail although nothing is left to undo.
      if (!this.#tx.closed) await this.#tx.rollback();
    } finally {
      this.#tx.close();
    }
  }

  async #call<T>(op: () => Promise<T>): Promise<T> {
    if (this.#ended) throw this.#ended;
    try {
      return await op();
    } catch (error) {
      await this.#hooks.afterError(error);
      if (this.#tx.closed) this.#end(error);
      throw error;
    }
  }

  async #undoSavepoint(cause: unknown): Promise<void> {
    if (this.#tx.closed) return;
    try {
      await this.#tx.batch(SAVEPOINT.undo);
    } catch (error) {
      // A server (sqld) parses a whole batch before running any of it: one
      // that cannot be parsed ran nothing, SAVEPOINT included, so there is
      // nothing to undo and the transaction goes on, as SQLite's would.
      if (!this.#hooks.local && /no such savepoint/i.test(String((error as Error)?.message))) {
        return;
      }
      // Part of the batch may remain: the transaction must not commit.
      this.#end(cause);
    }
  }

  /** Later statements and commit fail with this instead of libSQL's bare "transaction is closed". */
  #end(cause: unknown): void {
    const reason = mapLibsqlError(cause);
    this.#ended = new SqliteError(
      "ABORT",
      `the transaction was rolled back after an error (${reason.code}: ${reason.message}); start a new one`,
      { cause },
    );
  }
}
