import { LlmSessionsError } from "../errors.js";

/** Which queue a caller waited in: the single writer or the reader connections. */
export type PoolLaneName = "writer" | "readers";

/**
 * An option given to `Pool.open` is unknown or out of range. Thrown before
 * anything is opened, so a typo never silently falls back to a default.
 */
export class PoolOptionsError extends LlmSessionsError {
  /** The option's path, e.g. `"busyRetry.attempts"`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super("POOL_OPTIONS", `pool option ${option}: ${message}`);
    this.option = option;
  }
}

/**
 * A caller waited `acquireTimeoutMs` for a connection and gave up. Its
 * callback never runs: the waiter was removed from the queue.
 */
export class PoolTimeoutError extends LlmSessionsError {
  /** The queue the caller waited in. */
  readonly lane: PoolLaneName;
  /** How long the caller waited, in milliseconds. */
  readonly waitedMs: number;
  /** How many callers were still waiting in that queue when this one gave up (itself excluded). */
  readonly queueDepth: number;

  constructor(lane: PoolLaneName, waitedMs: number, queueDepth: number, what?: string) {
    super(
      "POOL_TIMEOUT",
      `timed out after ${Math.round(waitedMs)} ms waiting for ${what ?? (lane === "writer" ? "the writer connection" : "a reader connection")} (${queueDepth} other caller(s) still waiting in the ${lane} queue)`,
    );
    this.lane = lane;
    this.waitedMs = waitedMs;
    this.queueDepth = queueDepth;
  }
}

/**
 * Back-pressure: `maxWaiting` callers are already queued, so this one is
 * refused at once instead of growing an unbounded queue. Retry later or shed load.
 */
export class PoolOverloadedError extends LlmSessionsError {
  /** The queue the caller asked to join. */
  readonly lane: PoolLaneName;
  /** The `maxWaiting` limit that was reached. */
  readonly maxWaiting: number;

  constructor(lane: PoolLaneName, maxWaiting: number) {
    super(
      "POOL_OVERLOADED",
      `the pool is overloaded: ${maxWaiting} caller(s) are already waiting (maxWaiting), refusing a new ${lane === "writer" ? "write" : "read"}`,
    );
    this.lane = lane;
    this.maxWaiting = maxWaiting;
  }
}

/** The pool is closing or closed and takes no new work. */
export class PoolClosedError extends LlmSessionsError {
  constructor(message = "the pool is closed", options?: { cause?: unknown }) {
    super("POOL_CLOSED", message, options);
  }
}

/**
 * A store call came after the store's `close()` (or while it closed): the
 * store takes no new work. A `PoolClosedError` (same `code`, `POOL_CLOSED`),
 * whose message names the store and the call, e.g. `the store is closed
 * (close() was called): sessions.get() refused`.
 */
export class StoreClosedError extends PoolClosedError {
  /** The refused call, e.g. `sessions.get`. */
  readonly operation: string;

  constructor(operation: string, options?: { cause?: unknown }) {
    super(`the store is closed (close() was called): ${operation}() refused`, options);
    this.operation = operation;
  }
}

/**
 * What a store call rethrows: the pool's refusal (which names the pool's
 * own method, meaningless to a store user) as a `StoreClosedError` naming
 * `operation`; any other error as it is.
 */
export function asStoreRefusal(operation: string, error: unknown): unknown {
  return error instanceof PoolClosedError && !(error instanceof StoreClosedError)
    ? new StoreClosedError(operation, { cause: error })
    : error;
}

/**
 * `close()` reached its deadline while work was still running or queued.
 * Queued callers were rejected with `PoolClosedError`, idle connections were
 * closed, and connections still lent out close as soon as their holders let
 * go (a write transaction under way still ends whole: commit or rollback).
 */
export class PoolCloseTimeoutError extends LlmSessionsError {
  /** Callbacks that were still running at the deadline. */
  readonly inFlight: number;
  /** Callers still queued at the deadline (rejected; their callbacks never ran). */
  readonly queued: number;

  constructor(timeoutMs: number, inFlight: number, queued: number) {
    super(
      "POOL_CLOSE_TIMEOUT",
      `the pool did not drain within ${timeoutMs} ms: ${inFlight} operation(s) still running, ${queued} queued caller(s) rejected; connections closed`,
    );
    this.inFlight = inFlight;
    this.queued = queued;
  }
}

/**
 * A call that would deadlock or break the pool's guarantees, e.g. `write()`
 * from inside a `write()` callback (the writer is already held by the caller),
 * or closing a connection the pool owns.
 */
export class PoolMisuseError extends LlmSessionsError {
  constructor(message: string) {
    super("POOL_MISUSE", message);
  }
}
