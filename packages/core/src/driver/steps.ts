import type {
  Params,
  Queryable,
  Row,
  RunResult,
  Statement,
  Transaction,
  TxStep,
  TxSteps,
} from "./types.js";

/**
 * Transaction bodies written as generators of the statements they want run.
 *
 * Why: with a synchronous driver (better-sqlite3, the `libsql` package) a
 * body written with `await` between statements still holds SQLite's write
 * lock across a dozen promise turns, each dearer on Node 20 where
 * AsyncLocalStorage installs promise hooks. A body that *yields* its
 * statements can be driven either way: `SqliteConnection.transactionSteps`
 * runs it from BEGIN to COMMIT in one synchronous stretch when the driver
 * answers synchronously, and `runSteps` drives it over any async `Queryable`.
 * One body, no second copy of the rules.
 *
 * ```ts
 * function* rename(id: string, title: string): TxSteps<number> {
 *   const r = yield* step.run("UPDATE sessions SET title = ? WHERE id = ?", [title, id]);
 *   return r.changes;
 * }
 * ```
 */

export type { TxStep, TxSteps };

/** The statements a body can yield, typed; use them with `yield*`. */
export const step = {
  /** Runs one statement that returns no rows. */
  *run(sql: string, params?: Params): TxSteps<RunResult> {
    return (yield { kind: "run", sql, params }) as RunResult;
  },
  /** The first row, or `undefined`. */
  *get<T extends object = Row>(sql: string, params?: Params): TxSteps<T | undefined> {
    return (yield { kind: "get", sql, params }) as T | undefined;
  },
  /** Every row. */
  *all<T extends object = Row>(sql: string, params?: Params): TxSteps<T[]> {
    return (yield { kind: "all", sql, params }) as T[];
  },
  /** Several statements without parameters. */
  *exec(sql: string): TxSteps<void> {
    yield { kind: "exec", sql };
  },
  /** Statements run atomically (a savepoint inside the transaction). */
  *batch(statements: readonly Statement[]): TxSteps<RunResult[]> {
    return (yield { kind: "batch", statements }) as RunResult[];
  },
  /** Awaits `fn` with the transaction's async handle; from here on the body runs async. */
  *await<T>(fn: (tx: Transaction) => Promise<T>): TxSteps<T> {
    return (yield { kind: "await", fn }) as T;
  },
};

/** What a statement step is run on: an async handle, or core's connection answering as the driver does. */
export interface StatementRunner {
  run(sql: string, params?: Params): unknown;
  get(sql: string, params?: Params): unknown;
  all(sql: string, params?: Params): unknown;
  exec(sql: string): unknown;
  batch(statements: readonly Statement[]): unknown;
}

/** Runs one statement step; the answer is a value or a promise, as `q` gives it. */
export function performStatement(
  q: StatementRunner,
  s: Exclude<TxStep, { kind: "await" }>,
): unknown {
  switch (s.kind) {
    case "run":
      return q.run(s.sql, s.params);
    case "get":
      return q.get(s.sql, s.params);
    case "all":
      return q.all(s.sql, s.params);
    case "exec":
      return q.exec(s.sql);
    case "batch":
      return s.statements.length === 0 ? [] : q.batch(s.statements);
  }
}

/** Runs one step on an async transaction handle. */
export function performStep(tx: Transaction, s: TxStep): Promise<unknown> {
  return s.kind === "await" ? s.fn(tx) : Promise.resolve(performStatement(tx, s));
}

/**
 * Drives a body over an async handle: each step awaited in turn, a failing
 * step thrown into the body. Used inside `transaction()` callbacks, by
 * connections without `transactionSteps`, and to reuse a body from async code.
 */
export function runSteps<T>(body: TxSteps<T>, tx: Queryable): Promise<T> {
  // Not an async function itself: continueSteps is the one async layer.
  let first: IteratorResult<TxStep, T>;
  try {
    first = body.next();
  } catch (error) {
    return Promise.reject(error);
  }
  return continueSteps(body, tx, first);
}

/** Drives `body` on from `next` (the step it is waiting on), awaiting each step. */
export async function continueSteps<T>(
  body: TxSteps<T>,
  tx: Transaction,
  next: IteratorResult<TxStep, T>,
  pending?: Promise<unknown>,
): Promise<T> {
  let current = next;
  let waiting = pending;
  while (!current.done) {
    let value: unknown;
    try {
      value = await (waiting ?? performStep(tx, current.value));
    } catch (error) {
      waiting = undefined;
      current = body.throw(error);
      continue;
    }
    waiting = undefined;
    current = body.next(value);
  }
  return current.value;
}

/** Whether a value is a promise (or another thenable): an async driver answered. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
