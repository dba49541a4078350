export {
  checkIntegrity,
  type IntegrityCheckOptions,
  type IntegrityFinding,
  type IntegrityReport,
} from "./check.js";
