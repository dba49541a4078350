import { afterEach, describe, expect, it, vi } from "vitest";
import { SqliteError } from "../driver/errors.js";
import { PoolMisuseError, PoolTimeoutError } from "./errors.js";
import type { Pool } from "./pool.js";
import type { FakeDatabase } from "./test-support/fake-driver.js";
import { MEMORY_CAPABILITIES, REMOTE_CAPABILITIES } from "./test-support/fake-driver.js";
import { deferred, openFake, settle } from "./test-support/helpers.js";

const pools: Pool[] = [];
async function open(...args: Parameters<typeof openFake>) {
  const opened = await openFake(...args);
  pools.push(opened.pool);
  return opened;
}
afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((p) => p.close({ timeoutMs: 200 })));
});

const at = (db: FakeDatabase, sql: string): number => {
  const event = db.events.find((e) => e.op === "statement" && e.detail === sql);
  if (!event) throw new Error(`${sql} never ran`);
  return db.events.indexOf(event);
};
const checkpoints = (db: FakeDatabase, mode: string) =>
  db.statements().filter((s) => s === `PRAGMA wal_checkpoint(${mode})`).length;

describe("WAL guard", () => {
  it("measures after writes and, past walPages, truncates once in-use readers are released, holding new readers back", async () => {
    const { db, pool } = await open({
      readers: 2,
      checkpoint: { walPages: 3, intervalMs: 0, drainTimeoutMs: 2_000 },
    });
    await pool.write((tx) => tx.run("INSERT 1"));
    await pool.write((tx) => tx.run("INSERT 2"));
    await settle();
    expect(checkpoints(db, "PASSIVE")).toBe(2);
    expect(checkpoints(db, "TRUNCATE")).toBe(0);
    expect(pool.stats().walPages).toBe(2);

    db.rule({ match: "SELECT slow", delayMs: 80 });
    const slow = pool.read((q) => q.get("SELECT slow"));
    await settle();
    await pool.write((tx) => tx.run("INSERT 3")); // the WAL now holds 3 frames
    await settle();
    // The guard is waiting for the slow reader; a new reader is held back.
    const late = pool.read((q) => q.get("SELECT late"));
    await settle();
    expect(pool.stats().readers.waiting).toBe(1);
    expect(checkpoints(db, "TRUNCATE")).toBe(0);
    await Promise.all([slow, late]);
    expect(at(db, "SELECT slow")).toBeLessThan(at(db, "PRAGMA wal_checkpoint(TRUNCATE)"));
    expect(at(db, "PRAGMA wal_checkpoint(TRUNCATE)")).toBeLessThan(at(db, "SELECT late"));
    expect(db.walFrames).toBe(0);
    expect(pool.stats()).toMatchObject({ checkpoints: 1, walPages: 0 });
    expect(pool.stats().checkpoint).toMatchObject({ enabled: true, skipped: 0, busy: 0 });
    // TRUNCATE ran on the writer.
    expect(db.statements(1)).toContain("PRAGMA wal_checkpoint(TRUNCATE)");
  });

  it("runs its TRUNCATE without a busy wait and restores busy_timeout afterwards", async () => {
    const { db, pool } = await open({
      readers: 1,
      checkpoint: { walPages: 1, intervalMs: 0, drainTimeoutMs: 100 },
    });
    db.rule({ match: "PRAGMA busy_timeout", rows: [{ timeout: 1234 }] });
    await pool.write((tx) => tx.run("INSERT 1"));
    await settle();
    const truncate = at(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    expect(at(db, "PRAGMA busy_timeout = 0")).toBeLessThan(truncate);
    expect(at(db, "PRAGMA busy_timeout = 1234")).toBeGreaterThan(truncate);
  });

  it("skips the TRUNCATE (and lets readers in again) when readers are not released in time", async () => {
    const { db, pool } = await open({
      readers: 2,
      checkpoint: { walPages: 1, intervalMs: 0, drainTimeoutMs: 20 },
    });
    db.rule({ match: "SELECT slow", delayMs: 150 });
    const order: string[] = [];
    const slow = pool.read((q) => q.get("SELECT slow")).then(() => order.push("slow"));
    await settle();
    await pool.write((tx) => tx.run("INSERT 1"));
    await settle();
    const late = pool.read((q) => q.get("SELECT late")).then(() => order.push("late"));
    await Promise.all([slow, late]);
    expect(order).toEqual(["late", "slow"]);
    expect(checkpoints(db, "TRUNCATE")).toBe(0);
    expect(db.walFrames).toBe(1);
    expect(pool.stats().checkpoint).toMatchObject({ skipped: 1, checkpoints: 0, walPages: 1 });
  });

  it("measures at most once per intervalMs, and once more after the last write", async () => {
    // An interval five writes on a fake driver never outlast, however loaded
    // the machine; the trailing measure is polled for.
    const { db, pool } = await open({ checkpoint: { walPages: 1_000, intervalMs: 3_000 } });
    for (let i = 0; i < 5; i++) await pool.write((tx) => tx.run(`INSERT ${i}`));
    await settle();
    expect(checkpoints(db, "PASSIVE")).toBe(1);
    expect(pool.stats().walPages).toBe(1);
    await vi.waitFor(() => expect(checkpoints(db, "PASSIVE")).toBe(2), { timeout: 20_000 });
    expect(pool.stats().walPages).toBe(5);
  });

  it("does not hold up the write's caller", async () => {
    const { db, pool } = await open({ checkpoint: { walPages: 1_000, intervalMs: 0 } });
    const stuck = deferred();
    db.rule({ match: "wal_checkpoint(PASSIVE)", until: stuck.promise });
    // Resolves while the checkpoint after it is still stuck.
    await pool.write(async () => {});
    // The next write waits for the guard, which holds the writer.
    let second = false;
    const next = pool
      .write(async () => {})
      .then(() => {
        second = true;
      });
    await settle();
    expect(second).toBe(false);
    stuck.resolve();
    await next;
    expect(second).toBe(true);
  });

  it("is off for :memory:, remote servers and checkpoint: false", async () => {
    for (const [options, caps] of [
      [{}, MEMORY_CAPABILITIES],
      [{}, REMOTE_CAPABILITIES],
      [{ checkpoint: false as const }, {}],
    ] as const) {
      const { db, pool } = await open({ ...options }, caps);
      await pool.write(async () => {});
      await settle();
      expect(db.statements().filter((s) => s.includes("wal_checkpoint"))).toEqual([]);
      expect(pool.stats().checkpoint.enabled).toBe(false);
      expect(pool.stats().walPages).toBeUndefined();
    }
  });

  it("counts a failing guard run, replaces a broken writer, and the write still succeeds", async () => {
    const { db, pool } = await open({ checkpoint: { intervalMs: 0 } });
    db.rule({ match: "wal_checkpoint(PASSIVE)", error: "IOERR", times: 1 });
    await expect(pool.write(async () => "ok")).resolves.toBe("ok");
    await settle();
    expect(pool.stats().checkpoint).toMatchObject({ errors: 1 });
    expect(pool.stats().checkpoint.lastError).toContain("IOERR");
    expect(pool.stats().writer.replaced).toBe(1);
    await pool.write(async () => {});
  });

  it("treats a database not in WAL mode (log -1) as nothing to truncate", async () => {
    const { db, pool } = await open({ checkpoint: { walPages: 1, intervalMs: 0 } });
    db.rule({ match: "wal_checkpoint", rows: [{ busy: 0, log: -1, checkpointed: -1 }] });
    await pool.write(async () => {});
    await settle();
    expect(checkpoints(db, "TRUNCATE")).toBe(0);
    expect(pool.stats().walPages).toBe(-1);
  });
});

describe("checkpoint()", () => {
  it("waits for in-use readers, holds new ones back, and truncates", async () => {
    const { db, pool } = await open({ readers: 2, checkpoint: false });
    db.walFrames = 42;
    db.rule({ match: "SELECT slow", delayMs: 60 });
    const slow = pool.read((q) => q.get("SELECT slow"));
    await settle();
    const checkpoint = pool.checkpoint();
    await settle();
    const late = pool.read((q) => q.get("SELECT late"));
    const [result] = await Promise.all([checkpoint, slow, late]);
    expect(result).toEqual({
      mode: "TRUNCATE",
      busy: false,
      walPages: 0,
      checkpointedPages: 0,
      readersDrained: true,
    });
    expect(at(db, "SELECT slow")).toBeLessThan(at(db, "PRAGMA wal_checkpoint(TRUNCATE)"));
    expect(at(db, "PRAGMA wal_checkpoint(TRUNCATE)")).toBeLessThan(at(db, "SELECT late"));
    expect(pool.stats()).toMatchObject({ checkpoints: 1, walPages: 0 });
  });

  it("runs anyway after acquireTimeoutMs if readers stay busy, and reports busy", async () => {
    const { db, pool } = await open({ readers: 1, acquireTimeoutMs: 30 });
    db.walFrames = 5;
    db.rule({ match: "SELECT slow", delayMs: 150 });
    const slow = pool.read((q) => q.get("SELECT slow"));
    await settle();
    const result = await pool.checkpoint("RESTART");
    expect(result).toMatchObject({
      mode: "RESTART",
      busy: true,
      readersDrained: false,
      walPages: 5,
    });
    expect(pool.stats().checkpoint.busy).toBe(1);
    await slow;
  });

  it("PASSIVE does not hold readers back", async () => {
    const { db, pool } = await open({ readers: 1 });
    const gate = deferred();
    const reader = pool.read(() => gate.promise);
    await settle();
    const result = await pool.checkpoint("PASSIVE");
    expect(result.readersDrained).toBe(true);
    gate.resolve();
    await reader;
    expect(checkpoints(db, "PASSIVE")).toBe(1);
  });

  it("rejects a bad mode and drivers without wal_checkpoint", async () => {
    const { pool } = await open();
    await expect(pool.checkpoint("FAST" as never)).rejects.toBeInstanceOf(PoolMisuseError);
    const { pool: remote } = await open({}, REMOTE_CAPABILITIES);
    const error = await remote.checkpoint().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteError);
    expect((error as SqliteError).code).toBe("UNSUPPORTED");
  });
});

