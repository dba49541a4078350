// Temporary: the old way in, until both adapters are on createDriver.
import { AsyncLocalStorage } from "node:async_hooks";
import { SqliteError } from "./errors.js";
import { Mutex } from "./mutex.js";
import { continueSteps, isThenable, performStatement, step, type TxSteps } from "./steps.js";
import type {
  BackupOptions,
  Params,
  Queryable,
  Row,
  RunResult,
  SqliteConnection,
  Statement,
  Transaction,
  TransactionMode,
} from "./types.js";

/**
 * The raw statements an adapter provides for one connection or one open
 * transaction. They may be sync or async and may throw the driver's own
 * errors: the wrapper maps them with `RawConnection.mapError`.
 */
export interface RawQueryable {
  /** Runs one statement; returns the changes and the last insert rowid. */
  run(sql: string, params?: Params): RunResult | Promise<RunResult>;
  /** The first row, or `undefined` when there is none. */
  get(sql: string, params?: Params): Row | undefined | Promise<Row | undefined>;
  /** Every row. */
  all(sql: string, params?: Params): Row[] | Promise<Row[]>;
  /** Several `;`-separated statements, without parameters. */
  exec(sql: string): void | Promise<void>;
  /** Atomic: outside a transaction a write transaction, inside one a savepoint. */
  batch(statements: readonly Statement[]): RunResult[] | Promise<RunResult[]>;
}

/** An open transaction on a raw connection. */
export interface RawTransaction extends RawQueryable {
  /** Commits the transaction. */
  commit(): void | Promise<void>;
  /** Rolls the transaction back. */
  rollback(): void | Promise<void>;
}

/** What an adapter implements per connection; `wrapConnection` adds the rest. */
export interface RawConnection extends RawQueryable {
  /** Starts a transaction (`BEGIN DEFERRED` or `BEGIN IMMEDIATE`, per `mode`). */
  begin(mode: TransactionMode): RawTransaction | Promise<RawTransaction>;
  /** Whether a transaction is open that the wrapper did not start (a raw BEGIN). */
  inTransaction(): boolean | Promise<boolean>;
  /** Closes the connection. */
  close(): void | Promise<void>;
  /** Turns a driver error into a `SqliteError` with a normalized code. */
  mapError(error: unknown): SqliteError;
  /**
   * Optional: the online backup (see `SqliteConnection.backup`). Implement it
   * exactly when the driver reports `capabilities.onlineBackup`. It is
   * started while the wrapper holds the connection; from its first
   * `onProgress` report on, other statements may run on the connection
   * between its steps, so it must copy in steps that yield to the event loop
   * and tolerate that (SQLite's backup API does: it folds this connection's
   * commits in, and returns BUSY for a step while a write transaction is
   * open, which the implementation must treat as "try the next step later").
   */
  backup?(destination: string, options?: BackupOptions): Promise<void>;
}

/**
 * Marks the async context of a transaction callback with its connection. The
 * mark is a token that goes stale when the transaction ends, because the
 * context also flows into timers the callback started, which may legitimately
 * use the connection later.
 */
const activeTransaction = new AsyncLocalStorage<{ readonly conn: object; open: boolean }>();

/**
 * Wraps a raw adapter connection into the contract: calls from concurrent
 * async callers are serialized by a FIFO mutex; a transaction holds the mutex
 * for its whole callback, so no other caller's statement runs inside it; every
 * error leaves as a `SqliteError`; calls after `close()` reject with `CLOSED`;
 * a nested `transaction()` (or a statement sent to the connection instead of
 * the `tx` handle from inside a transaction, which would otherwise deadlock)
 * rejects with `MISUSE`.
 */
export function wrapConnection(raw: RawConnection): SqliteConnection {
  return new WrappedConnection(raw);
}

class WrappedConnection implements SqliteConnection {
  readonly #raw: RawConnection;
  readonly #mutex = new Mutex();
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Present only when the adapter has an online backup (an own property, so `"backup" in conn` tells). */
  declare readonly backup?: (destination: string, options?: BackupOptions) => Promise<void>;

  constructor(raw: RawConnection) {
    this.#raw = raw;
    if (typeof raw.backup === "function") {
      const backup = raw.backup.bind(raw);
      Object.defineProperty(this, "backup", {
        value: (destination: string, options?: BackupOptions) =>
          this.#backup(backup, destination, options),
      });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  run(sql: string, params?: Params): Promise<RunResult> {
    return this.#serial(() => this.#raw.run(sql, params));
  }

  get<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.#serial(() => this.#raw.get(sql, params)) as Promise<T | undefined>;
  }

  all<T extends object = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.#serial(() => this.#raw.all(sql, params)) as Promise<T[]>;
  }

