import { existsSync, statSync } from "node:fs";
import type { PoolOptions } from "@llm-sessions/core";
import { Pool } from "@llm-sessions/core/driver";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";

const PAGE = 4096;
const BOUND_PAGES = 100;
/**
 * One limit for both tests: unguarded, the WAL passes it within the run;
 * guarded, it never does. The guard lets the WAL pass `walPages` by what is
 * written between a measurement and the end of the readers' drain.
 */
const LIMIT_BYTES = BOUND_PAGES * PAGE * 10;

/** Whether the target has a WAL file the pool checkpoints (not `:memory:` or a server). */
async function openFilePool(h: StoreHarness, path: string, options: PoolOptions) {
  const driver = await h.createDriver({ path });
  if (!driver.capabilities.file || !driver.capabilities.walCheckpoint) return undefined;
  const pool = await Pool.open(driver, options);
  await pool.write((tx) =>
    tx.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)"),
  );
  return pool;
}

const BODY = "x".repeat(400);
const walBytes = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

/**
 * Holds a read snapshot open until the returned function is called: the
 * snapshot has started (its first read ran) when this resolves.
 */
async function holdSnapshot(pool: Pool): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let opened!: () => void;
  const isOpen = new Promise<void>((r) => {
    opened = r;
  });
  const done = pool.readSnapshot(async (tx) => {
    await tx.get("SELECT max(id) AS m FROM t");
    opened();
    await released;
  });
  await Promise.race([isOpen, done]);
  return async () => {
    release();
    await done;
  };
}

/**
 * Writes while read snapshots overlap in a relay (the next one starts
 * before the previous one ends, so one is always open), until the WAL is
 * larger than `stopAboveBytes` or `maxWrites` commits were made. Ordered by
 * promises, not timers: the overlap is the same on a loaded machine.
 */
async function relayChurn(
  pool: Pool,
  path: string,
  maxWrites: number,
  stopAboveBytes: number,
): Promise<number> {
  let maxWalBytes = 0;
  let endSnapshot = await holdSnapshot(pool);
  try {
    for (let i = 1; i <= maxWrites && maxWalBytes <= stopAboveBytes; i++) {
      await pool.write((tx) => tx.run("INSERT INTO t (body) VALUES (?)", [BODY]));
      maxWalBytes = Math.max(maxWalBytes, walBytes(path));
      if (i % 10 === 0) {
        const next = await holdSnapshot(pool);
        await endSnapshot();
        endSnapshot = next;
      }
    }
  } finally {
    await endSnapshot();
  }
  return maxWalBytes;
}

/**
 * `writes` commits while readers keep taking short read snapshots that
 * overlap (each reader starts its next one as soon as its last ends).
 * Returns the largest WAL file seen and the pool's checkpoint count.
 */
async function guardedChurn(
  pool: Pool,
  path: string,
  writes: number,
): Promise<{ maxWalBytes: number; checkpoints: number }> {
  let maxWalBytes = 0;
  let writing = true;
  const writer = async () => {
    try {
      for (let i = 0; i < writes; i++) {
        await pool.write((tx) => tx.run("INSERT INTO t (body) VALUES (?)", [BODY]));
        maxWalBytes = Math.max(maxWalBytes, walBytes(path));
        // A synchronous driver never yields on its own: let the readers and the guard's timer run.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      writing = false;
    }
  };
  const reader = async () => {
    while (writing) {
      await pool.readSnapshot(async (tx) => {
        await tx.get("SELECT count(*) AS n FROM t");
        await new Promise((r) => setImmediate(r));
        await tx.get("SELECT max(id) AS m FROM t");
      });
    }
  };
  await Promise.all([writer(), reader(), reader(), reader()]);
  maxWalBytes = Math.max(maxWalBytes, walBytes(path));
  if (process.env.LLM_SESSIONS_DEBUG)
    console.log(JSON.stringify({ maxWalBytes, stats: pool.stats() }));
  return { maxWalBytes, checkpoints: pool.stats().checkpoints };
}

/** The pool keeps the WAL bounded when readers never all let go at once. */
export function registerWalTests(h: StoreHarness): void {
  describe("WAL checkpoint starvation", () => {
    h.test(
      "wal.without-guard-overlapping-read",
      "without the guard, overlapping read snapshots let the WAL grow past the bound",
      async () => {
        const path = h.newPath();
        const pool = await openFilePool(h, path, { readers: 3, checkpoint: false });
        if (!pool) return; // no WAL file on this target
        try {
          // Each commit adds at least one 4 KiB page to a WAL that cannot restart, so
          // 20,000 commits are far more than the bound needs; the loop stops once it passes.
          const maxWalBytes = await relayChurn(pool, path, 20_000, LIMIT_BYTES);
          expect(maxWalBytes).toBeGreaterThan(LIMIT_BYTES);
        } finally {
          await pool.close();
        }
      },
    );

    h.test(
      "wal.guard-wal-stays-bounded",
      "with the guard, the WAL stays bounded under continuous reads and writes",
      async () => {
        const path = h.newPath();
        const pool = await openFilePool(h, path, {
          readers: 3,
          checkpoint: { walPages: BOUND_PAGES, intervalMs: 20, drainTimeoutMs: 200 },
        });
        if (!pool) return;
        try {
          // More commits (at least a page each) than the unguarded WAL needs to pass the limit (about 1,000).
          const result = await guardedChurn(pool, path, 1_250);
          expect(result.checkpoints).toBeGreaterThan(0);
          expect(result.maxWalBytes).toBeLessThan(LIMIT_BYTES);
        } finally {
          await pool.close();
        }
      },
    );
  });
}
