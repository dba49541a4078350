export { archiveInTx, restoreInTx } from "./archive.js";
export { LifecycleApi, type LifecycleFigures } from "./lifecycle-api.js";
export {
  type LifecyclePolicy,
  policySchema,
  type ResolvedPolicy,
  resolvePolicy,
} from "./policy.js";
export {
  decodeSnapshot,
  readSnapshot,
  type SnapshotContent,
  SnapshotCorruptError,
  sha256,
} from "./snapshot.js";
export { purgeInTx, type SweepResult } from "./sweep.js";
