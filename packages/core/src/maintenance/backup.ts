import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { SqliteConnection } from "../driver/index.js";
import { ValidationError } from "../errors.js";
import { readDatabaseFigures } from "../metrics/database-figures.js";
import type { Pool } from "../pool/index.js";
import { filePath, parse } from "../sessions/validation.js";
import { BackupVerificationError, UnsupportedOperationError } from "./errors.js";
import {
  exists,
  fileSize,
  fsyncDirectory,
  fsyncFile,
  publishNoClobber,
  removeWithSideFiles,
  tempPathBeside,
} from "./files.js";
import { inspectCopy, toRollbackJournal } from "./verify-copy.js";

/** How a backup is made. */
export type BackupMethod = "online" | "vacuum-into";

/** Progress of `maintenance.backup`, for a progress bar. */
export interface StoreBackupProgress {
  /** `copy` while pages are copied; `verify` while the copy is checked. */
  readonly phase: "copy" | "verify";
  /** Pages of the source database. */
  readonly totalPages: number;
  /** Pages left in this phase; 0 in the phase's last report. */
  readonly remainingPages: number;
}

/** Options of `maintenance.backup`. */
export interface StoreBackupOptions {
  /** Called as the copy advances and around the check of the copy. */
  readonly onProgress?: (progress: StoreBackupProgress) => void;
  /**
   * `auto` (default): the driver's online backup when it has one
   * (better-sqlite3), `VACUUM INTO` otherwise (libSQL). `online` fails with
   * `UnsupportedOperationError` where there is none; `vacuum-into` forces the
   * compacting copy (it does not hold up writers: see the guide).
   */
  readonly method?: "auto" | BackupMethod;
}

/** What `maintenance.backup` wrote. */
export interface BackupResult {
  /** Absolute path of the backup. */
  readonly path: string;
  /** How the backup was made: `online` (SQLite's backup API) or `vacuum-into` (`VACUUM INTO`). */
  readonly method: BackupMethod;
  /** Size of the backup file. */
  readonly bytes: number;
  /** Pages in the backup. */
  readonly pages: number;
  /** Sessions and messages in the backup (as the check counted them). */
  readonly sessions: number;
  /** Messages in the backup (as the check counted them). */
  readonly messages: number;
  /** The backup's schema version (`user_version`). */
  readonly schemaVersion: number;
  /** Time the copy and its verification took, in milliseconds. */
  readonly durationMs: number;
}

const optionsSchema = z.strictObject({
  onProgress: z
    .custom<StoreBackupOptions["onProgress"]>((f) => typeof f === "function", "must be a function")
    .optional(),
  method: z.enum(["auto", "online", "vacuum-into"]).optional(),
});

/**
 * Writes a consistent copy of the database to `destination` while the store
 * keeps serving, checks the copy, and only then puts it at `destination`:
 *
 * 1. the copy goes to a hidden temporary file beside `destination`;
 *    - `online` (better-sqlite3): SQLite's page-by-page backup, run on the
 *      pool's writer connection. That is what lets it finish under steady
 *      writes: a backup restarts whenever *another* connection writes, while
 *      writes made through its own connection are folded in. Writes and reads
 *      go on between its steps (the writer waits at most one step, ~10 ms).
 *      The copy is the database as of the moment it finishes. (A private
 *      `:memory:` database restarts the copy at every commit, so there the
 *      writer is held until the copy is done.)
 *    - `vacuum-into`: `VACUUM INTO` on a reader (the writer when readers are
 *      read-only or absent): one snapshot, compacted; writers go on. It
 *      reports progress only at its start and end.
 * 2. the copy is switched to a rollback journal (one self-contained file)
 *    and fsynced;
 * 3. `integrity_check` and `foreign_key_check` run on it (attached to a
 *    reader), and it must have the store's tables;
 * 4. it is linked into place (never over a file someone made meanwhile) and
 *    the directory is fsynced.
 *
 * Every message acknowledged before the call is in the copy. On any failure
 * the temporary file is removed and `destination` is not created.
 *
 * @throws ValidationError when `destination` exists, its directory does not, or options are wrong.
 * @throws UnsupportedOperationError on a driver with neither method (a remote server).
 * @throws BackupVerificationError when the copy fails its check (nothing is left behind).
 */
