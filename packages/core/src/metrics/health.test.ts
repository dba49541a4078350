import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import {
  DEFAULT_HEALTH_THRESHOLDS,
  evaluateHealth,
  formatBytes,
  healthCounters,
  resolveThresholds,
} from "./health.js";
import { sampleMetrics } from "./test-support/sample-metrics.js";

const MiB = 1024 * 1024;

describe("health", () => {
  it("is ok when nothing is crossed", () => {
    const report = evaluateHealth(sampleMetrics(), DEFAULT_HEALTH_THRESHOLDS);
    expect(report).toMatchObject({ status: "ok", reasons: [] });
  });

  it("turns warn, then critical, as the WAL grows", () => {
    const warn = evaluateHealth(
      sampleMetrics({ database: { walBytes: 100 * MiB } }),
      DEFAULT_HEALTH_THRESHOLDS,
    );
    expect(warn.status).toBe("warn");
    expect(warn.reasons).toEqual([
      {
        check: "walBytes",
        level: "warn",
        value: 100 * MiB,
        threshold: 64 * MiB,
        message: "the WAL is 100.0 MiB",
      },
    ]);
    const critical = evaluateHealth(
      sampleMetrics({ database: { walBytes: 600 * MiB } }),
      DEFAULT_HEALTH_THRESHOLDS,
    );
    expect(critical.status).toBe("critical");
    expect(critical.reasons[0]).toMatchObject({ level: "critical", threshold: 512 * MiB });
  });

  it("judges pool waits, free pages (only for big enough files) and a closed pool", () => {
    const t = DEFAULT_HEALTH_THRESHOLDS;
    const slow = sampleMetrics({
      pool: { waitMs: { p50: 1, p95: 300, p99: 900, max: 1000, samples: 50 } },
    });
    expect(evaluateHealth(slow, t).reasons.map((r) => [r.check, r.level])).toEqual([
      ["poolWaitP95Ms", "warn"],
    ]);
    const small = sampleMetrics({
      database: { pageCount: 100, freelistCount: 90, freeRatio: 0.9 },
    });
    expect(evaluateHealth(small, t).status).toBe("ok");
    const closed = sampleMetrics({ pool: { closed: true } });
    expect(evaluateHealth(closed, t).reasons.map((r) => r.check)).toEqual(["pool"]);
  });

  it("never calls free pages critical, however many: they are space to reclaim, not a fault", () => {
    const t = DEFAULT_HEALTH_THRESHOLDS;
    for (const freeRatio of [0.3, 0.85, 1]) {
      const swept = sampleMetrics({
        database: { pageCount: 100_000, freelistCount: freeRatio * 100_000, freeRatio },
      });
      const report = evaluateHealth(swept, t);
      expect(report.status).toBe("warn");
      expect(report.reasons).toHaveLength(1);
      expect(report.reasons[0]).toMatchObject({
        check: "freePageRatio",
        level: "warn",
        value: freeRatio,
        threshold: 0.3,
      });
      expect(report.reasons[0]?.message).toMatch(/vacuum/);
    }
    // A lower warn threshold still works; a `critical` one is refused.
    expect(resolveThresholds({ freePageRatio: { warn: 0.1 } }).freePageRatio).toEqual({
      warn: 0.1,
      minPages: 2_560,
    });
    expect(() => resolveThresholds({ freePageRatio: { critical: 0.9 } } as never)).toThrow(
      ValidationError,
    );
  });

  it("judges busy retries and pool timeouts by their growth since the previous check", () => {
    const t = DEFAULT_HEALTH_THRESHOLDS;
    const first = sampleMetrics({ pool: { busyRetries: 15, timedOut: 1 } });
    expect(evaluateHealth(first, t).reasons.map((r) => [r.check, r.level, r.value])).toEqual([
      ["busyRetries", "warn", 15],
      ["poolTimeouts", "warn", 1],
    ]);
    const later = sampleMetrics({ pool: { busyRetries: 17, timedOut: 1 } });
    expect(evaluateHealth(later, t, healthCounters(first)).status).toBe("ok");
  });

  it("fills in defaults and refuses bad thresholds with a ValidationError", () => {
    expect(resolveThresholds({ walBytes: { warn: 1 } }).walBytes).toEqual({
      warn: 1,
      critical: 512 * MiB,
    });
    expect(() => resolveThresholds({ walBytes: { warn: 10, critical: 5 } })).toThrow(
      ValidationError,
    );
    expect(() => resolveThresholds({ freePageRatio: { warn: 2 } })).toThrow(ValidationError);
    expect(() => resolveThresholds({ nope: {} } as never)).toThrow(ValidationError);
    expect(() => resolveThresholds({ walBytes: { warn: -1 } })).toThrow(ValidationError);
  });

  it("formats sizes", () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(3 * MiB)]).toEqual([
      "512 B",
      "1.5 KiB",
      "3.0 MiB",
    ]);
  });
});
