/**
 * Operations on the database as a file: backup and restore, checkpoint,
 * optimize, vacuum, and knowing which files are open.
 */
export {
  type BackupMethod,
  type BackupResult,
  backupDatabase,
  type StoreBackupOptions,
  type StoreBackupProgress,
} from "./backup.js";
export { locateDatabaseFile } from "./database-file.js";
export {
  BackupVerificationError,
  DatabaseInUseError,
  UnsupportedOperationError,
} from "./errors.js";
export { assertNotInUse, type ProbeOutcome } from "./in-use.js";
export { Maintenance } from "./maintenance.js";
export { isOpenInThisProcess, registerOpenFile } from "./open-files.js";
export {
  AUTO_VACUUM_FREE_RATIO,
  AUTO_VACUUM_MIN_FREE_PAGES,
  type OptimizeOptions,
} from "./optimize.js";
export type {
  CheckpointReport,
  MaintenanceUnsupported,
  OptimizeReport,
  SpaceFigures,
  VacuumReport,
} from "./reports.js";
export {
  type RestoreOptions,
  type RestoreResult,
  type RestoreStep,
  restoreBackup,
} from "./restore.js";
