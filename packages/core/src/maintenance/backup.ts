import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { SqliteConnection } from "../driver/index.js";
import { ValidationError } from "../errors.js";
import { readDatabaseFigures } from "../metrics/database-figures.js";
import type { Pool } from "../pool/index.js";
import { parse } from "../sessions/validation.js";
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
  readonly method: BackupMethod;
  /** Size of the backup file. */
  readonly bytes: number;
  /** Pages in the backup. */
  readonly pages: number;
  /** Sessions and messages in the backup (as the check counted them). */
  readonly sessions: number;
  readonly messages: number;
  /** The backup's schema version (`user_version`). */
  readonly schemaVersion: number;
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
 *    - `online` (better-sqlite3): SQLite's page-by-page backup on the pool's
 *      writer. Holding the writer is what lets it finish: the backup restarts
 *      whenever another connection writes, so under steady writes one run
 *      beside the writer might never end. Reads go on; writes queue behind it.
 *    - `vacuum-into`: `VACUUM INTO` on a reader (the writer when readers are
 *      read-only or absent). It reads one snapshot, so writers go on.
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
  const target = resolve(parse(where, z.string().min(1, "must be a file path"), destination));
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

/** The online backup on the writer, then the copy's header switched to a rollback journal. */
async function copyOnline(
  pool: Pool,
  temp: string,
  report: (p: StoreBackupProgress) => void,
): Promise<number> {
  return pool.withWriter(async (conn: SqliteConnection) => {
    let totalPages = 0;
    if (!conn.backup) {
      throw new UnsupportedOperationError(
        "maintenance.backup",
        `${pool.driver.name} reports onlineBackup but its connections have no backup()`,
      );
    }
    await conn.backup(temp, {
      onProgress: (p) => {
        totalPages = p.totalPages;
        report({ phase: "copy", totalPages: p.totalPages, remainingPages: p.remainingPages });
      },
    });
    // The copy has WAL in its header (like the source); a backup should be one file.
    await toRollbackJournal(conn, temp);
    return totalPages;
  });
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
