import { closeSync, existsSync, fsyncSync, openSync } from "node:fs";
import { ValidationError } from "../errors.js";
import { UnsupportedOperationError } from "../maintenance/errors.js";
import type { Pool } from "../pool/index.js";

/**
 * Writes a consistent copy of the database to a new file. Repair and the
 * legacy migration take one of these before they change anything.
 */
export type BackupFn = (path: string) => Promise<void>;

/**
 * The backup repair and `migrateLegacy` take: `VACUUM INTO` on the writer,
 * in its turn, so a steady stream of writes cannot keep restarting it (as it
 * would an online page-by-page backup), then an fsync so that the copy is on
 * disk before anything is changed.
 *
 * @throws ValidationError when `path` already exists (VACUUM INTO would
 *   refuse it anyway; saying so first is clearer).
 * @throws UnsupportedOperationError when the driver does not allow VACUUM (a remote server).
 */
export async function vacuumInto(pool: Pool, path: string, operation: string): Promise<void> {
  refuseWithoutVacuum(pool, operation);
  if (existsSync(path)) {
    throw new ValidationError("backup", [
      { path: "backupTo", message: `${path} already exists; choose a new file` },
    ]);
  }
  await pool.withWriter((conn) => conn.run("VACUUM INTO ?", [path]));
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `UnsupportedOperationError` when `pool`'s driver cannot `VACUUM INTO` (a
 * server): the callers check it before they do anything else.
 */
export function refuseWithoutVacuum(pool: Pool, operation: string): void {
  if (!pool.driver.capabilities.vacuum) {
    throw new UnsupportedOperationError(
      operation,
      `${pool.driver.name} (${pool.driver.target}) cannot write a backup with VACUUM INTO: back it up with the server's own tools and pass backupTo: false`,
    );
  }
}
