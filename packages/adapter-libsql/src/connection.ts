import type { Client } from "@libsql/client";
import {
  type Params,
  type LegacyRawConnection as RawConnection,
  type RawTransaction,
  type Row,
  type RunResult,
  SqliteError,
  type Statement,
  type TransactionMode,
} from "@llm-sessions/core";
import { mapLibsqlError } from "./errors.js";
import { type Explainer, routeExplain } from "./explain.js";
import { allRows, type Executor, firstRow, runStatement } from "./statements.js";
import { LibsqlTransaction } from "./transaction.js";

/**
 * A transaction-control statement sent alone through `exec`. @libsql/client
 * cannot keep a raw `BEGIN` open across calls: locally it rolls back whatever
 * a call leaves open, remotely each call is a stream of its own. So these
 * three are turned into the client's interactive transaction, held until the
 * matching COMMIT or ROLLBACK; statements in between go to it.
 */
const CONTROL =
  /^\s*(?:(BEGIN)(?:\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?|(COMMIT|END)|(ROLLBACK))(?:\s+TRANSACTION)?\s*;?\s*$/i;

type Control = { kind: "begin"; mode: TransactionMode } | { kind: "commit" } | { kind: "rollback" };

function parseControl(sql: string): Control | undefined {
  const match = CONTROL.exec(sql);
  if (!match) return undefined;
  if (match[1]) {
    // EXCLUSIVE takes the write lock at BEGIN like IMMEDIATE (readers go on in WAL mode either way).
    return {
      kind: "begin",
      mode: match[2] && !/deferred/i.test(match[2]) ? "immediate" : "deferred",
    };
  }
  return match[3] ? { kind: "commit" } : { kind: "rollback" };
}

/**
 * What local and remote connections share: statements through the client,
 * transactions through `client.transaction()`, and raw BEGIN/COMMIT/ROLLBACK
 * sent with `exec` (see `CONTROL`). Subclasses say how a batch runs outside a
 * transaction and may react to errors and check the connection.
 */
export abstract class LibsqlConnection implements RawConnection {
  protected readonly client: Client;
  /** A local target: see `statements.ts` for what the local client reports wrong. */
  protected readonly local: boolean;
  /** The transaction a raw `exec("BEGIN")` opened. */
  #held: LibsqlTransaction | undefined;
  /** The client, with EXPLAIN statements sent to `explainer()`. */
  #routed: Executor | undefined;

  protected constructor(client: Client, local: boolean) {
    this.client = client;
    this.local = local;
  }

  run(sql: string, params?: Params): Promise<RunResult> {
    return this.#route(
      (tx) => tx.run(sql, params),
      () => runStatement(this.#executor, sql, params, this.local),
    );
  }

  get(sql: string, params?: Params): Promise<Row | undefined> {
    return this.#route(
      (tx) => tx.get(sql, params),
      () => firstRow(this.#executor, sql, params),
    );
  }

  all(sql: string, params?: Params): Promise<Row[]> {
    return this.#route(
      (tx) => tx.all(sql, params),
      () => allRows(this.#executor, sql, params),
    );
  }

  exec(sql: string): Promise<void> {
    const control = parseControl(sql);
    if (control) return this.call(() => this.#control(control));
    return this.#route(
      (tx) => tx.exec(sql),
      () => this.client.executeMultiple(sql),
    );
  }

  batch(statements: readonly Statement[]): Promise<RunResult[]> {
    return this.#route(
      (tx) => tx.batch(statements),
      () => this.batchOutsideTransaction(statements),
    );
  }

  begin(mode: TransactionMode): Promise<RawTransaction> {
    return this.call(async () => {
      if (this.#openHeld()) throw nested();
      return this.openTransaction(mode);
    });
  }

  async inTransaction(): Promise<boolean> {
    if (this.#openHeld()) return true;
    await this.call(() => this.check());
    return false;
  }

  close(): void {
    // Closing the client rolls back a held transaction. Nothing else: closing
    // never changes the journal mode (a file stays in WAL mode).
    this.#held = undefined;
    if (!this.client.closed) this.client.close();
  }

  mapError(error: unknown): SqliteError {
    return mapLibsqlError(error);
  }

  /** An atomic batch when no transaction is open. */
  protected abstract batchOutsideTransaction(
    statements: readonly Statement[],
  ): Promise<RunResult[]>;

  /** Who answers EXPLAIN statements instead of the connection itself (see `explain.ts`); none by default. */
  protected explainer(): Explainer | undefined {
    return undefined;
  }

  /** Checks, when the pool asks, that the connection is still what `connect()` set up. */
  protected async check(): Promise<void> {}

  /** Sees every error before it is rethrown (a local connection heals after BUSY here). */
  protected async afterError(_error: unknown): Promise<void> {}

  /** Runs a client call, letting `afterError` see its error. */
  protected async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      await this.afterError(error);
      throw error;
    }
  }

  protected async openTransaction(mode: TransactionMode): Promise<LibsqlTransaction> {
    const tx = await this.client.transaction(mode === "immediate" ? "write" : "deferred");
    return new LibsqlTransaction(tx, {
      local: this.local,
      afterError: (error) => this.afterError(error),
      explainer: this.explainer(),
    });
  }

  get #executor(): Executor {
    this.#routed ??= routeExplain(this.client, this.explainer());
    return this.#routed;
  }

  /** Statements go to the held raw transaction while it is open, else to the client. */
  #route<T>(
    inTransaction: (tx: LibsqlTransaction) => Promise<T>,
    outside: () => Promise<T>,
  ): Promise<T> {
    const held = this.#openHeld();
    return held ? inTransaction(held) : this.call(outside);
  }

  /** The held transaction, unless SQLite or the server ended it (then it is let go). */
  #openHeld(): LibsqlTransaction | undefined {
    if (this.#held && !this.#held.open) {
      this.#held.dispose();
      this.#held = undefined;
    }
    return this.#held;
  }

  /** SQLite's own messages for the same mistakes, so both adapters read alike. */
  async #control(control: Control): Promise<void> {
    const held = this.#openHeld();
    if (control.kind === "begin") {
      if (held) throw nested();
      this.#held = await this.openTransaction(control.mode);
      return;
    }
    if (!held) {
      throw new SqliteError("ERROR", `cannot ${control.kind} - no transaction is active`);
    }
    // Let go first: a failed COMMIT ends the client's transaction too (it is rolled back).
    this.#held = undefined;
    if (control.kind === "commit") await held.commit();
    else await held.rollback();
  }
}

function nested(): SqliteError {
  return new SqliteError("ERROR", "cannot start a transaction within a transaction");
}
