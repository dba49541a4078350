import { AsyncLocalStorage } from "node:async_hooks";
import type { MaybePromise, RawConnection, RawStatement } from "./adapter.js";
import { SqliteError } from "./errors.js";
import { type LockAttempt, withoutBlocking } from "./lock-wait.js";
import { LruCache } from "./lru.js";
import { drive } from "./maybe.js";
import { Mutex } from "./mutex.js";
import { checkedStatement, type ValueChecks } from "./parameters.js";
import { continueSteps, isThenable, performStatement, step } from "./steps.js";
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
  TxSteps,
} from "./types.js";

/** What a connection needs to know of its adapter and settings. */
export interface ConnectionContext {
  /** The adapter's error mapping. */
  readonly mapError: (error: unknown) => SqliteError;
  /**
   * The database is a file that other connections share: BEGIN IMMEDIATE
   * then waits for the write lock on later turns of the event loop (see
   * `lock-wait.ts`). A private in-memory database has nothing to wait for,
   * and a server waits on its own.
   */
  readonly waitForLock: boolean;
  readonly busyTimeoutMs: number;
  readonly statementCacheSize: number;
  /** What to check of every statement's values before it runs (none when absent). */
  readonly checks?: ValueChecks;
}

/** `batch` inside an open transaction runs in this savepoint, so that it is all or nothing. */
const SAVEPOINT = "llm_sessions_batch";
/** SQLite applies `busy_timeout` when the pragma is prepared, so it goes through `exec`. */
const NO_WAIT = "PRAGMA busy_timeout = 0";

/**
 * Marks the async context of a transaction callback with its connection. The
 * mark is a token that goes stale when the transaction ends, because the
 * context also flows into timers the callback started, which may legitimately
 * use the connection later.
 */
const activeTransaction = new AsyncLocalStorage<{ readonly conn: object; open: boolean }>();

/**
 * Turns an adapter's raw connection into the contract: calls from concurrent
 * async callers are serialized by a FIFO mutex; a transaction holds the mutex
 * for its whole body, so no other caller's statement runs inside it; prepared
 * statements are cached; every error leaves as a `SqliteError`; calls after
 * `close()` reject with `CLOSED`; a nested `transaction()` (or a statement
 * sent to the connection instead of the `tx` handle from inside a
 * transaction, which would otherwise deadlock) rejects with `MISUSE`.
 */
export function coreConnection(raw: RawConnection, context: ConnectionContext): SqliteConnection {
  return new CoreConnection(raw, context);
}

class CoreConnection implements SqliteConnection {
  readonly #raw: RawConnection;
  readonly #map: (error: unknown) => SqliteError;
  readonly #waitForLock: boolean;
  readonly #busyTimeoutMs: number;
  readonly #wait: string;
  readonly #statements: LruCache<string, RawStatement>;
  readonly #checks: ValueChecks | undefined;
  readonly #mutex = new Mutex();
  #closed = false;
  #closing: Promise<void> | undefined;
  /**
   * True from a successful BEGIN (of `transaction` or of a batch) to its end:
   * every statement then first checks that SQLite has not ended the
   * transaction on its own (after FULL or IOERR, say), because it would
   * otherwise run, and commit, outside of it.
   */
  #inOwnTransaction = false;
  /** Present only when the adapter has an online backup (an own property, so `"backup" in conn` tells). */
  declare readonly backup?: (destination: string, options?: BackupOptions) => Promise<void>;

  constructor(raw: RawConnection, context: ConnectionContext) {
    this.#raw = raw;
    this.#map = context.mapError;
    this.#waitForLock = context.waitForLock;
    this.#busyTimeoutMs = context.busyTimeoutMs;
    this.#wait = `PRAGMA busy_timeout = ${context.busyTimeoutMs}`;
    // Every driver here finalizes a statement when it is garbage collected, so eviction only drops it.
    this.#statements = new LruCache(context.statementCacheSize);
    const { checks } = context;
    this.#checks = checks?.parameters || checks?.refuseTextWithNul ? checks : undefined;
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

  // Outside a transaction `#serial` maps what a statement throws or rejects with.

  run(sql: string, params?: Params): Promise<RunResult> {
    return this.#serial(() => this.#statement(sql).run(params));
  }

  get<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.#serial(() => this.#statement(sql).get(params)) as Promise<T | undefined>;
  }

