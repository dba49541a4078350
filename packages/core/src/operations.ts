import type { LifecycleFigures } from "./lifecycle/index.js";
import { locateDatabaseFile, Maintenance, registerOpenFile } from "./maintenance/index.js";
import { StoreMonitor } from "./metrics/index.js";
import type { Pool } from "./pool/index.js";

/** What a store needs for `maintenance`, `metrics()` and `health()`. */
export interface StoreOperations {
  readonly maintenance: Maintenance;
  readonly monitor: StoreMonitor;
  /** Forgets the store's file in the open-files registry (at close). */
  readonly releaseFile: () => void;
}

/**
 * Finds the database file (asking SQLite, on the writer that is already
 * open), registers it as open in this process so that `restoreBackup`
 * refuses to replace it, and builds the maintenance and monitoring parts.
 */
export async function openOperations(
  pool: Pool,
  lifecycle: () => LifecycleFigures | undefined,
): Promise<StoreOperations> {
  const openedAt = performance.now();
  const file = await pool.withWriter((conn) => locateDatabaseFile(pool.driver, conn));
  return {
    maintenance: new Maintenance(pool, file),
    monitor: new StoreMonitor({ pool, file, openedAt, lifecycle }),
    releaseFile: file === undefined ? () => {} : registerOpenFile(file),
  };
}