export async function backupDatabase(
  pool: Pool,
  destination: string,
  options: StoreBackupOptions = {},
): Promise<BackupResult> {
  const where = "maintenance.backup";
  const target = resolve(parse(where, filePath(), destination));
  const opts = parse(where, optionsSchema, options);
  const method = chooseMethod(pool, opts.method ?? "auto");
  await checkDestination(where, target);
  const started = performance.now();
  const report = opts.onProgress ?? (() => {});
  const temp = tempPathBeside(target, "backup");
  try {
    const totalPages =
      method === "online"
        ? await copyOnline(pool, temp, report)
        : await copyVacuumInto(pool, temp, report);
    await fsyncFile(temp);
    report({ phase: "verify", totalPages, remainingPages: totalPages });
    const inspection = await pool.read((q) => inspectCopy(q, temp));
    if (inspection.problems.length > 0) {
      throw new BackupVerificationError(target, inspection.problems);
    }
    report({ phase: "verify", totalPages, remainingPages: 0 });
    if (!(await publishNoClobber(temp, target))) {
      throw new ValidationError(where, [
        {
          path: "path",
          message: `${target} appeared while the backup ran; nothing was overwritten`,
        },
      ]);
    }
    await fsyncDirectory(dirname(target));
    return {
      path: target,
      method,
      bytes: (await fileSize(target)) ?? 0,
      pages: inspection.pages,
      sessions: inspection.sessions,
      messages: inspection.messages,
      schemaVersion: inspection.schemaVersion,
      durationMs: performance.now() - started,
    };
  } finally {
    // After success only the temporary name is left to remove (publish unlinked it already).
    await removeWithSideFiles(temp);
  }
}

function chooseMethod(pool: Pool, wanted: "auto" | BackupMethod): BackupMethod {
  const caps = pool.driver.capabilities;
  const vacuumInto = caps.vacuum && caps.local;
  if (wanted === "online" || (wanted === "auto" && caps.onlineBackup)) {
    if (caps.onlineBackup) return "online";
    throw new UnsupportedOperationError(
      "maintenance.backup",
      `${pool.driver.name} has no online backup; use method "vacuum-into"${vacuumInto ? "" : " (not available here either)"}`,
    );
  }
  if (vacuumInto) return "vacuum-into";
  throw new UnsupportedOperationError(
    "maintenance.backup",
    `${pool.driver.name} (${pool.driver.target}) allows neither an online backup nor VACUUM INTO: back up a server with its own tools`,
  );
}

async function checkDestination(where: string, target: string): Promise<void> {
  if (await exists(target)) {
    throw new ValidationError(where, [
      {
        path: "path",
        message: `${target} already exists; choose a new file (a backup never overwrites)`,
      },
    ]);
  }
  const dir = dirname(target);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new ValidationError(where, [
      { path: "path", message: `the directory ${dir} does not exist` },
    ]);
  }
}

/**
 * The online backup on the writer connection. It is started in the writer's
 * turn (after every write queued before it, so those are in the copy), but
 * the writer is given back at once: writes go on through the same connection
 * between the copy's steps, and SQLite folds them into the copy instead of
 * restarting it (a restart happens only when another connection writes,
 * which in this process none does). Then the copy's header is switched to a
 * rollback journal.
 */
async function copyOnline(
  pool: Pool,
  temp: string,
  report: (p: StoreBackupProgress) => void,
): Promise<number> {
  let totalPages = 0;
  // A private :memory: database restarts the copy at every commit (SQLite folds
  // commits in only for files): there, writes wait for the copy (it is small).
  const holdWriter = !pool.driver.capabilities.file;
  const { copying } = await pool.withWriter(async (conn: SqliteConnection) => {
    if (!conn.backup) {
      throw new UnsupportedOperationError(
        "maintenance.backup",
        `${pool.driver.name} reports onlineBackup but its connections have no backup()`,
      );
    }
    const started = conn.backup(temp, {
      onProgress: (p) => {
        totalPages = p.totalPages;
        report({ phase: "copy", totalPages: p.totalPages, remainingPages: p.remainingPages });
      },
    });
    if (holdWriter) await started;
    // Awaited below, after the writer is given back; observed now so a quick failure is not "unhandled".
    started.catch(() => {});
    return { copying: started };
  });
  await copying;
  // The copy has WAL in its header (like the source); a backup should be one self-contained file.
  await pool.withWriter((conn) => toRollbackJournal(conn, temp));
  return totalPages;
}

/** `VACUUM INTO` on a reader when one can write a file, else on the writer. */
async function copyVacuumInto(
  pool: Pool,
  temp: string,
  report: (p: StoreBackupProgress) => void,
): Promise<number> {
  const run = async (q: Pick<SqliteConnection, "get" | "run">): Promise<number> => {
    const { pageCount } = await readDatabaseFigures(q, undefined);
    report({ phase: "copy", totalPages: pageCount, remainingPages: pageCount });
    await q.run("VACUUM INTO ?", [temp]);
    report({ phase: "copy", totalPages: pageCount, remainingPages: 0 });
    return pageCount;
  };
  // A read-only reader (query_only on libSQL) refuses to write the new file.
  return pool.options.readonlyReaders ? pool.withWriter(run) : pool.read(run);
}
