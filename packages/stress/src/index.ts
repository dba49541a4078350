/**
 * `@llm-sessions/stress`: suites that hold drivers, the pool and the store to
 * their promises. The conformance suite (`runConformanceSuite`, also from
 * `@llm-sessions/stress/conformance`), the store suites (`runStoreSuite`),
 * and the stress suites (`runStressSuites`: model, concurrency, processes,
 * crash, corruption, timeouts, soak; without vitest from
 * `@llm-sessions/stress/suites`, and as the `llm-sessions-stress` command).
 */

export {
  ADAPTER_PRESETS,
  type AdapterSpec,
  createDriver,
  PATH_PLACEHOLDER,
  preset,
} from "./adapters/index.js";
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
  buildLegacyV0,
  type LegacyV0Manifest,
  type LegacyV0Message,
  type LegacyV0Options,
  type LegacyV0Session,
} from "./fixtures/legacy-v0.js";
export {
  checkInvariants,
  type InvariantOptions,
  Ledger,
  type LedgerSink,
} from "./invariants/index.js";
export {
  expectSound,
  ManualClock,
  type PlannedStatement,
  recordingDriver,
  runStoreSuite,
  type StoreSuiteOptions,
} from "./store/index.js";
export type { StressSuite, SuiteContext } from "./suite/context.js";
export type { LatencySummary } from "./suite/latency.js";
export { STRESS_SUITES, selectSuites } from "./suite/registry.js";
export { runSuite } from "./suite/run.js";
export {
  type Profile,
  SUITE_IDS,
  type SuiteId,
  type SuiteResult,
  type SuiteRunOptions,
} from "./suite/types.js";
export { runStressSuites, type StressSuitesOptions } from "./vitest/index.js";
