import { SqliteError, type SqliteErrorCode } from "../driver/errors.js";

/**
 * Error codes after which a connection is not trusted again and is replaced:
 * - `CLOSED`: it is gone.
 * - `IOERR`, `CANTOPEN`: its file descriptors or WAL/shm mapping may be bad
 *   (a deleted or remounted file, a failing disk); a fresh open finds out anew.
 * - `CORRUPT`, `NOTADB`: its page cache may hold the damage, and after a
 *   repair or restore only a new connection sees the new file.
 * - `PROTOCOL`: a remote stream that broke mid-way.
 * - `BUSY`: a libsql connection whose statement failed with BUSY can be left
 *   with a statement in progress, so its next COMMIT fails (libsql-client-ts
 *   #352). Replacing it is cheap and rare (BUSY only comes from another
 *   connection, in another process or another store on the file, holding
 *   the lock past the busy timeout).
 * Constraint failures, syntax errors and the like say nothing about the
 * connection and keep it.
 */
const RETIRE_CODES: ReadonlySet<SqliteErrorCode> = new Set<SqliteErrorCode>([
  "CLOSED",
  "IOERR",
  "CANTOPEN",
  "CORRUPT",
  "NOTADB",
  "PROTOCOL",
  "BUSY",
]);

/** Whether `error` means the connection that raised it must be replaced rather than reused. */
export function isConnectionLevelError(error: unknown): boolean {
  return error instanceof SqliteError && RETIRE_CODES.has(error.code);
}
