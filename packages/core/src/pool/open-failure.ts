import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import { SqliteError } from "../driver/errors.js";
import type { SqliteDriver } from "../driver/types.js";
import { DiskFullError } from "../files/errors.js";
import { surfaceCorruption } from "./corruption.js";

/** Bytes free to this process on the file system holding `path`. */
export function freeBytes(path: string): number {
  const s = statfsSync(dirname(path));
  return s.bavail * s.bsize;
}

/**
 * What a failed connect means for the caller. SQLite reports a full disk at
 * open as `FULL`, or — when creating the WAL index fails — as a bare
 * `IOERR` ("disk I/O error"); the second is told apart by asking the file
 * system for its free space. Corruption becomes `DatabaseCorruptError`.
 */
export function surfaceOpenFailure(
  error: unknown,
  driver: Pick<SqliteDriver, "target" | "localPath">,
  during: string,
  free: (path: string) => number = freeBytes,
): unknown {
  if (error instanceof SqliteError && driver.localPath) {
    if (error.code === "FULL") return new DiskFullError(driver.target, during, { cause: error });
    if (error.code === "IOERR" && noSpace(driver.localPath, free)) {
      return new DiskFullError(driver.target, during, { cause: error });
    }
  }
  return surfaceCorruption(error, driver.target, during);
}

/** Under one page of room: SQLite cannot grow the WAL or its index. */
function noSpace(path: string, free: (path: string) => number): boolean {
  try {
    return free(path) < 65536;
  } catch {
    return false;
  }
}
