/**
 * `@llm-sessions/stress`: suites that hold drivers (and later the pool and the
 * store) to the contract. The conformance suite is also available on its own
 * from `@llm-sessions/stress/conformance`.
 */
export {
  type ConformanceContext,
  type ConformanceOptions,
  type ConformanceTest,
  type CreateDriver,
  conformanceTestIds,
  conformanceTests,
  type DriverTarget,
  runConformanceSuite,
  runConformanceTest,
} from "./conformance/index.js";
export {
  expectSound,
  ManualClock,
  type PlannedStatement,
  recordingDriver,
  runStoreSuite,
  type StoreSuiteOptions,
} from "./store/index.js";
export {
  ADAPTER_PRESETS,
  type AdapterSpec,
  createDriver,
  PATH_PLACEHOLDER,
  preset,
} from "./adapters/index.js";
export {
  checkInvariants,
  type InvariantOptions,
  Ledger,
  type LedgerSink,
} from "./invariants/index.js";
export type { StressSuite, SuiteContext } from "./suite/context.js";
export type { LatencySummary } from "./suite/latency.js";
export { selectSuites, STRESS_SUITES } from "./suite/registry.js";
export { runSuite } from "./suite/run.js";
export {
  type Profile,
  SUITE_IDS,
  type SuiteId,
  type SuiteResult,
  type SuiteRunOptions,
} from "./suite/types.js";
export { runStressSuites, type StressSuitesOptions } from "./vitest/index.js";
