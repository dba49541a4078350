import type {
  Client,
  Transaction as ClientTransaction,
  InStatement,
  ResultSet,
} from "@libsql/client";
import {
  type RawConnection,
  type RawStatement,
  type RunResult,
  SqliteError,
  type Statement,
  type TransactionMode,
} from "@llm-sessions/core/driver";
import { isBusy } from "./errors.js";
import { allRows, type Executor, firstRow, planBatch, runStatement } from "./statements.js";

/** How often a transaction's first statement is sent when a server answers BUSY (see `#firstInHeld`). */
const FIRST_STATEMENT_ATTEMPTS = 3;

/**
 * A transaction-control statement sent alone through `exec`. @libsql/client
 * cannot keep a raw `BEGIN` open across calls (each call outside a
 * transaction is a server stream of its own), so these three are turned into
 * the client's interactive transaction, held until the matching COMMIT or
 * ROLLBACK; statements in between go to it.
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

/** `batch` inside a transaction runs inside this savepoint, so that it is all or nothing. */
const SAVEPOINT = {
  before: "SAVEPOINT llm_sessions_batch",
  after: "RELEASE llm_sessions_batch",
  undo: ["ROLLBACK TO llm_sessions_batch", "RELEASE llm_sessions_batch"],
};

/**
 * A connection through @libsql/client as the contract's raw connection:
 * statements through the client, transactions through `client.transaction()`
 * (held from `begin`, or from a raw BEGIN sent with `exec`, to the end),
 * batches in one call. Subclasses say how a batch runs outside a transaction.
 */
export abstract class LibsqlConnection implements RawConnection {
  protected readonly client: Client;
  /** The client's transaction, open from `begin` (or a raw BEGIN) to COMMIT or ROLLBACK. */
  #held: ClientTransaction | undefined;
  /** How `#held` was opened, to open it again. */
  #heldMode: "write" | "deferred" = "write";
  /** A statement of `#held` has been answered: from then on, no retry. */
  #heldAnswered = false;

  protected constructor(client: Client) {
    this.client = client;
  }

  prepare(sql: string): RawStatement {
    // The server prepares; a statement is its text, sent to the transaction while one is open.
    return {
      run: (params) => runStatement(this.#executor(), sql, params),
      get: (params) => firstRow(this.#executor(), sql, params),
      all: (params) => allRows(this.#executor(), sql, params),
    };
  }

  exec(sql: string): Promise<void> {
    const control = parseControl(sql);
    if (control) return this.#control(control);
    return (this.#openHeld() ?? this.client).executeMultiple(sql);
  }

  async begin(mode: TransactionMode): Promise<void> {
    if (this.#openHeld()) throw nested();
    this.#heldMode = mode === "immediate" ? "write" : "deferred";
    this.#heldAnswered = false;
    this.#held = await this.client.transaction(this.#heldMode);
  }

  async commit(): Promise<void> {
    const held = this.#letGo("commit");
    try {
      await held.commit();
    } finally {
      // Idempotent; hands the stream back, rolling back what is left.
      held.close();
    }
  }

  async rollback(): Promise<void> {
    const held = this.#letGo("rollback");
    try {
      // The server may have ended it already (a timeout): ROLLBACK would then fail.
      if (!held.closed) await held.rollback();
    } finally {
      held.close();
    }
  }

  /** False once the client's transaction is over, also when the server ended it. */
  inTransaction(): boolean {
    return this.#openHeld() !== undefined;
  }

  /**
   * In one call: inside a transaction a savepoint around the statements
   * (the client's own `tx.batch` stops at a failing statement but keeps what
   * ran before it; ROLLBACK TO undoes that), outside one as the subclass says.
   */
  async batch(statements: readonly Statement[]): Promise<RunResult[]> {
    const held = this.#openHeld();
    if (!held) return this.batchOutsideTransaction(statements);
    const plan = planBatch(statements, SAVEPOINT);
    try {
      return plan.results(await held.batch(plan.statements));
    } catch (error) {
      if (!held.closed) {
        try {
          await held.batch(SAVEPOINT.undo);
        } catch (undoError) {
          // A server (sqld) parses a whole batch before running any of it: one
          // that cannot be parsed ran nothing, SAVEPOINT included, so there is
          // nothing to undo and the transaction goes on, as SQLite's would.
          if (!/no such savepoint/i.test(String((undoError as Error)?.message))) {
            // Part of the batch may remain: the transaction must not commit. Ending it here
            // makes core refuse its later statements and its COMMIT (ABORT).
            held.close();
          }
        }
      }
      throw error;
    }
  }

  close(): void {
    // Closing the client rolls back a held transaction. Nothing else: closing
    // never changes the journal mode.
    this.#held = undefined;
    if (!this.client.closed) this.client.close();
  }

  /** An atomic batch when no transaction is open. */
  protected abstract batchOutsideTransaction(
    statements: readonly Statement[],
  ): Promise<RunResult[]>;

  #executor(): Executor {
    const held = this.#openHeld();
    if (!held) return this.client;
    return this.#heldAnswered ? held : { execute: (statement) => this.#firstInHeld(statement) };
  }

  /**
   * The first statement of a transaction carries its BEGIN (the client sends
   * them together). A server answers BUSY when its own wait for another
   * writer's lock ran out: then nothing of this transaction happened and the
   * caller has seen no answer yet, so the transaction is opened again and
   * the statement sent again, a few times, instead of failing a body that
   * could not have done anything differently.
   */
  async #firstInHeld(statement: InStatement): Promise<ResultSet> {
    for (let attempt = 1; ; attempt++) {
      const held = this.#held as ClientTransaction;
      try {
        const result = await held.execute(statement);
        this.#heldAnswered = true;
        return result;
      } catch (error) {
        if (!isBusy(error) || attempt >= FIRST_STATEMENT_ATTEMPTS || this.#held !== held) {
          throw error;
        }
        held.close();
        this.#held = await this.client.transaction(this.#heldMode);
      }
    }
  }

  /** The held transaction, unless the server ended it (then it is let go). */
  #openHeld(): ClientTransaction | undefined {
    if (this.#held?.closed) this.#held = undefined;
    return this.#held;
  }

  /** The held transaction, let go first: a failed COMMIT ends the client's transaction too. */
  #letGo(what: "commit" | "rollback"): ClientTransaction {
    const held = this.#openHeld();
    if (!held) throw new SqliteError("ERROR", `cannot ${what} - no transaction is active`);
    this.#held = undefined;
    return held;
  }

  /** SQLite's own messages for the same mistakes, so both adapters read alike. */
  async #control(control: Control): Promise<void> {
    if (control.kind === "begin") return this.begin(control.mode);
    if (control.kind === "commit") return this.commit();
    return this.rollback();
  }
}

function nested(): SqliteError {
  return new SqliteError("ERROR", "cannot start a transaction within a transaction");
}
