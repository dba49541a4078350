import { closeSync, openSync, statSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliError, usageError } from "./errors.js";
import { isRemote } from "./target.js";

/**
 * Checks, before any database is opened, that the file a command will write
 * (a backup) can be created, so that a failure names that file and not the
 * database: SQLite's "unable to open database file" for a backup in a
 * read-only place would otherwise be reported against the database.
 *
 * Creates `path` exclusively and removes it again. A file that already
 * exists is left alone and passes: the library refuses to overwrite it with
 * its own message. Returns the absolute path.
 *
 * @throws CliError exit 2 when the directory does not exist, exit 1 when the
 *   file cannot be created there (permissions, a read-only or special file
 *   system).
 */
export function assertCreatable(path: string, what: string): string {
  const target = resolve(path);
  let fd: number;
  try {
    fd = openSync(target, "wx");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return target;
    if (code === "ENOENT" && !isDirectory(dirname(target))) {
      throw usageError(`cannot write the ${what} ${target}: its directory does not exist`);
    }
    throw new CliError(`cannot write the ${what} ${target}: ${reason(code, error)}`);
  }
  closeSync(fd);
  unlinkSync(target);
  return target;
}

/**
 * The backup a command writes before it changes `db` (`doctor --repair`,
 * `migrate`), checked by `assertCreatable` when `db` is a local file. A
 * server's backup path is passed on unchecked, as the library receives it.
 */
export function newBackupFile(db: string, backup: string): string {
  return isRemote(db) ? backup : assertCreatable(backup, "backup");
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A file-system error raised while writing beside `target` (a restore's
 * temporary copy, say), reworded to name `target`; any other error is
 * returned as it is.
 */
export function blameTarget(error: unknown, target: string): unknown {
  const { code, dest, path } = error as NodeJS.ErrnoException & { dest?: unknown };
  const written = typeof dest === "string" ? dest : path;
  if (typeof code !== "string" || typeof written !== "string") return error;
  if (dirname(written) !== dirname(target)) return error;
  return new CliError(`cannot write ${target}: ${reason(code, error)}`);
}

function reason(code: string | undefined, error: unknown): string {
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "the disk is full";
    case "ENOENT":
      return "files cannot be created in that directory";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
