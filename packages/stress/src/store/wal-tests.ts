import { existsSync, statSync } from "node:fs";
import { Pool, type PoolOptions } from "@llm-sessions/core";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";

const PAGE = 4096;
const BOUND_PAGES = 200;
/**
 * One limit for both tests: unguarded, the WAL passes it within the run;
 * guarded, it never does. The guard lets the WAL pass `walPages` by what is
 * written between a measurement and the end of the readers' drain.
 */
const LIMIT_BYTES = BOUND_PAGES * PAGE * 10;

/**
 * Continuous writes while readers always hold a read snapshot (each reader
 * starts its next snapshot before the others end theirs), for `ms`, or until
 * the WAL is larger than `stopAboveBytes`. Returns the largest WAL file seen.
 */
async function churn(
  h: StoreHarness,
  path: string,
  options: PoolOptions,
  ms: number,
  stopAboveBytes = Number.POSITIVE_INFINITY,
): Promise<{ maxWalBytes: number; checkpoints: number } | undefined> {
  const driver = await h.createDriver({ path });
  if (!driver.capabilities.file || !driver.capabilities.walCheckpoint) return undefined;
  const pool = await Pool.open(driver, options);
  try {
    await pool.write((tx) =>
      tx.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)"),
    );
    let deadline = Date.now() + ms;
    let maxWalBytes = 0;
    const sample = () => {
      const wal = `${path}-wal`;
      if (existsSync(wal)) maxWalBytes = Math.max(maxWalBytes, statSync(wal).size);
      if (maxWalBytes > stopAboveBytes) deadline = 0;
    };
    const body = "x".repeat(400);
    const writer = async () => {
      while (Date.now() < deadline) {
        await pool.write((tx) => tx.run("INSERT INTO t (body) VALUES (?)", [body]));
        sample();
        // A synchronous driver never yields on its own: let the readers' timers run.
        await new Promise((r) => setImmediate(r));
      }
    };
    const reader = async (offset: number) => {
      await new Promise((r) => setTimeout(r, offset));
      while (Date.now() < deadline) {
        await pool.readSnapshot(async (tx) => {
          await tx.get("SELECT count(*) AS n FROM t");
          await new Promise((r) => setTimeout(r, 3));
          await tx.get("SELECT max(id) AS m FROM t");
        });
      }
    };
    await Promise.all([writer(), reader(0), reader(1), reader(2)]);
    sample();
    if (process.env.LLM_SESSIONS_DEBUG)
      console.log(JSON.stringify({ maxWalBytes, stats: pool.stats() }));
    return { maxWalBytes, checkpoints: pool.stats().checkpoints };
  } finally {
    await pool.close();
  }
}

/** The pool keeps the WAL bounded when readers never all let go at once. */
export function registerWalTests(h: StoreHarness): void {
  describe("WAL checkpoint starvation", () => {
    h.test(
      "wal.without-guard-overlapping-read",
      "without the guard, overlapping read snapshots let the WAL grow past the bound",
      async () => {
        // Up to 10 s: a loaded machine writes slowly; the point is that the WAL does pass the bound.
        const result = await churn(
          h,
          h.newPath(),
          { readers: 3, checkpoint: false },
          10_000,
          LIMIT_BYTES,
        );
        if (!result) return expect(result).toBeUndefined(); // no WAL file on this target
        expect(result.maxWalBytes).toBeGreaterThan(LIMIT_BYTES);
      },
    );

    h.test(
      "wal.guard-wal-stays-bounded",
      "with the guard, the WAL stays bounded under continuous reads and writes",
      async () => {
        const result = await churn(
          h,
          h.newPath(),
          {
            readers: 3,
            checkpoint: { walPages: BOUND_PAGES, intervalMs: 20, drainTimeoutMs: 200 },
          },
          2500,
        );
        if (!result) return expect(result).toBeUndefined();
        expect(result.checkpoints).toBeGreaterThan(0);
        expect(result.maxWalBytes).toBeLessThan(LIMIT_BYTES);
      },
    );
  });
}
