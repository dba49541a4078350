import { AsyncLocalStorage } from "node:async_hooks";
import { isBusyError, SqliteError } from "../driver/errors.js";
import type { TxSteps } from "../driver/steps.js";
import type {
  Queryable,
  Row,
  SqliteConnection,
  SqliteDriver,
  Statement,
  Transaction,
} from "../driver/types.js";
import type { FileIdentity } from "../files/identity.js";
import { backoffDelay } from "./backoff.js";
import {
  CHECKPOINT_MODES,
  type CheckpointMode,
  type CheckpointResult,
  checkpointDrained,
  WalGuard,
} from "./checkpoint.js";
import { surfaceCorruption } from "./corruption.js";
import {
  PoolClosedError,
  PoolCloseTimeoutError,
  PoolMisuseError,
  PoolOptionsError,
  PoolTimeoutError,
} from "./errors.js";
import { Lane, now, type PooledConnection, type PoolLaneStats } from "./lane.js";
import { LeasedConnection } from "./lease.js";
import { surfaceOpenFailure } from "./open-failure.js";
import {
  type PoolCloseOptions,
  type PoolOptions,
  parseCloseTimeout,
  parseWithWriterOptions,
  type ResolvedPoolOptions,
  resolvePoolOptions,
  type WithWriterOptions,
} from "./options.js";
import { PercentileRing } from "./percentiles.js";
import { isConnectionLevelError } from "./retire.js";
import type { PoolStats } from "./stats.js";
import { Timers } from "./timers.js";

/** The async context of a running pool callback, so the pool can spot calls that would deadlock. */
interface Scope {
  readonly pool: Pool;
  readonly lane: Lane;
  readonly parent: Scope | undefined;
  active: boolean;
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * The bodies a borrowed connection runs, at module level so that a borrow
 * allocates no closure for them: the caller's `fn` is passed as an argument.
 */
const callWith = <C, T>(conn: C, fn: (conn: C) => Promise<T>): Promise<T> => fn(conn);
const inSnapshot = <T>(conn: SqliteConnection, fn: (tx: Transaction) => Promise<T>): Promise<T> =>
  conn.transaction("deferred", fn);

const EMPTY_LANE: PoolLaneStats = {
  max: 0,
  size: 0,
  idle: 0,
  busy: 0,
  waiting: 0,
  acquired: 0,
  timedOut: 0,
  overloaded: 0,
  opened: 0,
  replaced: 0,
  recycled: 0,
  idleClosed: 0,
};

/**
 * One writer connection and up to `readers` reader connections to one
 * database. SQLite allows one writer at a time; the pool turns that into a
 * FIFO queue instead of a storm of SQLITE_BUSY, lets reads run beside the
 * writer (WAL), bounds every wait, replaces broken connections and keeps the
 * WAL from growing without end.
 *
 * Each callback gets a connection to itself: no statement of another caller
 * ever runs inside its transaction. Handles are valid only until the callback
 * settles.
 */
export class Pool {
  readonly #driver: SqliteDriver;
  readonly #o: ResolvedPoolOptions;
  readonly #timers = new Timers();
  readonly #waits = new PercentileRing(1024);
  readonly #writer: Lane;
  readonly #readers: Lane | undefined;
  readonly #guard: WalGuard;
  /** False after `close()`: only work already running may still queue. */
  #accepting = true;
  /** True once close() stopped waiting: nothing is granted any more. */
  #shut = false;
  #closing: Promise<void> | undefined;
  #busyRetries = 0;
  #rolledBack = 0;
  /** The database file's identity, once `watchFile` was called. */
  #file: FileIdentity | undefined;

