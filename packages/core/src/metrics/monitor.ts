import { collectMetrics, type MetricsSources } from "./collect.js";
import {
  evaluateHealth,
  type HealthCounters,
  type HealthReport,
  type HealthThresholdsInput,
  healthCounters,
  resolveThresholds,
} from "./health.js";
import { OperationRecorder } from "./recorder.js";
import type { StoreMetrics } from "./types.js";

/**
 * A store's figures: it owns the operation recorder the store's views are
 * instrumented with, collects metrics, and judges health. Health judges
 * busy retries and pool timeouts by their growth since the previous
 * `health()` call, so that an old incident does not keep the store `warn`.
 */
export class StoreMonitor {
  readonly recorder = new OperationRecorder();
  readonly #sources: Omit<MetricsSources, "recorder">;
  #previous: HealthCounters = { busyRetries: 0, poolTimeouts: 0 };

  constructor(sources: Omit<MetricsSources, "recorder">) {
    this.#sources = sources;
  }

  /** See `Store.metrics`. */
  metrics(): Promise<StoreMetrics> {
    return collectMetrics({ ...this.#sources, recorder: this.recorder });
  }

  /** See `Store.health`. */
  async health(thresholds?: HealthThresholdsInput): Promise<HealthReport> {
    const resolved = resolveThresholds(thresholds);
    const metrics = await this.metrics();
    const report = evaluateHealth(metrics, resolved, this.#previous);
    this.#previous = healthCounters(metrics);
    return report;
  }
}
