import { describe, expect, it } from "vitest";
import { LatencyRecorder, summarize } from "./latency.js";

describe("latency", () => {
  it("gives nearest-rank percentiles", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(samples)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(summarize([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it("times calls that reject too", async () => {
    const rec = new LatencyRecorder();
    await rec.time(async () => {});
    await expect(rec.time(async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(rec.count).toBe(2);
  });
});
