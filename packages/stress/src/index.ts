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
} from "./conformance/index.js";
export {
  expectSound,
  ManualClock,
  type PlannedStatement,
  recordingDriver,
  runStoreSuite,
  type StoreSuiteOptions,
} from "./store/index.js";
