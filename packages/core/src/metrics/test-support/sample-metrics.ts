import type { PoolLaneStats, PoolStats } from "../../pool/index.js";
import { OperationRecorder } from "../recorder.js";
import type { StoreMetrics } from "../types.js";

const lane: PoolLaneStats = {
  max: 1,
  size: 1,
  idle: 1,
  busy: 0,
  waiting: 0,
  acquired: 10,
  timedOut: 0,
  overloaded: 0,
  opened: 1,
  replaced: 0,
  recycled: 0,
  idleClosed: 0,
};

/** A plausible `StoreMetrics` for unit tests, with parts overridden. */
export function sampleMetrics(
  over: {
    pool?: Partial<PoolStats>;
    database?: Partial<StoreMetrics["database"]>;
    lifecycle?: StoreMetrics["lifecycle"];
  } = {},
): StoreMetrics {
  const recorder = new OperationRecorder();
  recorder.record("messages.append", 2, true);
  recorder.record("messages.append", 4, false);
  const pool: PoolStats = {
    size: 2,
    idle: 2,
    busy: 0,
    waiting: 0,
    acquired: 20,
    timedOut: 0,
    overloaded: 0,
    replaced: 0,
    rolledBack: 0,
    busyRetries: 0,
    checkpoints: 0,
    walPages: 0,
    waitMs: { p50: 0.1, p95: 1, p99: 2, max: 3, samples: 20 },
    readers: lane,
    writer: lane,
    checkpoint: {
      enabled: true,
      walPages: 0,
      measures: 0,
      checkpoints: 0,
      skipped: 0,
      busy: 0,
      errors: 0,
      lastError: undefined,
    },
    closed: false,
    ...over.pool,
  };
  return {
    collectedAt: 1_700_000_000_000,
    uptimeMs: 12_500,
    driver: { name: "fake", target: "/tmp/x.db" },
    operations: recorder.snapshot(),
    pool,
    database: {
      pageSize: 4096,
      pageCount: 10_000,
      freelistCount: 100,
      freeRatio: 0.01,
      fileBytes: 40_960_000,
      walBytes: 8192,
      ...over.database,
    },
    sessions: { total: 3, active: 1, idle: 1, archived: 1 },
    ...(over.lifecycle ? { lifecycle: over.lifecycle } : {}),
  };
}