describe("draining from inside a reader callback", () => {
  it("is refused at once instead of waiting for itself", async () => {
    const { pool } = await open({ readers: 2 });
    const errors = await pool.read(async () => [
      await pool.checkpoint().catch((e: unknown) => e),
      await pool.withWriter(async () => {}, { drainReaders: true }).catch((e: unknown) => e),
    ]);
    expect(errors[0]).toBeInstanceOf(PoolMisuseError);
    expect(errors[1]).toBeInstanceOf(PoolMisuseError);
    // Without draining it is fine.
    await expect(pool.read(async () => pool.checkpoint("PASSIVE"))).resolves.toMatchObject({
      mode: "PASSIVE",
    });
  });
});

describe("withWriter({ drainReaders })", () => {
  it("runs fn only once readers are released, holding new ones back meanwhile", async () => {
    const { db, pool } = await open({ readers: 2 });
    db.rule({ match: "SELECT slow", delayMs: 50 });
    const slow = pool.read((q) => q.get("SELECT slow"));
    await settle();
    const maintenance = pool.withWriter((conn) => conn.exec("VACUUM"), { drainReaders: true });
    await settle();
    const late = pool.read((q) => q.get("SELECT late"));
    await Promise.all([slow, maintenance, late]);
    expect(at(db, "SELECT slow")).toBeLessThan(at(db, "VACUUM"));
    expect(at(db, "VACUUM")).toBeLessThan(at(db, "SELECT late"));
  });

  it("times out without running fn when readers are not released", async () => {
    const { pool } = await open({ readers: 2, acquireTimeoutMs: 30 });
    const gate = deferred();
    const reader = pool.read(() => gate.promise);
    await settle();
    let ran = false;
    const error = await pool
      .withWriter(
        async () => {
          ran = true;
        },
        { drainReaders: true },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect((error as PoolTimeoutError).message).toContain("1 reader(s) in use");
    expect(ran).toBe(false);
    // Readers are let in again (the second reader slot is free).
    await expect(pool.read(async () => "in")).resolves.toBe("in");
    gate.resolve();
    await reader;
  });
});
