import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";
import { PercentileRing } from "./percentiles.js";

describe("PercentileRing", () => {
  it("is all zeros when empty", () => {
    expect(new PercentileRing(8).summary()).toEqual({ p50: 0, p95: 0, p99: 0, max: 0, samples: 0 });
  });

  it("computes nearest-rank percentiles", () => {
    const ring = new PercentileRing(1000);
    // 1..100 in shuffled order: the order of arrival must not matter.
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    for (const v of values) ring.add(v);
    expect(ring.summary()).toEqual({ p50: 50, p95: 95, p99: 99, max: 100, samples: 100 });
  });

  it("keeps only the most recent samples", () => {
    const ring = new PercentileRing(4);
    for (const v of [1000, 1000, 1000, 1000, 1, 2, 3, 4]) ring.add(v);
    expect(ring.summary()).toEqual({ p50: 2, p95: 4, p99: 4, max: 4, samples: 4 });
  });

  it("rejects a bad capacity", () => {
    expect(() => new PercentileRing(0)).toThrow(RangeError);
  });
});

describe("backoffDelay", () => {
  const options = { attempts: 10, baseDelayMs: 10, maxDelayMs: 100 };

  it("doubles from the base, capped, with half of each step random", () => {
    expect(backoffDelay(1, options, () => 0)).toBe(5);
    expect(backoffDelay(1, options, () => 1)).toBe(10);
    expect(backoffDelay(2, options, () => 1)).toBe(20);
    expect(backoffDelay(3, options, () => 0.5)).toBe(30);
    expect(backoffDelay(20, options, () => 1)).toBe(100);
    expect(backoffDelay(20, options, () => 0)).toBe(50);
  });

  it("varies between calls (jitter)", () => {
    const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(4, options)));
    expect(seen.size).toBeGreaterThan(1);
  });
});
