import type { Pool } from "../pool/index.js";
import { fileSize } from "./files.js";
import type { CheckpointReport, MaintenanceUnsupported } from "./reports.js";

/**
 * A TRUNCATE checkpoint: every WAL frame copied into the database and the
 * WAL file cut to zero bytes. The pool holds new readers back and waits (up
 * to `acquireTimeoutMs`) for the ones in use; a reader in another process
 * can still make it `busy`.
 */
export async function checkpointDatabase(
  pool: Pool,
  file: string | undefined,
): Promise<CheckpointReport | MaintenanceUnsupported> {
  const caps = pool.driver.capabilities;
  if (!caps.walCheckpoint || !caps.file) {
    return {
      status: "unsupported",
      operation: "maintenance.checkpoint",
      reason: caps.file
        ? `${pool.driver.name} (${pool.driver.target}) does not allow wal_checkpoint (a server runs its own checkpoints)`
        : "an in-memory database has no WAL",
    };
  }
  const started = performance.now();
  const walBytesBefore = file === undefined ? undefined : ((await fileSize(`${file}-wal`)) ?? 0);
  const result = await pool.checkpoint("TRUNCATE");
  const walBytesAfter = file === undefined ? undefined : ((await fileSize(`${file}-wal`)) ?? 0);
  return {
    status: "done",
    busy: result.busy,
    readersDrained: result.readersDrained,
    walBytesBefore,
    walBytesAfter,
    durationMs: performance.now() - started,
  };
}
