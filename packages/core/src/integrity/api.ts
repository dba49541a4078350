import type { StoreExtension } from "../extensions/types.js";
import type { Pool } from "../pool/index.js";
import { refuseWithoutVacuum, vacuumInto } from "./backup.js";
import { checkIntegrity, type IntegrityCheckOptions, type IntegrityReport } from "./check.js";
import {
  type IntegrityRepairOptions,
  type IntegrityRepairReport,
  repairIntegrity,
} from "./repair.js";

/** `store.integrity`: checks the database and repairs what breaks the store's rules. */
export interface IntegrityApi {
  /**
   * Checks without changing anything: SQLite's `quick_check` (or
   * `integrity_check` with `full`), foreign keys, counters, seq, orphans,
   * snapshot checksums and the search index. Damage is a finding, never an
   * exception and never a clean report.
   */
  check(options?: IntegrityCheckOptions): Promise<IntegrityReport>;
  /**
   * Backs up (unless `backupTo: false`), then in one transaction quarantines
   * orphans, renumbers broken seq, recomputes counters and rebuilds indexes
   * that were out of step; then checks again. See `repairIntegrity`.
   */
  repair(options: IntegrityRepairOptions): Promise<IntegrityRepairReport>;
}

/** The integrity API over a store's pool. */
export function integrityApi(
  pool: Pool,
  clock: () => number,
  extensions: () => readonly StoreExtension[] = () => [],
): IntegrityApi {
  return {
    check: (options) => checkIntegrity(pool, options, extensions()),
    repair: (options) =>
      repairIntegrity(
        pool,
        // VACUUM INTO in the writer's turn: see `vacuumInto` for why not the online backup.
        {
          target: pool.driver.target,
          clock,
          backup: (path) => vacuumInto(pool, path, "integrity.repair"),
          refuseBackup: () => refuseWithoutVacuum(pool, "integrity.repair"),
        },
        options,
      ),
  };
}