  exec(sql: string): Promise<void> {
    return this.#serial(() => this.#raw.exec(sql));
  }

  batch(statements: readonly Statement[]): Promise<RunResult[]> {
    return this.#serial(() => (statements.length === 0 ? [] : this.#raw.batch(statements)));
  }

  inTransaction(): Promise<boolean> {
    return this.#serial(() => this.#raw.inTransaction());
  }

  transaction<T>(mode: TransactionMode, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    // A callback is a body of one async step; the async context carries a
    // token that goes stale when the callback settles (see activeTransaction).
    return this.#transact(mode, "transaction", () =>
      step.await(async (tx) => {
        const token = { conn: this, open: true };
        try {
          return await activeTransaction.run(token, () => fn(tx));
        } finally {
          token.open = false;
        }
      }),
    );
  }

  /**
   * Runs a body of yielded statements in one transaction. With a synchronous
   * raw connection nothing between BEGIN and COMMIT waits on a promise: the
   * write lock is held for the statements only. A raw answer that is a
   * promise (an async driver), or an `await` step, hands the rest of the body
   * to an async loop; the outcome is the same, only slower.
   */
  transactionSteps<T>(mode: TransactionMode, steps: () => TxSteps<T>): Promise<T> {
    return this.#transact(mode, "transactionSteps", steps);
  }

  /** BEGIN, the body, COMMIT (ROLLBACK when the body throws), holding the connection throughout. */
  async #transact<T>(mode: TransactionMode, what: string, steps: () => TxSteps<T>): Promise<T> {
    checkMode(mode);
    this.#checkUsable(what);
    const release = this.#mutex.tryAcquire() ?? (await this.#mutex.acquire());
    try {
      this.#checkOpen();
      let rawTx: RawTransaction;
      try {
        const begun = this.#raw.begin(mode);
        rawTx = isThenable(begun) ? await begun : begun;
      } catch (error) {
        throw this.#raw.mapError(error);
      }
      const handle = new TransactionHandle(rawTx, this.#raw);
      let result: T;
      try {
        const out = this.#drive(steps(), rawTx, handle);
        result = out instanceof Pending ? await out.promise : out;
      } catch (error) {
        handle.finish();
        await this.#rollback(rawTx);
        throw error;
      }
      handle.finish();
      const committing = this.#commit(rawTx);
      if (committing) await committing;
      return result;
    } finally {
      release();
    }
  }

  /** Steps the body synchronously for as long as the raw connection answers synchronously. */
  #drive<T>(body: TxSteps<T>, rawTx: RawTransaction, handle: TransactionHandle): T | Pending<T> {
    let next = body.next();
    while (!next.done) {
      const s = next.value;
      let value: unknown;
      try {
        value = s.kind === "await" ? s.fn(handle) : performStatement(rawTx, s);
      } catch (error) {
        // A driver's error is mapped; an await step's own error passes as it is.
        next = body.throw(s.kind === "await" ? error : this.#raw.mapError(error));
        continue;
      }
      if (isThenable(value)) {
        const mapped =
          s.kind === "await"
            ? Promise.resolve(value)
            : Promise.resolve(value).catch((error: unknown) => {
                throw this.#raw.mapError(error);
              });
        return new Pending(continueSteps(body, handle, next, mapped));
      }
      next = body.next(value);
    }
    return next.value;
  }

  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      // Wait for the current holder so a transaction is not cut in half.
      this.#closing = this.#mutex.run(async () => {
        try {
          await this.#raw.close();
        } catch (error) {
          throw this.#raw.mapError(error);
        }
      });
    }
    return this.#closing;
  }

  /**
   * Holds the mutex only until the copy has started (the first progress
   * report: SQLite has measured the source then). Holding it for the whole
   * copy would stall every writer for as long as the copy takes — seconds per
   * gigabyte; letting statements in before the start could make the first
   * step meet an open write transaction and report a copy of nothing.
   */
  async #backup(
    backup: NonNullable<RawConnection["backup"]>,
    destination: string,
    options: BackupOptions = {},
  ): Promise<void> {
    this.#checkUsable("backup");
    const release = await this.#mutex.acquire();
    let held = true;
    const letGo = (): void => {
      if (held) {
        held = false;
        release();
      }
    };
    try {
      this.#checkOpen();
      await backup(destination, {
        onProgress: (progress) => {
          letGo();
          options.onProgress?.(progress);
        },
      });
    } catch (error) {
      throw this.#raw.mapError(error);
    } finally {
      letGo();
    }
  }

  /**
   * COMMIT; if it fails, ROLLBACK and throw the mapped error. Returns nothing
   * when the raw commit answered synchronously and succeeded, so a
   * synchronous transaction stays synchronous to its end.
   */
  #commit(rawTx: RawTransaction): Promise<void> | undefined {
    let committed: void | Promise<void>;
    try {
      committed = rawTx.commit();
    } catch (error) {
      return this.#failedCommit(rawTx, error);
    }
    if (!isThenable(committed)) return undefined;
    return Promise.resolve(committed).catch((error: unknown) => this.#failedCommit(rawTx, error));
  }

  async #failedCommit(rawTx: RawTransaction, error: unknown): Promise<never> {
    await this.#rollback(rawTx);
    throw this.#raw.mapError(error);
  }

  async #rollback(rawTx: RawTransaction): Promise<void> {
    try {
      await rawTx.rollback();
    } catch {
      // A connection that cannot roll back is in an unknown state: retire it.
      this.#closed = true;
      try {
        await this.#raw.close();
      } catch {
        // Already broken; nothing more to do.
      }
    }
  }

  #checkUsable(what: string): void {
    const token = activeTransaction.getStore();
    if (token?.conn === this && token.open) {
      throw new SqliteError(
        "MISUSE",
        `${what}() was called on a connection from inside its own transaction: nested transactions are not supported; use the tx handle (tx.batch is a savepoint)`,
      );
    }
    this.#checkOpen();
  }

  #checkOpen(): void {
    if (this.#closed) throw new SqliteError("CLOSED", "the connection is closed");
  }

  async #serial<T>(op: () => T | Promise<T>): Promise<T> {
    this.#checkUsable("a statement");
    const release = this.#mutex.tryAcquire() ?? (await this.#mutex.acquire());
    try {
      this.#checkOpen();
      return await op();
    } catch (error) {
      const mapped = this.#raw.mapError(error);
      // An adapter reports a connection it had to give up as CLOSED: from
      // then on the pool sees it closed and replaces it.
      if (mapped.code === "CLOSED") this.#closed = true;
      throw mapped;
    } finally {
      release();
    }
  }
}