  all<T extends object = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.#serial(() => this.#statement(sql).all(params)) as Promise<T[]>;
  }

  exec(sql: string): Promise<void> {
    return this.#serial(() => this.#raw.exec(sql));
  }

  batch(statements: readonly Statement[]): Promise<RunResult[]> {
    return this.#serial(() => this.#batch(statements));
  }

  inTransaction(): Promise<boolean> {
    return this.#serial(() => this.#raw.inTransaction());
  }

  writeBatch(statements: readonly Statement[]): Promise<Row[][]> {
    return this.#serial(() => this.#writeBatch(statements));
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
   * adapter nothing between BEGIN and COMMIT waits on a promise: the write
   * lock is held for the statements only. An answer that is a promise (an
   * async driver), or an `await` step, hands the rest of the body to an
   * async loop; the outcome is the same, only slower.
   */
  transactionSteps<T>(mode: TransactionMode, steps: () => TxSteps<T>): Promise<T> {
    return this.#transact(mode, "transactionSteps", steps);
  }

  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      // Wait for the current holder so a transaction is not cut in half.
      this.#closing = this.#mutex.run(async () => {
        this.#statements.clear();
        try {
          await this.#raw.close();
        } catch (error) {
          throw this.#map(error);
        }
      });
    }
    return this.#closing;
  }

  // The statements themselves: answer as the adapter does (a value or a
  // promise), with every error mapped.

  #run(sql: string, params: Params | undefined): MaybePromise<RunResult> {
    return this.#mapped(() => this.#statement(sql).run(params));
  }

  #get(sql: string, params: Params | undefined): MaybePromise<Row | undefined> {
    return this.#mapped(() => this.#statement(sql).get(params));
  }

  #all(sql: string, params: Params | undefined): MaybePromise<Row[]> {
    return this.#mapped(() => this.#statement(sql).all(params));
  }

  #exec(sql: string): MaybePromise<void> {
    return this.#mapped(() => {
      this.#checkStillInTransaction();
      return this.#raw.exec(sql);
    });
  }

  /** What a transaction body's statements run on (see `#drive`). */
  readonly #runner = {
    run: (sql: string, params?: Params) => this.#run(sql, params),
    get: (sql: string, params?: Params) => this.#get(sql, params),
    all: (sql: string, params?: Params) => this.#all(sql, params),
    exec: (sql: string) => this.#exec(sql),
    batch: (statements: readonly Statement[]) => this.#batch(statements),
  };

  #statement(sql: string): RawStatement {
    this.#checkStillInTransaction();
    let prepared = this.#statements.get(sql);
    if (prepared === undefined) {
      prepared = this.#raw.prepare(sql);
      if (this.#checks) prepared = checkedStatement(prepared, sql, this.#checks);
      this.#statements.set(sql, prepared);
    }
    return prepared;
  }

  #checkStillInTransaction(): void {
    if (this.#inOwnTransaction && !this.#raw.inTransaction()) {
      throw new SqliteError(
        "ABORT",
        "the transaction is over: SQLite rolled it back after an error (BUSY, FULL, IOERR), or a COMMIT or ROLLBACK was sent through exec; start a new one",
      );
    }
  }

  /** Calls `op`, mapping what it throws or rejects with. */
  #mapped<T>(op: () => MaybePromise<T>): MaybePromise<T> {
    let out: MaybePromise<T>;
    try {
      out = op();
    } catch (error) {
      throw this.#map(error);
    }
    if (!isThenable(out)) return out;
    return Promise.resolve(out).catch((error: unknown) => {
      throw this.#map(error);
    });
  }

  /**
   * Atomic: inside an open transaction (ours or a raw BEGIN) a savepoint,
   * outside its own write transaction, begun as `transaction` begins one.
   * The adapter's own batch, when it has one, does the same in one call.
   */
  #batch(statements: readonly Statement[]): MaybePromise<RunResult[]> {
    if (statements.length === 0) return [];
    const batch = this.#raw.batch;
    if (batch) {
      return this.#mapped(() => {
        this.#checkStillInTransaction();
        return batch.call(this.#raw, statements);
      });
    }
    this.#checkStillInTransaction();
    return drive(
      this.#raw.inTransaction() ? this.#inSavepoint(statements) : this.#inOwnWrite(statements),
    );
  }

  *#inSavepoint(statements: readonly Statement[]): Generator<unknown, RunResult[], unknown> {
    yield this.#exec(`SAVEPOINT ${SAVEPOINT}`);
    try {
      const results: RunResult[] = [];
      for (const s of statements) results.push((yield this.#run(s.sql, s.params)) as RunResult);
      yield this.#exec(`RELEASE ${SAVEPOINT}`);
      return results;
    } catch (error) {
      yield this.#undoSavepoint();
      throw error;
    }
  }

  /** Undoes a failed batch's savepoint; if that fails, part of it may remain: the whole transaction is rolled back. */
  #undoSavepoint(): MaybePromise<void> {
    // SQLite may have rolled back the whole transaction already (FULL, IOERR).
    if (!this.#raw.inTransaction()) return undefined;
    let undone: MaybePromise<void>;
    try {
      undone = this.#raw.exec(`ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
    } catch {
      return this.#rollbackQuietly();
    }
    return isThenable(undone)
      ? Promise.resolve(undone).catch(() => this.#rollbackQuietly())
      : undefined;
  }

  /**
   * One write transaction whose statements' rows come back. The adapter's
   * own `writeBatch` does it in one call; otherwise BEGIN (waiting for the
   * lock as `transaction` does), each statement's `all`, COMMIT: synchronous
   * from BEGIN to COMMIT on a synchronous adapter.
   */
  #writeBatch(statements: readonly Statement[]): MaybePromise<Row[][]> {
    if (this.#raw.inTransaction()) {
      throw new SqliteError(
        "MISUSE",
        "writeBatch() runs its own transaction: it cannot run inside an open one",
      );
    }
    if (statements.length === 0) return [];
    const writeBatch = this.#raw.writeBatch;
    if (writeBatch) return this.#mapped(() => writeBatch.call(this.#raw, statements));
    return drive(this.#inOwnWriteWithRows(statements));
  }

  *#inOwnWriteWithRows(statements: readonly Statement[]): Generator<unknown, Row[][], unknown> {
    yield this.#begin("immediate");
    this.#inOwnTransaction = true;
    try {
      const results: Row[][] = [];
      for (const s of statements) results.push((yield this.#all(s.sql, s.params)) as Row[]);
      yield this.#commit();
      return results;
    } catch (error) {
      yield this.#rollbackQuietly();
      throw error;
    } finally {
      this.#inOwnTransaction = false;
    }
  }

  *#inOwnWrite(statements: readonly Statement[]): Generator<unknown, RunResult[], unknown> {
    yield this.#begin("immediate");
    this.#inOwnTransaction = true;
    try {
      const results: RunResult[] = [];
      for (const s of statements) results.push((yield this.#run(s.sql, s.params)) as RunResult);
      yield this.#commit();
      return results;
    } catch (error) {
      yield this.#rollbackQuietly();
      throw error;
    } finally {
      this.#inOwnTransaction = false;
    }
  }

  /** BEGIN, the body, COMMIT (ROLLBACK when the body throws), holding the connection throughout. */
  async #transact<T>(mode: TransactionMode, what: string, steps: () => TxSteps<T>): Promise<T> {
    checkMode(mode);
    this.#checkUsable(what);
    const release = this.#mutex.tryAcquire() ?? (await this.#mutex.acquire());
    try {
      this.#checkOpen();
      const begun = this.#begin(mode);
      if (isThenable(begun)) await begun;
      this.#inOwnTransaction = true;
      const handle = new TransactionHandle(this.#runner);
      try {
        let result: T;
        try {
          const out = this.#drive(steps(), handle);
          result = out instanceof Pending ? await out.promise : out;
        } catch (error) {
          handle.finish();
          const rolledBack = this.#rollbackQuietly();
          if (rolledBack) await rolledBack;
          throw error;
        }
        handle.finish();
        const committed = this.#commit();
        if (committed) await committed;
        return result;
      } finally {
        this.#inOwnTransaction = false;
      }
    } finally {
      release();
    }
  }

  /** Steps the body synchronously for as long as the adapter answers synchronously. */
  #drive<T>(body: TxSteps<T>, handle: TransactionHandle): T | Pending<T> {
    let next = body.next();
    while (!next.done) {
      const s = next.value;
      let value: unknown;
      try {
        value = s.kind === "await" ? s.fn(handle) : performStatement(this.#runner, s);
      } catch (error) {
        next = body.throw(error);
        continue;
      }
      if (isThenable(value)) {
        return new Pending(continueSteps(body, handle, next, Promise.resolve(value)));
      }
      next = body.next(value);
    }
    return next.value;
  }

  /**
   * BEGIN. An IMMEDIATE one on a shared file waits for the write lock on
   * later turns of the event loop, never inside SQLite's busy handler (see
   * `lock-wait.ts`); a deferred BEGIN takes no lock.
   */
  #begin(mode: TransactionMode): MaybePromise<void> {
    if (mode === "deferred" || !this.#waitForLock) {
      return this.#mapped(() => this.#raw.begin(mode));
    }
    return withoutBlocking(() => drive(this.#tryBeginImmediate()), this.#busyTimeoutMs);
  }

  /** One try at BEGIN IMMEDIATE without SQLite's busy wait. */
  *#tryBeginImmediate(): Generator<unknown, LockAttempt, unknown> {
    this.#checkOpen();
    yield this.#mapped(() => this.#raw.exec(NO_WAIT));
    try {
      yield this.#mapped(() => this.#raw.begin("immediate"));
      return { ok: true };
    } catch (error) {
      if (error instanceof SqliteError && error.code === "BUSY") return { ok: false, busy: error };
      throw error;
    } finally {
      yield this.#mapped(() => this.#raw.exec(this.#wait));
    }
  }

  /**
   * COMMIT; if it fails, ROLLBACK and throw the mapped error. A transaction
   * SQLite already ended is not committed: its writes are gone, so that is
   * an `ABORT`. Returns nothing when the commit answered synchronously and
   * succeeded, so a synchronous transaction stays synchronous to its end.
   */
  #commit(): Promise<void> | undefined {
    let committed: MaybePromise<void>;
    try {
      this.#checkStillInTransaction();
      committed = this.#raw.commit();
    } catch (error) {
      return this.#failedCommit(error);
    }
    if (!isThenable(committed)) return undefined;
    return Promise.resolve(committed).catch((error: unknown) => this.#failedCommit(error));
  }

  async #failedCommit(error: unknown): Promise<never> {
    await this.#rollbackQuietly();
    throw this.#map(error);
  }

  /**
   * Rolls back what is open; never throws. A connection that cannot roll
   * back is in an unknown state: it is closed, and the pool replaces it.
   */
  #rollbackQuietly(): Promise<void> | undefined {
    let rolledBack: MaybePromise<void>;
    try {
      // SQLite may have rolled back on its own (after FULL, say): ROLLBACK would then fail.
      if (!this.#raw.inTransaction()) return undefined;
      rolledBack = this.#raw.rollback();
    } catch {
      return this.#retire();
    }
    return isThenable(rolledBack)
      ? Promise.resolve(rolledBack).catch(() => this.#retire())
      : undefined;
  }

  async #retire(): Promise<void> {
    this.#closed = true;
    try {
      await this.#raw.close();
    } catch {
      // Already broken; nothing more to do.
    }
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
      throw this.#map(error);
    } finally {
      letGo();
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

  /**
   * Runs one statement (or batch) under the connection's mutex and maps what
   * it throws. When the mutex is free and the adapter answers synchronously
   * (better-sqlite3, node:sqlite), it runs at once and settles without an
   * extra turn of the microtask queue: this is every read's hot path.
   */
  #serial<T>(op: () => MaybePromise<T>): Promise<T> {
    try {
      this.#checkUsable("a statement");
    } catch (error) {
      return Promise.reject(error);
    }
    const release = this.#mutex.tryAcquire();
    if (release === undefined) return this.#serialQueued(op);
    let value: MaybePromise<T>;
    try {
      this.#checkOpen();
      value = op();
    } catch (error) {
      release();
      return Promise.reject(this.#failed(error));
    }
    if (!isThenable(value)) {
      release();
      return Promise.resolve(value);
    }
    return Promise.resolve(value).then(
      (result) => {
        release();
        return result;
      },
      (error: unknown) => {
        release();
        throw this.#failed(error);
      },
    );
  }

  /** `#serial` when another statement holds the mutex: waits its turn. */
  async #serialQueued<T>(op: () => MaybePromise<T>): Promise<T> {
    const release = await this.#mutex.acquire();
    try {
      this.#checkOpen();
      return await op();
    } catch (error) {
      throw this.#failed(error);
    } finally {
      release();
    }
  }

  /** The mapped error of a failed statement. */
  #failed(error: unknown): SqliteError {
    const mapped = this.#map(error);
    // An adapter reports a connection it had to give up as CLOSED: from
    // then on the pool sees it closed and replaces it.
    if (mapped.code === "CLOSED") this.#closed = true;
    return mapped;
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

/** What the `tx` handle runs its statements on: the connection's own, already mapped. */
interface Runner {
  run(sql: string, params?: Params): MaybePromise<RunResult>;
  get(sql: string, params?: Params): MaybePromise<Row | undefined>;
  all(sql: string, params?: Params): MaybePromise<Row[]>;
  exec(sql: string): MaybePromise<void>;
  batch(statements: readonly Statement[]): MaybePromise<RunResult[]>;
}

/** The `tx` a transaction callback receives; dead once the callback settles. */
class TransactionHandle implements Queryable {
  readonly #runner: Runner;
  #done = false;
  /** Statements of one transaction run one at a time, in call order. */
  readonly #mutex = new Mutex();

  constructor(runner: Runner) {
    this.#runner = runner;
  }

  finish(): void {
    this.#done = true;
  }

  run(sql: string, params?: Params): Promise<RunResult> {
    return this.#call(() => this.#runner.run(sql, params));
  }

  get<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.#call(() => this.#runner.get(sql, params)) as Promise<T | undefined>;
  }

  all<T extends object = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.#call(() => this.#runner.all(sql, params)) as Promise<T[]>;
  }

  exec(sql: string): Promise<void> {
    return this.#call(() => this.#runner.exec(sql));
  }

  batch(statements: readonly Statement[]): Promise<RunResult[]> {
    return this.#call(() => this.#runner.batch(statements));
  }

  async #call<T>(op: () => MaybePromise<T>): Promise<T> {
    if (this.#done) throw new SqliteError("MISUSE", "the transaction has already ended");
    const release = await this.#mutex.acquire();
    try {
      if (this.#done) throw new SqliteError("MISUSE", "the transaction has already ended");
      return await op();
    } finally {
      release();
    }
  }
}
