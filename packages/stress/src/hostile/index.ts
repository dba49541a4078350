/**
 * The hostile-input run: seeded hostile calls against the public store API,
 * checked for untyped errors, changes of state by rejected calls, and
 * anything a tenant view could learn of another tenant's data.
 */
export { generateCalls, type HostileCall, isCompared, type Method, type ViewRef } from "./calls.js";
export { changedTables, digestState, type StateDigest } from "./digest.js";
export { classify, isTyped, type Outcome, type OutcomeClass } from "./outcome.js";
export { formatReport, SHOWN_FINDINGS, showFinding } from "./report.js";
export {
  type Finding,
  type FindingKind,
  type HostileReport,
  type HostileRunOptions,
  type HostileSide,
  prepareRun,
  runHostile,
  showCall,
} from "./run.js";
export { canonical, describe } from "./serialize.js";
export { IdSource, RunClock, SECRET_TENANTS, SECRET_WORDS } from "./world.js";
