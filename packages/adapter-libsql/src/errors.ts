import {
  primaryCode,
  SqliteError,
  type SqliteErrorCode,
  toSqliteError,
} from "@llm-sessions/core/driver";
import { extendedName } from "./extended-codes.js";

/**
 * @libsql/client's own codes (not SQLite's) and what they mean in SQLite's
 * terms. Remote servers add codes that are not stable yet; those fall through
 * to the message, then to `ERROR`.
 */
const CLIENT_CODES: Readonly<Record<string, SqliteErrorCode>> = {
  CLIENT_CLOSED: "CLOSED",
  // The transaction ended under the caller: SQLite rolled it back (FULL,
  // IOERR, BUSY), a server timed it out, or it was committed early.
  TRANSACTION_CLOSED: "ABORT",
  TRANSACTION_ACTIVE: "MISUSE",
  URL_INVALID: "MISUSE",
  URL_SCHEME_NOT_SUPPORTED: "MISUSE",
  URL_PARAM_NOT_SUPPORTED: "MISUSE",
  ENCRYPTION_KEY_NOT_SUPPORTED: "MISUSE",
  SYNC_NOT_SUPPORTED: "UNSUPPORTED",
  HRANA_PROTO_ERROR: "PROTOCOL",
  PROTOCOL_VERSION_ERROR: "PROTOCOL",
  HRANA_WEBSOCKET_ERROR: "IOERR",
  HRANA_CLOSED_ERROR: "IOERR",
  SERVER_ERROR: "IOERR",
  INTERNAL_ERROR: "INTERNAL",
};

/** Plain JS errors the client or libSQL throw for a bad argument or a dead network. */
const JS_ERRORS: ReadonlyArray<readonly [RegExp, SqliteErrorCode]> = [
  [/fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|socket hang up/i, "IOERR"],
  [/too large|out of range/i, "RANGE"],
  [/cannot be passed|can only bind|finite numbers/i, "MISUSE"],
];

interface LibsqlErrorShape {
  readonly message: string;
  readonly code?: unknown;
  readonly extendedCode?: unknown;
  readonly rawCode?: unknown;
  readonly cause?: unknown;
}

/** Turns anything @libsql/client threw into a `SqliteError` with a normalized code. */
export function mapLibsqlError(error: unknown): SqliteError {
  if (error instanceof SqliteError) return error;
  if (!(error instanceof Error)) return toSqliteError(error);
  const { code, extendedCode, rawCode, cause } = error as LibsqlErrorShape;
  const name = typeof code === "string" ? code : undefined;
  const extended = typeof extendedCode === "string" ? extendedCode : name;

  const client = name === undefined ? undefined : CLIENT_CODES[name];
  if (client !== undefined) {
    // An HTTP 401/403 reaches us as SERVER_ERROR with the status on the cause.
    const status = (cause as { status?: unknown } | undefined)?.status;
    const code = status === 401 || status === 403 ? "AUTH" : client;
    return new SqliteError(code, error.message, { cause: error, extendedCode: name });
  }
  // Local errors carry SQLite's numeric extended code: the most precise source.
  const fromRaw = typeof rawCode === "number" ? primaryCode(rawCode) : undefined;
  if (fromRaw !== undefined) {
    // libSQL's own name when it has one, else ours (it says UNKNOWN_SQLITE_ERROR_3091 for DATATYPE).
    const named =
      typeof extendedCode === "string" && extendedCode.startsWith("SQLITE_")
        ? extendedCode
        : extendedName(fromRaw, rawCode as number);
    return new SqliteError(fromRaw, error.message, { cause: error, extendedCode: named });
  }
  // A remote server names the code (SQLITE_CONSTRAINT, SQLITE_BUSY, ...).
  if (primaryCode(extended) !== undefined) {
    return toSqliteError(error, { code: name, extendedCode: extended });
  }
  // libSQL fails to open a file with `ConnectionFailed("...: 14")` and no code.
  const opened = /ConnectionFailed\(.*?(\d+)\W*\)\s*$/s.exec(error.message);
  if (opened) {
    const fromNumber = primaryCode(Number(opened[1]));
    if (fromNumber) return new SqliteError(fromNumber, error.message, { cause: error });
  }
  const js = JS_ERRORS.find(([pattern]) => pattern.test(error.message));
  if (js) return new SqliteError(js[1], error.message, { cause: error });
  return toSqliteError(error, { code: name });
}

/** True when the error is SQLite's BUSY (any extended form). */
export function isBusy(error: unknown): boolean {
  return mapLibsqlError(error).code === "BUSY";
}
