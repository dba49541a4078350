import { SqliteError, type SqliteErrorCode, toSqliteError } from "@llm-sessions/core/driver";

/**
 * better-sqlite3 reports binding and API mistakes as plain `TypeError` and
 * `RangeError` without a code. Each gets the SQLite code that means the same:
 * a wrong number or name of parameters is `RANGE` (SQLite's "bind index out
 * of range"), an oversized value `TOOBIG`, a missing directory `CANTOPEN`,
 * and any other misuse of the API (a value of a type SQLite cannot store,
 * several statements where one is expected) `MISUSE`.
 */
const JS_ERRORS: ReadonlyArray<readonly [RegExp, SqliteErrorCode]> = [
  [/parameter values were provided|missing named parameter/i, "RANGE"],
  [/too big/i, "TOOBIG"],
  [/directory does not exist/i, "CANTOPEN"],
  [/connection is not open/i, "CLOSED"],
];

/** Turns anything better-sqlite3 threw into a `SqliteError` with a normalized code. */
export function mapError(error: unknown): SqliteError {
  if (error instanceof SqliteError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  // better-sqlite3's SqliteError: code is the extended name, e.g. SQLITE_CONSTRAINT_UNIQUE.
  if (typeof code === "string" && code.startsWith("SQLITE_")) {
    return toSqliteError(error, { code });
  }
  if (error instanceof TypeError || error instanceof RangeError) {
    const match = JS_ERRORS.find(([pattern]) => pattern.test(error.message));
    return new SqliteError(match?.[1] ?? "MISUSE", error.message, { cause: error });
  }
  return toSqliteError(error);
}
