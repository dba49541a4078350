import { SqliteError } from "../driver/errors.js";
import type { SqliteConnection } from "../driver/types.js";
import {
  PoolClosedError,
  type PoolLaneName,
  PoolOverloadedError,
  PoolTimeoutError,
} from "./errors.js";
import type { PercentileRing } from "./percentiles.js";
import type { Timers } from "./timers.js";
import { WaitQueue } from "./wait-queue.js";

/** The monotonic clock every duration and age in the pool is measured with. */
export const now = (): number => performance.now();

/** A connection as the pool holds it: the connection and its age. */
export interface PooledConnection {
  readonly conn: SqliteConnection;
  /** When it was opened. */
  readonly createdAt: number;
  /** When it was last released (or opened). */
  lastUsedAt: number;
  /** Stops the idle timer while it sits idle. */
  cancelIdle: (() => void) | undefined;
}

/** Why a connection left the lane. */
export type RetireReason = "replaced" | "recycled" | "idleClosed" | "shutdown";

/** Figures of one lane (the writer, or the readers). */
export interface PoolLaneStats {
  /** Most connections the lane may hold (1 for the writer). */
  readonly max: number;
  /** Connections open now (idle and in use). */
  readonly size: number;
  /** Open connections not lent to anyone. */
  readonly idle: number;
  /** Callers holding a connection of this lane now. */
  readonly busy: number;
  /** Callers queued for this lane now. */
  readonly waiting: number;
  /** Connections handed out since the pool opened. */
  readonly acquired: number;
  /** Callers that gave up after `acquireTimeoutMs`. */
  readonly timedOut: number;
  /** Callers refused because `maxWaiting` were already queued. */
  readonly overloaded: number;
  /** Connections opened since the pool opened. */
  readonly opened: number;
  /** Connections discarded as broken, left inside a transaction, failed validation or after BUSY. */
  readonly replaced: number;
  /** Readers closed for being older than `maxReaderAgeMs`. */
  readonly recycled: number;
  /** Readers closed after `idleTimeoutMs` without use. */
  readonly idleClosed: number;
}

/** Back-pressure shared by both lanes: `maxWaiting` counts every queued caller. */
export interface Admission {
  readonly maxWaiting: number;
  waiting(): number;
}

/** How a lane opens and manages its connections. */
export interface LaneOptions {
  readonly name: PoolLaneName;
  readonly capacity: number;
  readonly connect: () => Promise<SqliteConnection>;
  /**
   * False for a private `:memory:` database: its one connection holds the
   * only copy of the data, so it is never closed, recycled or replaced while
   * the pool lives — a lost connection is an error, not a fresh empty database.
   */
  readonly replaceable: boolean;
  readonly acquireTimeoutMs: number;
  readonly validateAfterIdleMs: number;
  /** Idle connections are closed after this long; undefined keeps them. */
  readonly idleTimeoutMs: number | undefined;
  /** Connections older than this are closed on release; undefined keeps them. */
  readonly maxAgeMs: number | undefined;
  readonly admission: Admission;
  readonly timers: Timers;
  /** Where wait durations are recorded (shared by the lanes). */
  readonly waits: PercentileRing;
}

interface Watcher {
  readonly done: () => boolean;
  readonly resolve: (ok: boolean) => void;
}

/**
 * Up to `capacity` connections to one database and a FIFO queue of callers
 * waiting for one. A slot is counted as taken from the moment it is granted
 * (before the caller has its connection), so capacity holds even while a
 * granted caller is still opening or validating. Idle connections are a
 * stack: the most recently used goes out first, so the rest can age out.
 */
