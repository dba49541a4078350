export { type IntegrityApi, integrityApi } from "./api.js";
export { type BackupFn, vacuumInto } from "./backup.js";
export {
  checkIntegrity,
  type IntegrityCheckOptions,
  type IntegrityFinding,
  type IntegrityReport,
} from "./check.js";
export {
  type IntegrityRepairOptions,
  type IntegrityRepairReport,
  type RepairActions,
  repairIntegrity,
} from "./repair.js";
export { type VerifyOnOpen, verifyOnOpen } from "./verify-open.js";