function checkMode(mode: TransactionMode): void {
  if (mode !== "immediate" && mode !== "deferred") {
    throw new SqliteError(
      "MISUSE",
      `transaction mode must be "immediate" or "deferred", got ${String(mode)}`,
    );
  }
}

/** A body that went async part-way (told apart from a result, which may be any value). */
class Pending<T> {
  constructor(readonly promise: Promise<T>) {}
}

/** The `tx` a transaction callback receives; dead once the callback settles. */
class TransactionHandle implements Queryable {
  readonly #tx: RawTransaction;
  readonly #raw: RawConnection;
  #done = false;
  /** Statements of one transaction run one at a time, in call order. */
  readonly #mutex = new Mutex();

  constructor(tx: RawTransaction, raw: RawConnection) {
    this.#tx = tx;
    this.#raw = raw;
  }

  finish(): void {
    this.#done = true;
  }

  run(sql: string, params?: Params): Promise<RunResult> {
    return this.#call(() => this.#tx.run(sql, params));
  }

  get<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.#call(() => this.#tx.get(sql, params)) as Promise<T | undefined>;
  }

  all<T extends object = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.#call(() => this.#tx.all(sql, params)) as Promise<T[]>;
  }

  exec(sql: string): Promise<void> {
    return this.#call(() => this.#tx.exec(sql));
  }

  batch(statements: readonly Statement[]): Promise<RunResult[]> {
    return this.#call(() => (statements.length === 0 ? [] : this.#tx.batch(statements)));
  }

  async #call<T>(op: () => T | Promise<T>): Promise<T> {
    if (this.#done) throw new SqliteError("MISUSE", "the transaction has already ended");
    const release = await this.#mutex.acquire();
    try {
      if (this.#done) throw new SqliteError("MISUSE", "the transaction has already ended");
      return await op();
    } catch (error) {
      throw this.#raw.mapError(error);
    } finally {
      release();
    }
  }
}
