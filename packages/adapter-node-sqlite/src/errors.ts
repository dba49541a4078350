import { SqliteError, type SqliteErrorCode, toSqliteError } from "@llm-sessions/core/driver";

/**
 * node:sqlite's own checks throw Node errors without a SQLite code. Each gets
 * the SQLite code that means the same: a closed database or statement is
 * `CLOSED`, an unknown named parameter `RANGE` (SQLite's "bind index out of
 * range"), a bigint beyond 64 bits `TOOBIG`, and any other misuse of the API
 * (a value of a type SQLite cannot store, a bad argument) `MISUSE`.
 */
const NODE_ERRORS: ReadonlyArray<readonly [RegExp, SqliteErrorCode]> = [
  [/is not open|has been finalized/i, "CLOSED"],
  [/unknown named parameter/i, "RANGE"],
  [/too large to bind/i, "TOOBIG"],
];

/** Turns anything node:sqlite threw into a `SqliteError` with a normalized code (a `SqliteError` as it is, by `toSqliteError`). */
export function mapError(error: unknown): SqliteError {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  // SQLite's own errors: errcode is the extended result code (e.g. 2067, CONSTRAINT_UNIQUE).
  if (code === "ERR_SQLITE_ERROR" && typeof errcode === "number") {
    return toSqliteError(error, { extendedCode: errcode });
  }
  if (typeof code === "string" && code.startsWith("ERR_") && error instanceof Error) {
    const match = NODE_ERRORS.find(([pattern]) => pattern.test(error.message));
    return new SqliteError(match?.[1] ?? "MISUSE", error.message, { cause: error });
  }
  return toSqliteError(error);
}
