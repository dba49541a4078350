import type { MaybePromise, RawConnection, RawStatement } from "../adapter.js";
import { coreConnection } from "../connection.js";
import { type SqliteErrorCode, toSqliteError } from "../errors.js";
import type { Row, RunResult, SqliteConnection, TransactionMode } from "../types.js";

/** How the fake answers. */
export interface FakeRawOptions {
  /** Answer with promises instead of values. */
  readonly async: boolean;
  /** Statements (or `COMMIT`, `BEGIN immediate`, ...) whose text contains this fail with `failCode`. */
  readonly fail?: string;
  /** The code of that failure. Default `CONSTRAINT`. */
  readonly failCode?: SqliteErrorCode;
  /** How many times it fails (default: every time). */
  failTimes?: number;
  /** Log `prepare <sql>` too (to see the statement cache at work). */
  readonly logPrepares?: boolean;
}

/**
 * A raw connection that logs what it is asked, answering synchronously or
 * with promises, and keeps the one piece of state core reads: whether a
 * transaction is open. `endTransaction()` plays SQLite rolling back on its own.
 */
export function fakeRaw(options: FakeRawOptions) {
  const log: string[] = [];
  let open = false;
  const answer = <T>(what: string, value: () => T): MaybePromise<T> => {
    log.push(what);
    if (options.fail && what.includes(options.fail) && (options.failTimes ?? 1) > 0) {
      if (options.failTimes !== undefined) options.failTimes--;
      const code = options.failCode ?? "CONSTRAINT";
      const error = Object.assign(new Error(`${what} failed`), { code: `SQLITE_${code}` });
      if (options.async) return Promise.reject(error);
      throw error;
    }
    return options.async ? Promise.resolve().then(value) : value();
  };
  const statement = (sql: string): RawStatement => ({
    run: () => answer<RunResult>(sql, () => ({ changes: 1, lastInsertRowid: 1 })),
    get: () => answer<Row | undefined>(sql, () => ({ sql })),
    all: () => answer<Row[]>(sql, () => [{ sql }]),
  });
  const raw: RawConnection = {
    prepare: (sql) => {
      if (options.logPrepares) log.push(`prepare ${sql}`);
      return statement(sql);
    },
    exec: (sql) => answer<void>(sql, () => undefined),
    begin: (mode: TransactionMode) =>
      answer<void>(`BEGIN ${mode}`, () => {
        open = true;
      }),
    commit: () =>
      answer<void>("COMMIT", () => {
        open = false;
      }),
    rollback: () =>
      answer<void>("ROLLBACK", () => {
        open = false;
      }),
    inTransaction: () => open,
    close: () => undefined,
  };
  return {
    raw,
    log,
    endTransaction: () => {
      open = false;
    },
  };
}

/** `raw` as core wraps it. */
export function wrap(
  raw: RawConnection,
  context: { waitForLock?: boolean; busyTimeoutMs?: number; statementCacheSize?: number } = {},
): SqliteConnection {
  return coreConnection(raw, {
    mapError: (e) => toSqliteError(e, { code: (e as { code?: string }).code }),
    waitForLock: context.waitForLock ?? false,
    busyTimeoutMs: context.busyTimeoutMs ?? 0,
    statementCacheSize: context.statementCacheSize ?? 10,
  });
}
