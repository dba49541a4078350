import { describe, expect, it } from "vitest";
import { deferred, delay, openFake, settle } from "./test-support/helpers.js";

describe("stats", () => {
  it("reports sizes, queues, counters and wait percentiles", async () => {
    const { pool } = await openFake({ readers: 1 });
    const fresh = pool.stats();
    expect(fresh).toEqual({
      size: 1,
      idle: 1,
      busy: 0,
      waiting: 0,
      acquired: 0,
      timedOut: 0,
      overloaded: 0,
      replaced: 0,
      rolledBack: 0,
      busyRetries: 0,
      checkpoints: 0,
      walPages: undefined,
      waitMs: { p50: 0, p95: 0, p99: 0, max: 0, samples: 0 },
      readers: {
        max: 1,
        size: 0,
        idle: 0,
        busy: 0,
        waiting: 0,
        acquired: 0,
        timedOut: 0,
        overloaded: 0,
        opened: 0,
        replaced: 0,
        recycled: 0,
        idleClosed: 0,
      },
      writer: expect.objectContaining({ max: 1, size: 1, idle: 1, opened: 1 }),
      checkpoint: {
        enabled: true,
        walPages: undefined,
        measures: 0,
        checkpoints: 0,
        skipped: 0,
        busy: 0,
        errors: 0,
        lastError: undefined,
      },
      closed: false,
    });

    const gate = deferred();
    const held = pool.read(() => gate.promise);
    const queued = pool.read(async () => {});
    await settle();
    expect(pool.stats()).toMatchObject({ size: 2, idle: 1, busy: 1, waiting: 1 });
    await delay(60);
    gate.resolve();
    await Promise.all([held, queued]);
    for (let i = 0; i < 8; i++) await pool.read(async () => {});
    const s = pool.stats();
    expect(s.acquired).toBe(10);
    expect(s.readers.acquired).toBe(10);
    expect(s.waitMs.samples).toBe(10);
    // One caller waited ~60 ms; the others did not wait.
    expect(s.waitMs.max).toBeGreaterThanOrEqual(50);
    expect(s.waitMs.p99).toBe(s.waitMs.max);
    expect(s.waitMs.p50).toBeLessThan(20);
    await pool.close();
  });
});
