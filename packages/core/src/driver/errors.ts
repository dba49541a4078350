import { LlmSessionsError } from "../errors.js";

/**
 * SQLite's primary result codes, normalized across drivers, plus two of our
 * own: `CLOSED` (the connection was closed) and `UNSUPPORTED` (the driver or
 * server cannot do this).
 */
export const SQLITE_ERROR_CODES = [
  "ERROR",
  "INTERNAL",
  "PERM",
  "ABORT",
  "BUSY",
  "LOCKED",
  "NOMEM",
  "READONLY",
  "INTERRUPT",
  "IOERR",
  "CORRUPT",
  "NOTFOUND",
  "FULL",
  "CANTOPEN",
  "PROTOCOL",
  "EMPTY",
  "SCHEMA",
  "TOOBIG",
  "CONSTRAINT",
  "MISMATCH",
  "MISUSE",
  "NOLFS",
  "AUTH",
  "FORMAT",
  "RANGE",
  "NOTADB",
  "CLOSED",
  "UNSUPPORTED",
] as const;

/** A normalized SQLite error code. */
export type SqliteErrorCode = (typeof SQLITE_ERROR_CODES)[number];

const KNOWN = new Set<string>(SQLITE_ERROR_CODES);

/** SQLite's numeric primary codes (the low byte of an extended code). */
const BY_NUMBER: Record<number, SqliteErrorCode> = {
  1: "ERROR",
  2: "INTERNAL",
  3: "PERM",
  4: "ABORT",
  5: "BUSY",
  6: "LOCKED",
  7: "NOMEM",
  8: "READONLY",
  9: "INTERRUPT",
  10: "IOERR",
  11: "CORRUPT",
  12: "NOTFOUND",
  13: "FULL",
  14: "CANTOPEN",
  15: "PROTOCOL",
  16: "EMPTY",
  17: "SCHEMA",
  18: "TOOBIG",
  19: "CONSTRAINT",
  20: "MISMATCH",
  21: "MISUSE",
  22: "NOLFS",
  23: "AUTH",
  24: "FORMAT",
  25: "RANGE",
  26: "NOTADB",
};

/**
 * An error from the database, the same whichever driver raised it: `code` is
 * the primary code (`BUSY`, `CONSTRAINT`, ...), `extendedCode` the driver's
 * finer name when it gave one (`SQLITE_CONSTRAINT_FOREIGNKEY`), and `cause`
 * the driver's original error.
 */
export class SqliteError extends LlmSessionsError {
  declare readonly code: SqliteErrorCode;
  /** The extended code as the driver named it, e.g. `SQLITE_BUSY_RECOVERY`. */
  readonly extendedCode: string | undefined;

  constructor(
    code: SqliteErrorCode,
    message: string,
    options?: { cause?: unknown; extendedCode?: string },
  ) {
    super(code, message, options);
    this.extendedCode = options?.extendedCode;
  }
}

/**
 * Reads a primary code out of a driver's code string (`SQLITE_BUSY`,
 * `SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_IOERR_SHORT_READ`) or number (extended
 * codes carry the primary code in their low byte).
 */
export function primaryCode(code: string | number | undefined | null): SqliteErrorCode | undefined {
  if (typeof code === "number") return BY_NUMBER[code & 0xff];
  if (typeof code !== "string") return undefined;
  const name = code.startsWith("SQLITE_") ? code.slice(7) : code;
  if (KNOWN.has(name)) return name as SqliteErrorCode;
  const head = name.split("_")[0] ?? "";
  return KNOWN.has(head) ? (head as SqliteErrorCode) : undefined;
}

/** Guesses a code from a message when a driver gave none (last resort). */
function codeFromMessage(message: string): SqliteErrorCode | undefined {
  const m = message.toLowerCase();
  if (m.includes("file is not a database")) return "NOTADB";
  if (m.includes("database disk image is malformed")) return "CORRUPT";
  if (m.includes("database is locked")) return "BUSY";
  if (m.includes("database table is locked")) return "LOCKED";
  if (m.includes("constraint failed")) return "CONSTRAINT";
  if (m.includes("database or disk is full")) return "FULL";
  if (m.includes("readonly database")) return "READONLY";
  if (m.includes("disk i/o error")) return "IOERR";
  return undefined;
}

/**
 * Turns anything a driver threw into a `SqliteError`. Adapters call it on
 * every error that leaves them, passing the driver's code fields.
 */
export function toSqliteError(
  error: unknown,
  fields?: { code?: string | number | null; extendedCode?: string | number | null },
): SqliteError {
  if (error instanceof SqliteError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const extended = fields?.extendedCode ?? fields?.code;
  const code =
    primaryCode(fields?.extendedCode) ??
    primaryCode(fields?.code) ??
    codeFromMessage(message) ??
    "ERROR";
  return new SqliteError(code, message, {
    cause: error,
    extendedCode: typeof extended === "string" ? extended : undefined,
  });
}

/** True for errors that another process's lock causes and a retry may clear. */
export function isBusyError(error: unknown): boolean {
  return error instanceof SqliteError && (error.code === "BUSY" || error.code === "LOCKED");
}
