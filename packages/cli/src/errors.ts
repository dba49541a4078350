/** Exit codes: documented in the README and relied on by scripts. */
export const EXIT = {
  /** Done; the database is sound. */
  ok: 0,
  /** Problems found, or the operation failed (damaged, locked, in use, not a database). */
  problems: 1,
  /** Usage: a bad or missing argument or option, a missing file, an unknown command. */
  usage: 2,
} as const;

/** An error the CLI raises itself, with the line to print and the exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.problems) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A usage error (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

interface Coded {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as Coded | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(error: unknown): string {
  const message = (error as Coded | null)?.message;
  return typeof message === "string" ? message : String(error);
}

/**
 * SQLite's codes for a file that could not be created or written. While a
 * command writes a new file (a backup), the database it reads is already
 * open, so these are about the file being written, not the database.
 */
const WRITE_FAILURES = new Set(["CANTOPEN", "READONLY", "PERM", "FULL", "AUTH"]);

/**
 * An error raised while writing `path` (a backup), reworded to name `path`
 * instead of the database; any other error is returned as it is.
 */
export function blameWrittenFile(error: unknown, path: string): unknown {
  const code = codeOf(error);
  if (code === undefined || !WRITE_FAILURES.has(code)) return error;
  const message = messageOf(error);
  return new CliError(
    code === "FULL"
      ? `the disk is full: cannot write ${path}: ${message}`
      : `cannot write ${path}: ${message}`,
  );
}

/**
 * Turns anything thrown into one line for an operator and an exit code. The
 * library's errors are told apart by their stable `code` (not `instanceof`,
 * so a second copy of the library in node_modules cannot break it). The
 * line never includes a stack trace; set LLM_SESSIONS_DEBUG=1 for one.
 */
export function describeError(error: unknown, db?: string): { line: string; exitCode: number } {
  if (error instanceof CliError) return { line: error.message, exitCode: error.exitCode };
  const code = codeOf(error);
  const message = messageOf(error);
  const name = db ?? "the database";
  const causeCode = codeOf((error as Coded | null)?.cause);
  switch (code) {
    case "VALIDATION":
      return { line: message, exitCode: EXIT.usage };
    case "DATABASE_CORRUPT":
      if (causeCode === "NOTADB") {
        return {
          line: `${name} is not a SQLite database (or it is encrypted)`,
          exitCode: EXIT.problems,
        };
      }
      return {
        line: /restore a backup/i.test(message)
          ? message
          : `${message}. Restore a backup (llm-sessions restore) or see "Corruption" in docs/operations.md`,
        exitCode: EXIT.problems,
      };
    case "NOTADB":
      return {
        line: `${name} is not a SQLite database (or it is encrypted)`,
        exitCode: EXIT.problems,
      };
    case "CORRUPT":
      return { line: `${name} is damaged: ${message}`, exitCode: EXIT.problems };
    case "BUSY":
    case "LOCKED":
      return {
        line: `${name} is locked by another process (${message}); stop it or retry, or raise --busy-timeout`,
        exitCode: EXIT.problems,
      };
    case "CANTOPEN":
      return { line: `cannot open ${name}: ${message}`, exitCode: EXIT.problems };
    case "READONLY":
      return { line: `${name} is read-only: ${message}`, exitCode: EXIT.problems };
    case "FULL":
      return { line: `the disk is full: ${message}`, exitCode: EXIT.problems };
    case "DISK_FULL":
      // The library's line names the file and says to free space and retry.
      return { line: `${message} (nothing was committed)`, exitCode: EXIT.problems };
    case "FOREIGN_DATABASE":
      return {
        line: `${message}. Check the path: the CLI works only on llm-sessions databases`,
        exitCode: EXIT.problems,
      };
    case "DATABASE_REPLACED":
      return {
        line: `${name} was replaced or removed while the command had it open, so it stopped: nothing more was written to the old file. Run the command again on the file now there`,
        exitCode: EXIT.problems,
      };
    case "POOL_TIMEOUT":
      return { line: `timed out waiting for ${name}: ${message}`, exitCode: EXIT.problems };
    case undefined:
      return { line: message, exitCode: EXIT.problems };
    default:
      // MIGRATION_REQUIRED, SCHEMA_TOO_NEW, DATABASE_IN_USE, BACKUP_INVALID, UNSUPPORTED, CONFLICT...:
      // their messages already say what to do.
      return { line: message, exitCode: EXIT.problems };
  }
}