  private constructor(driver: SqliteDriver, options: ResolvedPoolOptions) {
    this.#driver = driver;
    this.#o = options;
    const replaceable = driver.capabilities.sharedConnections;
    const admission = {
      maxWaiting: options.maxWaiting,
      waiting: () => this.#writer.waiting + (this.#readers?.waiting ?? 0),
    };
    // Readers only, and only a file the driver opens itself: see `PoolOptions.mmapSizeBytes`.
    const mmap =
      driver.capabilities.file && options.mmapSizeBytes > 0
        ? { mmapSizeBytes: options.mmapSizeBytes }
        : {};
    const common = {
      acquireTimeoutMs: options.acquireTimeoutMs,
      validateAfterIdleMs: options.validateAfterIdleMs,
      admission,
      timers: this.#timers,
      waits: this.#waits,
    };
    this.#writer = new Lane({
      ...common,
      name: "writer",
      capacity: 1,
      replaceable,
      idleTimeoutMs: undefined,
      maxAgeMs: undefined,
      connect: () =>
        driver
          .connect({
            busyTimeoutMs: options.busyTimeoutMs,
            durability: options.durability,
          })
          .catch((error: unknown) => {
            throw surfaceOpenFailure(error, driver, "opening a connection");
          }),
    });
    this.#readers =
      options.readers > 0
        ? new Lane({
            ...common,
            name: "readers",
            capacity: options.readers,
            replaceable: true,
            idleTimeoutMs: options.idleTimeoutMs,
            maxAgeMs: options.maxReaderAgeMs,
            connect: () =>
              driver
                .connect({
                  busyTimeoutMs: options.busyTimeoutMs,
                  durability: options.durability,
                  readonly: options.readonlyReaders,
                  ...(options.readerCacheKiB > 0 ? { cacheSizeKiB: options.readerCacheKiB } : {}),
                  ...mmap,
                })
                .catch((error: unknown) => {
                  throw surfaceOpenFailure(error, driver, "opening a connection");
                }),
          })
        : undefined;
    this.#guard = new WalGuard(options.checkpoint, this.#timers);
  }

  /**
   * Checks the options, then opens the writer connection at once (so a
   * missing or damaged file fails here, not at the first write). Readers are
   * opened when first needed. The pool applies no pragmas: the driver does.
   *
   * @throws PoolOptionsError for an unknown option or a value out of range.
   * @throws SqliteError when the writer cannot be opened; `DatabaseCorruptError` when the
   *   file is damaged or not a database (every entry point raises corruption that way).
   */
  static async open(driver: SqliteDriver, options?: PoolOptions): Promise<Pool> {
    if (
      typeof driver !== "object" ||
      driver === null ||
      typeof driver.connect !== "function" ||
      typeof driver.capabilities !== "object"
    ) {
      throw new PoolOptionsError("driver", "must be a SqliteDriver (an adapter's factory result)");
    }
    const pool = new Pool(driver, resolvePoolOptions(options, driver.capabilities));
    await pool.#writer.prime();
    return pool;
  }

  /**
   * From now on, every write (and `withWriter`, `checkpoint`) first checks
   * that the database file is still the one opened, and once it is not,
   * every call — reads too — is refused with `DatabaseReplacedError`.
   */
  watchFile(identity: FileIdentity): void {
    this.#file = identity;
  }

  /**
   * Checks now that the database file is the one opened (one `stat`), when
   * `watchFile` was called.
   *
   * @throws DatabaseReplacedError when it was replaced or removed.
   */
  verifyFile(): void {
    this.#file?.verify();
  }

  /** The driver the connections come from (its name, target and capabilities). */
  get driver(): SqliteDriver {
    return this.#driver;
  }

  /** The options in force, defaults filled in (`readers` is 0 when reads share the writer). */
  get options(): ResolvedPoolOptions {
    return this.#o;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return !this.#accepting;
  }

  /**
   * Runs `fn` in a write transaction (`BEGIN IMMEDIATE`) on the writer
   * connection, after every write queued before it (FIFO). Commits when `fn`
   * resolves, rolls back when it throws. If BEGIN is refused with BUSY
   * (another connection, in another process or another store on the file,
   * held the write lock past the busy timeout) it is retried
   * with jittered backoff up to `busyRetry.attempts` times — only ever before
   * `fn` has started, so `fn` runs at most once.
   *
   * @throws PoolTimeoutError, PoolOverloadedError, PoolClosedError while waiting.
   * @throws PoolMisuseError when called from inside another writer callback (it would wait for itself).
   */
  write<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    try {
      this.#admit("write");
      this.#refuseIfHoldingWriter("write()");
      this.#file?.verify();
    } catch (error) {
      return Promise.reject(error);
    }
    const lane = this.#writer;
    return this.#writeOn((conn, enter) =>
      conn.transaction("immediate", (tx) => {
        enter();
        return this.#scoped(lane, callWith, tx, fn);
      }),
    );
  }

  /**
   * `write` for a body of yielded statements (`TxSteps`): the same queue,
   * retries and guarantees, and on a synchronous driver the transaction runs
   * from BEGIN to COMMIT without waiting on a promise, so SQLite's write lock
   * — which other processes wait for — is held for the statements alone.
   * `steps` is called once, when the transaction has begun.
   *
   * @throws the same errors as `write`.
   */
  writeSteps<T>(steps: () => TxSteps<T>): Promise<T> {
    try {
      this.#admit("writeSteps");
      this.#refuseIfHoldingWriter("writeSteps()");
      this.#file?.verify();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#writeOn((conn, enter) => {
      const body = (): TxSteps<T> => {
        enter();
        return steps();
      };
      return conn.transactionSteps("immediate", body);
    });
  }

  /**
   * Runs a fixed list of statements as one write transaction on the writer
   * (`SqliteConnection.writeBatch`: one request on a server) and returns
   * each statement's rows. The same queue, retries and guarantees as
   * `write`: a BEGIN refused with BUSY ran none of the statements, so it is
   * retried.
   *
   * @throws the same errors as `write`.
   */
  writeBatch(statements: readonly Statement[]): Promise<Row[][]> {
    try {
      this.#admit("writeBatch");
      this.#refuseIfHoldingWriter("writeBatch()");
      this.#file?.verify();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#writeOn((conn) => conn.writeBatch(statements));
  }

  /**
   * The writer's turn: BEGIN IMMEDIATE retried on BUSY until the body has been
   * entered. (`write` and `writeSteps` return its promise as it is: an extra
   * async layer would only add promise turns to every write.)
   */
  async #writeOn<T>(
    transact: (conn: SqliteConnection, enter: () => void) => Promise<T>,
  ): Promise<T> {
    const lane = this.#writer;
    let pc: PooledConnection | undefined = lane.acquireNow() ?? (await lane.acquire());
    let entered = false;
    let ok = false;
    let failure: unknown;
    const enter = (): void => {
      entered = true;
    };
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await transact(pc.conn, enter);
          ok = true;
          return result;
        } catch (error) {
          if (
            entered ||
            !isBusyError(error) ||
            attempt >= this.#o.busyRetry.attempts ||
            this.#shut
          ) {
            throw error;
          }
          this.#busyRetries++;
          await this.#timers.sleep(backoffDelay(attempt, this.#o.busyRetry));
          // A connection whose BEGIN failed with BUSY is not trusted again
          // (libsql can be left with a statement in progress); on failure to
          // open a new one the lane has already freed the slot.
          const old: PooledConnection = pc;
          pc = undefined;
          pc = await lane.replace(old);
        }
      }
    } catch (error) {
      failure = error;
      throw surfaceCorruption(error, this.#driver.target, "writing");
    } finally {
      if (pc) this.#afterWrite(pc, ok, failure);
    }
  }

  /**
   * Runs `fn` with a reader connection (outside any transaction: each
   * statement sees the latest commit). When the pool has no readers (a
   * private `:memory:` database, or `readers: 0`) it queues for the writer.
   * If `fn` leaves a transaction open, it is rolled back and the connection
   * replaced.
   */
  read<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const lane = this.#readers ?? this.#writer;
    try {
      this.#admit("read");
      this.#file?.assertNotFailed();
      if (lane === this.#writer) {
        this.#refuseIfHoldingWriter("read() (reads share the writer here)");
      }
    } catch (error) {
      return Promise.reject(error);
    }
    // Returned as it is, like `write`: an async wrapper would add promise turns to every read.
    return this.#borrow(lane, "lease", "reading", callWith<Queryable, T>, fn);
  }

  /**
   * Runs `fn` inside a read transaction (`BEGIN DEFERRED`) on a reader, so
   * every statement sees the same snapshot. Keep it short: an open snapshot
   * keeps the WAL from being reset.
   */
  readSnapshot<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const lane = this.#readers ?? this.#writer;
    try {
      this.#admit("readSnapshot");
      this.#file?.assertNotFailed();
      if (lane === this.#writer) {
        this.#refuseIfHoldingWriter("readSnapshot() (reads share the writer here)");
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#borrow(lane, "transaction", "reading", inSnapshot<T>, fn);
  }

  /**
   * Lends the writer connection itself, exclusively, for maintenance
   * (pragmas, checkpoints, VACUUM, backup through the writer). It waits its
   * turn in the write queue like `write()`. If `fn` leaves a transaction open
   * it is rolled back and the connection replaced. The handle refuses
   * `close()` and every call once `fn` has settled.
   */
  async withWriter<T>(
    fn: (conn: SqliteConnection) => Promise<T>,
    options?: WithWriterOptions,
  ): Promise<T> {
    const drain = parseWithWriterOptions(options);
    this.#admit("withWriter");
    this.#refuseIfHoldingWriter("withWriter()");
    this.#file?.verify();
    if (drain) this.#refuseIfHoldingReader("withWriter({ drainReaders: true })");
    const readers = drain ? this.#readers : undefined;
    if (!readers) return this.#borrow(this.#writer, "lease", "using the writer", callWith, fn);
    let reopen: (() => void) | undefined;
    try {
      return await this.#borrow(
        this.#writer,
        "lease",
        "using the writer",
        async (conn) => {
          reopen = readers.hold();
          const started = now();
          if (!(await readers.whenDrained(this.#o.acquireTimeoutMs))) {
            throw new PoolTimeoutError(
              "readers",
              now() - started,
              readers.waiting,
              `${readers.inUse} reader(s) in use to be released`,
            );
          }
          return fn(conn);
        },
        undefined,
      );
    } finally {
      // After the writer is back: readers resume only once the maintenance is over.
      reopen?.();
    }
  }

  /**
   * Runs `PRAGMA wal_checkpoint(mode)` on the writer, in its turn. For FULL,
   * RESTART and TRUNCATE new readers are held back and the pool waits (up to
   * `acquireTimeoutMs`) for the readers in use to be released first; if they
   * are not, it runs anyway and the result may say `busy`.
   *
   * @throws SqliteError `UNSUPPORTED` when the driver does not allow `wal_checkpoint` (remote servers).
   */
  async checkpoint(mode: CheckpointMode = "TRUNCATE"): Promise<CheckpointResult> {
    if (!CHECKPOINT_MODES.includes(mode)) {
      throw new PoolMisuseError(
        `checkpoint mode must be one of ${CHECKPOINT_MODES.join(", ")}, got ${String(mode)}`,
      );
    }
    if (!this.#driver.capabilities.walCheckpoint) {
      throw new SqliteError(
        "UNSUPPORTED",
        `${this.#driver.name} (${this.#driver.target}) does not allow wal_checkpoint`,
      );
    }
    this.#admit("checkpoint");
    this.#file?.verify();
    this.#refuseIfHoldingWriter("checkpoint()");
    if (mode !== "PASSIVE") this.#refuseIfHoldingReader(`checkpoint("${mode}")`);
    const readers = mode === "PASSIVE" ? undefined : this.#readers;
    return this.#borrow(
      this.#writer,
      "transaction",
      "checkpointing",
      async (conn) => {
        const result = await checkpointDrained(
          conn,
          mode,
          readers,
          this.#o.acquireTimeoutMs,
          false,
        );
        // Never undefined when skipIfNotDrained is false.
        const done = result as CheckpointResult;
        this.#guard.record(done);
        return done;
      },
      undefined,
    );
  }

  /** The pool's figures now (see `PoolStats`). */
  stats(): PoolStats {
    const w = this.#writer.stats();
    const r = this.#readers?.stats() ?? EMPTY_LANE;
    const checkpoint = this.#guard.stats();
    return {
      size: w.size + r.size,
      idle: w.idle + r.idle,
      busy: w.busy + r.busy,
      waiting: w.waiting + r.waiting,
      acquired: w.acquired + r.acquired,
      timedOut: w.timedOut + r.timedOut,
      overloaded: w.overloaded + r.overloaded,
      replaced: w.replaced + r.replaced,
      rolledBack: this.#rolledBack,
      busyRetries: this.#busyRetries,
      checkpoints: checkpoint.checkpoints,
      walPages: checkpoint.walPages,
      waitMs: this.#waits.summary(),
      readers: r,
      writer: w,
      checkpoint,
      closed: !this.#accepting,
    };
  }

  /**
   * Refuses new work at once (`PoolClosedError`), lets queued and running
   * work finish within `timeoutMs`, then closes every connection. Resolves
   * when everything finished in time. Otherwise, at the deadline, queued
   * callers are rejected with `PoolClosedError` (their callbacks never run),
   * idle connections are closed, every timer is cleared, and the promise
   * rejects with `PoolCloseTimeoutError`. A connection still lent out is
   * closed as soon as its holder lets go of it: a `read()`/`withWriter()`
   * callback's next statement fails with `CLOSED`, while a `write()`
   * transaction already under way runs to its end (commit if `fn` resolves,
   * rollback if it throws — never half) before its connection closes.
   * Callbacks already running may still call the pool while it drains. A
   * second call returns the same promise.
   */
  close(options?: PoolCloseOptions): Promise<void> {
    if (this.#closing) return this.#closing;
    let timeoutMs: number;
    try {
      timeoutMs = parseCloseTimeout(options, this.#o.closeTimeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#accepting = false;
    this.#closing = this.#shutdown(timeoutMs);
    return this.#closing;
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#guard.stop();
    const lanes = this.#readers ? [this.#writer, this.#readers] : [this.#writer];
    const deadline = now() + timeoutMs;
    let drained = false;
    for (;;) {
      const left = Math.max(0, deadline - now());
      const results = await Promise.all(lanes.map((lane) => lane.whenEmpty(left)));
      // Work still running may have queued more on another lane meanwhile: recheck.
      if (results.every(Boolean) && lanes.every((l) => l.inUse === 0 && l.waiting === 0)) {
        drained = true;
        break;
      }
      if (now() >= deadline) break;
    }
    const inFlight = lanes.reduce((n, lane) => n + lane.inUse, 0);
    this.#shut = true;
    const rejected = await Promise.all(lanes.map((lane) => lane.shutdown()));
    // Wakes any BUSY-retry sleeper (it then finds its connection closed).
    this.#timers.clearAll();
    if (!drained) {
      throw new PoolCloseTimeoutError(
        timeoutMs,
        inFlight,
        rejected.reduce((a, b) => a + b, 0),
      );
    }
  }

  /** After a write: measure the WAL (holding the writer a little longer) or just give the writer back. */
  #afterWrite(pc: PooledConnection, ok: boolean, failure: unknown): void {
    if (ok && !this.#shut && this.#guard.due()) {
      // The caller has its result already; the next write waits for the guard.
      void this.#runGuard(pc);
      return;
    }
    this.#writer.release(pc, this.#verdict(pc, failure));
    if (ok && this.#accepting) this.#guard.scheduleTrailing(() => void this.#trailingGuard());
  }

  async #runGuard(pc: PooledConnection): Promise<void> {
    let failure: unknown;
    try {
      await this.#guard.run(pc.conn, this.#readers);
    } catch (error) {
      failure = error;
      this.#guard.recordError(error);
    } finally {
      this.#writer.release(pc, this.#verdict(pc, failure));
    }
  }

  /** The last writes of a burst are measured too, once the interval has passed. */
  async #trailingGuard(): Promise<void> {
    if (!this.#accepting) return;
    let pc: PooledConnection;
    try {
      pc = await this.#writer.acquire();
    } catch {
      return; // Busy or closing: the next write will measure.
    }
    await this.#runGuard(pc);
  }

  /** Whether a connection must be replaced after this use. */
  #verdict(pc: PooledConnection, failure: unknown): "replaced" | undefined {
    return pc.conn.closed || isConnectionLevelError(failure) ? "replaced" : undefined;
  }

  /**
   * Gives back a connection a callback used raw: a transaction it left open
   * is rolled back and the connection replaced (a private `:memory:`
   * connection is rolled back and kept: it is the database).
   */
  async #giveBackChecked(lane: Lane, pc: PooledConnection, failure: unknown): Promise<void> {
    let reason = this.#verdict(pc, failure);
    if (!pc.conn.closed) {
      try {
        if (await pc.conn.inTransaction()) {
          this.#rolledBack++;
          reason = "replaced";
          await pc.conn.exec("ROLLBACK");
        }
      } catch {
        reason = "replaced";
      }
    }
    lane.release(pc, reason);
  }

  /**
   * Lends a connection of `lane` to `use(conn, arg)` and takes it back
   * however `use` ends (resolves, rejects or throws): the one borrow path of
   * `read`, `readSnapshot`, `withWriter` and `checkpoint`. `"lease"` hands
   * over a `LeasedConnection`, revoked when `use` settles, and rolls back a
   * transaction `use` left open; `"transaction"` hands over the connection
   * for a transaction that the driver ends. A connection that broke is
   * replaced; corruption is raised as `DatabaseCorruptError`. (Writes borrow
   * in `#writeOn`: a BUSY retry swaps the connection mid-borrow, and giving
   * it back feeds the WAL guard.)
   */
  async #borrow<A, T>(
    lane: Lane,
    handle: "lease" | "transaction",
    doing: string,
    use: (conn: SqliteConnection, arg: A) => Promise<T>,
    arg: A,
  ): Promise<T> {
    const pc = lane.acquireNow() ?? (await lane.acquire());
    const lease = handle === "lease" ? new LeasedConnection(pc.conn) : undefined;
    let failure: unknown;
    try {
      return await this.#scoped(lane, use, lease ?? pc.conn, arg);
    } catch (error) {
      failure = error;
      throw surfaceCorruption(error, this.#driver.target, doing);
    } finally {
      if (lease) {
        lease.revoke();
        await this.#giveBackChecked(lane, pc, failure);
      } else {
        lane.release(pc, this.#verdict(pc, failure));
      }
    }
  }

  /** Runs `fn(a, b)` marked as this pool's callback on `lane` (see `Scope`). */
  async #scoped<A, B, T>(lane: Lane, fn: (a: A, b: B) => Promise<T>, a: A, b: B): Promise<T> {
    const scope: Scope = { pool: this, lane, parent: scopes.getStore(), active: true };
    try {
      return await scopes.run(scope, fn, a, b);
    } finally {
      scope.active = false;
    }
  }

  /** New work is refused once closing, except from callbacks still running (they may finish their job). */
  #admit(what: string): void {
    if (this.#shut || (!this.#accepting && !this.#inOwnCallback())) {
      throw new PoolClosedError(`the pool is closed; ${what}() refused`);
    }
  }

  #inOwnCallback(): boolean {
    for (let s = scopes.getStore(); s; s = s.parent) {
      if (s.pool === this && s.active) return true;
    }
    return false;
  }

  /** A reader callback asking to drain the readers would wait for itself until it timed out. */
  #refuseIfHoldingReader(what: string): void {
    for (let s = scopes.getStore(); s; s = s.parent) {
      if (s.pool === this && s.active && s.lane === this.#readers) {
        throw new PoolMisuseError(
          `${what} drains the readers but was called from inside a reader callback: it would wait for itself.`,
        );
      }
    }
  }

  /** A writer callback asking for the writer would wait for itself until it timed out. */
  #refuseIfHoldingWriter(what: string): void {
    for (let s = scopes.getStore(); s; s = s.parent) {
      if (s.pool === this && s.active && s.lane === this.#writer) {
        throw new PoolMisuseError(
          `${what} was called from inside a callback that holds the writer: it would wait for itself. Use the tx/connection handle you were given.`,
        );
      }
    }
  }
}
