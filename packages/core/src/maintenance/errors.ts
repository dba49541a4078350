import { LlmSessionsError } from "../errors.js";

/**
 * The driver or target cannot do this operation at all (a remote libSQL
 * server has no `VACUUM INTO`, a private `:memory:` database has no file).
 * Nothing was changed.
 */
export class UnsupportedOperationError extends LlmSessionsError {
  /** The operation, e.g. `maintenance.backup`. */
  readonly operation: string;

  constructor(operation: string, reason: string) {
    super("UNSUPPORTED", `${operation} is not supported here: ${reason}`);
    this.operation = operation;
  }
}

/**
 * A database file is open (by a store in this process, or by any connection
 * in another process), so it must not be replaced. Nothing was changed.
 */
export class DatabaseInUseError extends LlmSessionsError {
  /** The file that is in use. */
  readonly path: string;

  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super("DATABASE_IN_USE", `${path} is in use: ${detail}`, options);
    this.path = path;
  }
}

/**
 * A copy (a fresh backup, or a backup about to be restored) failed its
 * integrity check. The copy was not put in place.
 */
export class BackupVerificationError extends LlmSessionsError {
  /** The file that was checked. */
  readonly path: string;
  /** What the check reported, one line each. */
  readonly problems: readonly string[];

  constructor(path: string, problems: readonly string[], options?: { cause?: unknown }) {
    super(
      "BACKUP_INVALID",
      `${path} failed its integrity check: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ""}`,
      options,
    );
    this.path = path;
    this.problems = problems;
  }
}
