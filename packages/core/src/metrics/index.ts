/**
 * Operation timings, pool and database figures, health against thresholds,
 * and the Prometheus text format.
 */
export { collectMetrics, type MetricsSources } from "./collect.js";
export { type DatabaseFigures, readDatabaseFigures } from "./database-figures.js";
export {
  DEFAULT_HEALTH_THRESHOLDS,
  evaluateHealth,
  formatBytes,
  type HealthCounters,
  type HealthLimit,
  type HealthReason,
  type HealthReport,
  type HealthThresholds,
  type HealthThresholdsInput,
  healthCounters,
  resolveThresholds,
} from "./health.js";
export { type Instrumentable, instrumentStore, wrapMethods } from "./instrument.js";
export { StoreMonitor } from "./monitor.js";
export { type PrometheusOptions, toPrometheus } from "./prometheus.js";
export {
  LATENCY_WINDOW,
  type OperationMetrics,
  OperationRecorder,
  STORE_OPERATIONS,
  type StoreOperation,
} from "./recorder.js";
export type { SessionCounts, StoreMetrics } from "./types.js";
