import type { Pool } from "../pool/index.js";
import { type BackupResult, backupDatabase, type StoreBackupOptions } from "./backup.js";
import { checkpointDatabase } from "./checkpoint.js";
import { type OptimizeOptions, optimizeDatabase } from "./optimize.js";
import type {
  CheckpointReport,
  MaintenanceUnsupported,
  OptimizeReport,
  VacuumReport,
} from "./reports.js";
import { vacuumDatabase } from "./vacuum.js";

/**
 * `store.maintenance`: backup, checkpoint, optimize and vacuum, each on the
 * right connection (see each method). Tasks a target cannot run resolve to
 * `{ status: "unsupported", reason }`; a backup that cannot be written throws.
 */
export class Maintenance {
  readonly #pool: Pool;
  readonly #file: string | undefined;

  /** @internal The store builds it. `file` is the local database file, if any. */
  constructor(pool: Pool, file: string | undefined) {
    this.#pool = pool;
    this.#file = file;
  }

  /** The database file on this machine, or `undefined` (`:memory:`, a server). */
  get file(): string | undefined {
    return this.#file;
  }

  /**
   * Writes a checked copy of the database to `path` (a new file) while the
   * store keeps serving. See `backupDatabase` for how, and the operator's
   * guide for what it costs.
   */
  backup(path: string, options?: StoreBackupOptions): Promise<BackupResult> {
    return backupDatabase(this.#pool, path, options);
  }

  /** A TRUNCATE checkpoint: the WAL folded into the database and cut to zero bytes. */
  checkpoint(): Promise<CheckpointReport | MaintenanceUnsupported> {
    return checkpointDatabase(this.#pool, this.#file);
  }

  /** ANALYZE where useful, search index merge, checkpoint; vacuum when asked. */
  optimize(options?: OptimizeOptions): Promise<OptimizeReport> {
    return optimizeDatabase(this.#pool, this.#file, options);
  }

  /** Rebuilds the file without free pages, readers drained, checked afterwards. */
  vacuum(): Promise<VacuumReport | MaintenanceUnsupported> {
    return vacuumDatabase(this.#pool, this.#file);
  }
}
