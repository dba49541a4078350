import { describe, expect, it } from "vitest";
import { LATENCY_WINDOW, OperationRecorder, STORE_OPERATIONS } from "./recorder.js";

describe("OperationRecorder", () => {
  it("reports every known operation, zeros before any call", () => {
    const r = new OperationRecorder();
    const snap = r.snapshot();
    expect(Object.keys(snap)).toEqual([...STORE_OPERATIONS]);
    expect(snap["messages.append"]).toEqual({
      count: 0,
      errors: 0,
      totalMs: 0,
      latencyMs: { p50: 0, p95: 0, p99: 0, max: 0, samples: 0 },
    });
  });

  it("counts outcomes apart and computes nearest-rank percentiles over both", () => {
    const r = new OperationRecorder();
    for (let i = 1; i <= 100; i++) r.record("search", i, i % 10 !== 0);
    const s = r.snapshot().search;
    expect(s).toMatchObject({ count: 90, errors: 10, totalMs: 5050 });
    expect(s?.latencyMs).toEqual({ p50: 50, p95: 95, p99: 99, max: 100, samples: 100 });
  });

  it("keeps only the last LATENCY_WINDOW samples (bounded memory) but counts everything", () => {
    const r = new OperationRecorder();
    for (let i = 0; i < LATENCY_WINDOW; i++) r.record("stats", 1000, true);
    for (let i = 0; i < LATENCY_WINDOW; i++) r.record("stats", 1, true);
    const s = r.snapshot().stats;
    expect(s?.count).toBe(2 * LATENCY_WINDOW);
    expect(s?.latencyMs).toMatchObject({ max: 1, samples: LATENCY_WINDOW });
  });

  it("accepts an operation it was not told about (a later API) without losing it", () => {
    const r = new OperationRecorder(["a"]);
    r.record("lifecycle.archive", 3, true);
    expect(Object.keys(r.snapshot())).toEqual(["a", "lifecycle.archive"]);
  });
});
