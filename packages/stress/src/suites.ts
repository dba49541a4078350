/**
 * The stress suites without vitest: run them from a script, a CI job or your
 * own runner (`llm-sessions-stress` is built on this).
 *
 * @example
 * ```ts
 * import { runSuite, selectSuites } from "@llm-sessions/stress/suites";
 *
 * for (const suite of selectSuites(["crash"])) {
 *   const result = await runSuite(suite, {
 *     adapter: { name: "mine", module: "my-sqlite-adapter", export: "mySqlite", options: { filename: "{path}" } },
 *     profile: "ci",
 *   });
 *   console.log(result.status, result.violations);
 * }
 * ```
 *
 * @packageDocumentation
 */
export {
  ADAPTER_PRESETS,
  type AdapterSpec,
  createDriver,
  type DriverFactory,
  loadFactory,
  optionsFor,
  PATH_PLACEHOLDER,
  type PresetTarget,
  preset,
  validateSpec,
} from "./adapters/index.js";
export {
  checkInvariants,
  type InvariantOptions,
  Ledger,
  type LedgerMessage,
  type LedgerRecord,
  type LedgerSink,
  RecordingSink,
} from "./invariants/index.js";
export { ManualClock } from "./suite/clock.js";
export { type StressSuite, SuiteContext, type SuiteStoreOptions } from "./suite/context.js";
export { type LatencySummary, summarize } from "./suite/latency.js";
export { STRESS_SUITES, selectSuites } from "./suite/registry.js";
export { formatFailure, reproCommand } from "./suite/repro.js";
export { Rng } from "./suite/rng.js";
export { runSuite } from "./suite/run.js";
export {
  type Profile,
  SUITE_IDS,
  type SuiteId,
  type SuiteResult,
  type SuiteRunOptions,
} from "./suite/types.js";
