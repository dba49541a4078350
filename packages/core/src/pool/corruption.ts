import { SqliteError } from "../driver/errors.js";
import { DatabaseCorruptError } from "../errors.js";

/** Whether SQLite said the file is damaged (`CORRUPT`) or not a database at all (`NOTADB`). */
export function isCorruptionError(error: unknown): error is SqliteError {
  return error instanceof SqliteError && (error.code === "CORRUPT" || error.code === "NOTADB");
}

/**
 * The one place where a driver's corruption error becomes a
 * `DatabaseCorruptError` naming the database: every pool entry point passes
 * what it rethrows through here, so no layer above can mistake damage for an
 * ordinary SQL error (or, worse, for an empty result). Anything else is
 * returned unchanged.
 */
export function surfaceCorruption(error: unknown, target: string, during: string): unknown {
  if (!isCorruptionError(error)) return error;
  return new DatabaseCorruptError(target, during, error.message, { cause: error });
}
