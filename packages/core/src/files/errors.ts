import { LlmSessionsError } from "../errors.js";

/**
 * The file is a SQLite database of another application (its tables are not
 * the store's, its `application_id` is another's, or its `user_version` is
 * no schema version of this library). Nothing was changed: point the store
 * at its own file.
 */
export class ForeignDatabaseError extends LlmSessionsError {
  /** The database file. */
  readonly target: string;

  constructor(target: string, reason: string) {
    super(
      "FOREIGN_DATABASE",
      `${target} is not an llm-sessions database (${reason}); nothing was changed`,
    );
    this.target = target;
  }
}

/**
 * The database file was replaced (renamed over) or removed while the store
 * had it open: the store's connections still point at the old file, so
 * anything written now would be lost with it. Every later call is refused
 * with this error; close the store and open it again on the file now there.
 */
export class DatabaseReplacedError extends LlmSessionsError {
  /** The database file. */
  readonly target: string;

  constructor(target: string, what: string) {
    super(
      "DATABASE_REPLACED",
      `${target} ${what} while the store had it open; refusing to read or write the old file: close the store and open it again`,
    );
    this.target = target;
  }
}

/**
 * The disk (file system) holding the database is full, so SQLite could not
 * write what it needed (the WAL, its index, or the file). Nothing was
 * committed; free space and retry.
 */
export class DiskFullError extends LlmSessionsError {
  /** The database file. */
  readonly target: string;

  constructor(target: string, during: string, options?: { cause?: unknown }) {
    super(
      "DISK_FULL",
      `the disk holding ${target} is full (${during}): free some space and retry`,
      options,
    );
    this.target = target;
  }
}