export class Lane {
  readonly #o: LaneOptions;
  readonly #queue: WaitQueue;
  readonly #idle: PooledConnection[] = [];
  readonly #held = new Set<PooledConnection>();
  readonly #watchers = new Set<Watcher>();
  readonly #closing = new Set<Promise<void>>();
  /** Slots granted and not yet released. */
  #inUse = 0;
  /** Open connections (idle and held). */
  #open = 0;
  /** Holds on the gate; while above 0 no slot is granted. */
  #gate = 0;
  #shut = false;
  #everOpened = false;
  #acquired = 0;
  #timedOut = 0;
  #overloaded = 0;
  #opened = 0;
  readonly #retired: Record<RetireReason, number> = {
    replaced: 0,
    recycled: 0,
    idleClosed: 0,
    shutdown: 0,
  };

  constructor(options: LaneOptions) {
    this.#o = options;
    this.#queue = new WaitQueue(options.timers);
  }

  /** The lane's name, for messages. */
  get name(): PoolLaneName {
    return this.#o.name;
  }

  /** Callers queued now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Slots taken now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Opens one connection and keeps it idle (the writer at `Pool.open`, so a bad file fails there). */
  async prime(): Promise<void> {
    const pc = await this.#openOne();
    this.#park(pc);
  }

  /**
   * Waits for a slot (FIFO, at most `acquireTimeoutMs`) and returns a
   * connection: an idle one (validated if it idled long) or a new one.
   */
  async acquire(): Promise<PooledConnection> {
    if (this.#shut) throw new PoolClosedError();
    const started = now();
    if (this.#canGrantNow()) {
      this.#inUse++;
    } else {
      const { maxWaiting } = this.#o.admission;
      if (this.#o.admission.waiting() >= maxWaiting) {
        this.#overloaded++;
        throw new PoolOverloadedError(this.#o.name, maxWaiting);
      }
      await this.#queue.wait(this.#o.acquireTimeoutMs, () => {
        const waited = now() - started;
        this.#timedOut++;
        this.#o.waits.add(waited);
        this.#notify();
        return new PoolTimeoutError(this.#o.name, waited, this.#queue.length);
      });
    }
    let pc: PooledConnection;
    try {
      pc = await this.#checkout();
    } catch (error) {
      this.#inUse--;
      this.#dispatch();
      this.#notify();
      throw error;
    }
    if (this.#shut) {
      // close() gave up while this caller was opening or validating: no work
      // starts after the pool has closed.
      this.#inUse--;
      this.#retire(pc, "shutdown");
      throw new PoolClosedError("the pool closed before this caller got a connection");
    }
    this.#held.add(pc);
    this.#acquired++;
    this.#o.waits.add(now() - started);
    return pc;
  }

  /**
   * A connection at once, without a promise, when `acquire` would grant one
   * without waiting, opening or validating: a free slot, nobody queued, and an
   * idle connection that is open, young enough and used recently. Otherwise
   * `undefined` (then call `acquire`). The hot path of every operation.
   */
  acquireNow(): PooledConnection | undefined {
    if (!this.#canGrantNow()) return undefined;
    const pc = this.#idle[this.#idle.length - 1];
    if (pc === undefined || !this.#usableAsIs(pc)) return undefined;
    this.#idle.pop();
    this.#inUse++;
    this.#held.add(pc);
    this.#acquired++;
    this.#o.waits.add(0);
    return pc;
  }

  /**
   * Gives a connection back. With a `reason`, or when it is closed or too
   * old, it is closed instead of kept (never for a non-replaceable lane,
   * whose one connection is the database). Frees the slot either way.
   */
  release(pc: PooledConnection, reason?: "replaced" | "recycled"): void {
    this.#held.delete(pc);
    this.#inUse--;
    if (this.#shut) {
      this.#retire(pc, "shutdown");
    } else if (!this.#o.replaceable) {
      this.#park(pc);
    } else if (reason !== undefined) {
      this.#retire(pc, reason);
    } else if (pc.conn.closed) {
      this.#retire(pc, "replaced");
    } else if (this.#tooOld(pc)) {
      this.#retire(pc, "recycled");
    } else {
      this.#park(pc);
    }
    this.#dispatch();
    this.#notify();
  }

  /**
   * Swaps a held connection for a new one without giving up the slot (the
   * writer after BUSY). A non-replaceable connection is returned as is. If
   * the new one cannot be opened, the slot is released and the error thrown.
   */
  async replace(pc: PooledConnection): Promise<PooledConnection> {
    if (!this.#o.replaceable) return pc;
    this.#held.delete(pc);
    this.#retire(pc, "replaced");
    let fresh: PooledConnection;
    try {
      if (this.#shut) throw new PoolClosedError();
      fresh = await this.#openOne();
    } catch (error) {
      this.#inUse--;
      this.#dispatch();
      this.#notify();
      throw error;
    }
    this.#held.add(fresh);
    return fresh;
  }

  /**
   * Stops granting slots until the returned function is called (the WAL
   * guard and drained maintenance hold new readers back this way). Callers
   * already waiting stay queued; their deadlines keep running.
   */
  hold(): () => void {
    this.#gate++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#gate--;
      this.#dispatch();
    };
  }

  /** Resolves true once no slot is taken, or false after `timeoutMs`. */
  whenDrained(timeoutMs: number): Promise<boolean> {
    return this.#watch(() => this.#inUse === 0, timeoutMs);
  }

  /** Resolves true once no slot is taken and nobody is queued, or false after `timeoutMs`. */
  whenEmpty(timeoutMs: number): Promise<boolean> {
    return this.#watch(() => this.#inUse === 0 && this.#queue.length === 0, timeoutMs);
  }

  /**
   * Ends the lane: rejects queued callers with `PoolClosedError`, closes idle
   * connections (awaited) and held ones (not awaited: a held connection
   * closes when its current transaction ends, and its holder's next
   * statement fails with `CLOSED`). Returns how many callers were rejected.
   */
  async shutdown(): Promise<number> {
    this.#shut = true;
    const rejected = this.#queue.rejectAll(
      () => new PoolClosedError("the pool closed before this caller got a connection"),
    );
    for (const pc of this.#idle.splice(0)) this.#retire(pc, "shutdown");
    for (const pc of this.#held) void pc.conn.close().catch(() => {});
    // Nobody is left to wait for: settle every watcher with what holds now.
    for (const watcher of [...this.#watchers]) watcher.resolve(watcher.done());
    await Promise.allSettled([...this.#closing]);
    return rejected;
  }

  /** This lane's figures. */
  stats(): PoolLaneStats {
    return {
      max: this.#o.capacity,
      size: this.#open,
      idle: this.#idle.length,
      busy: this.#inUse,
      waiting: this.#queue.length,
      acquired: this.#acquired,
      timedOut: this.#timedOut,
      overloaded: this.#overloaded,
      opened: this.#opened,
      replaced: this.#retired.replaced,
      recycled: this.#retired.recycled,
      idleClosed: this.#retired.idleClosed,
    };
  }

  #canGrantNow(): boolean {
    // Nobody may overtake a queued caller: FIFO holds even when a slot frees
    // up between a grant and the granted caller's next tick.
    return (
      !this.#shut && this.#gate === 0 && this.#queue.length === 0 && this.#inUse < this.#o.capacity
    );
  }

  #dispatch(): void {
    while (!this.#shut && this.#gate === 0 && this.#inUse < this.#o.capacity) {
      this.#inUse++;
      if (!this.#queue.grantNext()) {
        this.#inUse--;
        return;
      }
    }
  }

  async #checkout(): Promise<PooledConnection> {
    for (;;) {
      const pc = this.#idle.pop();
      if (!pc) return this.#openOne();
      if (this.#usableAsIs(pc)) return pc;
      if (pc.conn.closed) {
        this.#retire(pc, "replaced");
      } else if (this.#tooOld(pc)) {
        this.#retire(pc, "recycled");
      } else if (await valid(pc)) {
        return pc; // idle long, and still answers
      } else {
        this.#retire(pc, "replaced");
      }
    }
  }

  async #openOne(): Promise<PooledConnection> {
    if (!this.#o.replaceable && this.#everOpened) {
      throw new SqliteError(
        "CLOSED",
        "the connection to the private in-memory database was lost; its data cannot be recovered",
      );
    }
    const conn = await this.#o.connect();
    this.#everOpened = true;
    this.#opened++;
    this.#open++;
    const t = now();
    return { conn, createdAt: t, lastUsedAt: t, cancelIdle: undefined };
  }

  /**
   * Whether an idle connection can be handed out without a check: open,
   * young enough, used recently. Always for a lane that cannot replace its
   * connection (the only copy of a private database: handed out even if
   * lost, so the caller gets CLOSED rather than a new, empty database).
   */
  #usableAsIs(pc: PooledConnection): boolean {
    return (
      !this.#o.replaceable ||
      (!pc.conn.closed && !this.#tooOld(pc) && now() - pc.lastUsedAt < this.#o.validateAfterIdleMs)
    );
  }

  #tooOld(pc: PooledConnection): boolean {
    return this.#o.maxAgeMs !== undefined && now() - pc.createdAt >= this.#o.maxAgeMs;
  }

  #park(pc: PooledConnection): void {
    pc.lastUsedAt = now();
    this.#idle.push(pc);
    const idleMs = this.#o.idleTimeoutMs;
    // One timer per connection, armed when it is first parked and not
    // cancelled on each borrow (a timer per operation costs more than the
    // read it guards): when it fires it looks at when the connection was
    // last used, and waits on for the rest of the time if it was used since.
    if (idleMs !== undefined && this.#o.replaceable && pc.cancelIdle === undefined) {
      this.#armIdle(pc, idleMs, idleMs);
    }
  }

  #armIdle(pc: PooledConnection, delayMs: number, idleMs: number): void {
    pc.cancelIdle = this.#o.timers.start(delayMs, () => {
      pc.cancelIdle = undefined;
      const i = this.#idle.indexOf(pc);
      // Borrowed now: parking it again arms a new timer.
      if (i < 0) return;
      const left = pc.lastUsedAt + idleMs - now();
      if (left > 0) {
        this.#armIdle(pc, left, idleMs);
        return;
      }
      this.#idle.splice(i, 1);
      this.#retire(pc, "idleClosed");
    });
  }

  #retire(pc: PooledConnection, reason: RetireReason): void {
    pc.cancelIdle?.();
    pc.cancelIdle = undefined;
    this.#open--;
    this.#retired[reason]++;
    // Closing waits for the connection's current holder (if any); nobody
    // needs to wait for it, but shutdown() collects what is still closing.
    const closing = pc.conn.close().catch(() => {});
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
  }

  #watch(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let cancel = (): void => {};
      const watcher: Watcher = {
        done,
        resolve: (ok) => {
          this.#watchers.delete(watcher);
          cancel();
          resolve(ok);
        },
      };
      this.#watchers.add(watcher);
      cancel = this.#o.timers.start(timeoutMs, () => watcher.resolve(done()));
    });
  }

  #notify(): void {
    for (const watcher of [...this.#watchers]) {
      if (watcher.done()) watcher.resolve(true);
    }
  }
}

/** `SELECT 1` on a connection that idled long: a dropped remote stream or a broken handle shows here, not in the caller's query. */
async function valid(pc: PooledConnection): Promise<boolean> {
  try {
    await pc.conn.get("SELECT 1");
    return true;
  } catch {
    return false;
  }
}
