import { afterEach, describe, expect, it } from "vitest";
import { SqliteError } from "../driver/errors.js";
import { step, type TxSteps } from "../driver/steps.js";
import { PoolMisuseError } from "./errors.js";
import type { Pool } from "./pool.js";
import { Pool as PoolClass } from "./pool.js";
import { FakeDatabase, MEMORY_CAPABILITIES } from "./test-support/fake-driver.js";
import { Concurrency, deferred, openFake, settle } from "./test-support/helpers.js";

const pools: Pool[] = [];
async function open(...args: Parameters<typeof openFake>) {
  const opened = await openFake(...args);
  pools.push(opened.pool);
  return opened;
}
afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((p) => p.close({ timeoutMs: 100 })));
});

describe("Pool.open", () => {
  it("opens the writer eagerly and readers lazily", async () => {
    const { db, pool } = await open({ readers: 3 });
    expect(db.connections).toHaveLength(1);
    expect(pool.stats().writer.size).toBe(1);
    expect(pool.stats().readers.size).toBe(0);
    await pool.read(async (q) => q.get("SELECT x"));
    expect(db.connections).toHaveLength(2);
  });

  it("fails at open when the writer cannot be opened", async () => {
    const db = new FakeDatabase();
    db.rule({ match: "CONNECT", error: "CANTOPEN" });
    const error = await PoolClass.open(db.driver()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteError);
    expect((error as SqliteError).code).toBe("CANTOPEN");
  });

  it("passes busy timeout, durability, readonly and the readers' cache size to connect()", async () => {
    const { db, pool } = await open({
      busyTimeoutMs: 1234,
      durability: "full",
      readonlyReaders: true,
      readerCacheKiB: 1024,
      mmapSizeBytes: 4096,
    });
    await pool.read(async () => {});
    expect(db.connectOptions[0]).toEqual({
      busyTimeoutMs: 1234,
      durability: "full",
    });
    expect(db.connectOptions[1]).toEqual({
      busyTimeoutMs: 1234,
      durability: "full",
      readonly: true,
      cacheSizeKiB: 1024,
      mmapSizeBytes: 4096,
    });
  });

  it("maps 1 GiB of a file on readers by default, never on the writer; none with mmapSizeBytes: 0 or without a file", async () => {
    const byDefault = await open();
    await byDefault.pool.read(async () => {});
    const [writer, reader] = byDefault.db.connectOptions;
    expect(writer).not.toHaveProperty("mmapSizeBytes");
    expect(reader).toMatchObject({ mmapSizeBytes: 1_073_741_824 });
    const off = await open({ mmapSizeBytes: 0 });
    await off.pool.read(async () => {});
    for (const o of off.db.connectOptions) expect(o).not.toHaveProperty("mmapSizeBytes");
    const db = new FakeDatabase();
    const memory = await PoolClass.open(db.driver({ file: false }));
    await memory.read(async () => {});
    await memory.close();
    for (const o of db.connectOptions) expect(o).not.toHaveProperty("mmapSizeBytes");
  });

  it("gives readers a 256 KiB cache by default, and the driver's own with readerCacheKiB: 0", async () => {
    const small = await open();
    await small.pool.read(async () => {});
    expect(small.db.connectOptions[1]).toMatchObject({ cacheSizeKiB: 256 });
    const own = await open({ readerCacheKiB: 0 });
    await own.pool.read(async () => {});
    expect(own.db.connectOptions[1]).not.toHaveProperty("cacheSizeKiB");
  });
});

describe("write", () => {
  it("runs in BEGIN IMMEDIATE on the writer and commits", async () => {
    const { db, pool } = await open();
    const result = await pool.write(async (tx) => {
      await tx.run("INSERT x");
      return 42;
    });
    expect(result).toBe(42);
    const steps = db.events.filter(
      (e) => e.conn === 1 && e.op !== "connect" && e.detail !== "PRAGMA wal_checkpoint(PASSIVE)",
    );
    expect(steps.map((e) => `${e.op}:${e.detail ?? ""}`)).toEqual([
      "begin:immediate",
      "statement:INSERT x",
      "commit:",
    ]);
  });

  it("runs writes one at a time, in FIFO order", async () => {
    const { pool } = await open();
    const gate = deferred();
    const c = new Concurrency();
    const order: number[] = [];
    const first = pool.write(() => c.track(() => gate.promise));
    const rest = Array.from({ length: 20 }, (_, i) =>
      pool.write((tx) =>
        c.track(async () => {
          order.push(i);
          await tx.run(`INSERT ${i}`);
          await settle(1);
        }),
      ),
    );
    await settle();
    expect(pool.stats().writer.waiting).toBe(20);
    expect(order).toEqual([]);
    gate.resolve();
    await Promise.all([first, ...rest]);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(c.max).toBe(1);
  });

  it("rolls back and rethrows when fn throws, and keeps the connection", async () => {
    const { db, pool } = await open();
    const boom = new Error("boom");
    await expect(pool.write(async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(db.events.some((e) => e.op === "rollback")).toBe(true);
    await pool.write(async () => {});
    expect(db.connections).toHaveLength(1);
    expect(pool.stats().replaced).toBe(0);
  });

  it("retries BEGIN refused with BUSY, on a fresh connection, then succeeds", async () => {
    const { db, pool } = await open({ busyRetry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 2 } });
    db.rule({ match: "BEGIN IMMEDIATE", error: "BUSY", times: 2 });
    let calls = 0;
    await pool.write(async (tx) => {
      calls++;
      await tx.run("INSERT x");
    });
    expect(calls).toBe(1);
    const s = pool.stats();
    expect(s.busyRetries).toBe(2);
    expect(s.writer.replaced).toBe(2);
    // The connections that saw BUSY were closed; the third one did the work.
    expect(db.connections.map((c) => c.isClosed)).toEqual([true, true, false]);
    expect(db.work(3)).toEqual(["INSERT x"]);
  });

  it("gives up after busyRetry.attempts with the last BUSY, fn never run", async () => {
    const { db, pool } = await open({ busyRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    db.rule({ match: "BEGIN IMMEDIATE", error: "BUSY" });
    let calls = 0;
    const error = await pool
      .write(async () => {
        calls++;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteError);
    expect((error as SqliteError).code).toBe("BUSY");
    expect(calls).toBe(0);
    expect(pool.stats().busyRetries).toBe(2);
    expect(db.connections).toHaveLength(3);
    // The writer lane is usable again once BEGIN is no longer refused.
    db.rules.length = 0;
    await pool.write(async () => {});
  });

  it("does not retry with busyRetry: false", async () => {
    const { db, pool } = await open({ busyRetry: false });
    db.rule({ match: "BEGIN IMMEDIATE", error: "BUSY", times: 1 });
    await expect(pool.write(async () => {})).rejects.toMatchObject({ code: "BUSY" });
    expect(pool.stats().busyRetries).toBe(0);
  });

  it("never retries once fn has run (BUSY at COMMIT)", async () => {
    const { db, pool } = await open({ busyRetry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 } });
    db.rule({ match: "COMMIT", error: "BUSY", times: 1 });
    let calls = 0;
    await expect(
      pool.write(async () => {
        calls++;
      }),
    ).rejects.toMatchObject({ code: "BUSY" });
    expect(calls).toBe(1);
    expect(pool.stats().busyRetries).toBe(0);
  });

  it("retries on the same connection for a private :memory: database (it is the data)", async () => {
    const { db, pool } = await open(
      { busyRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } },
      MEMORY_CAPABILITIES,
    );
    db.rule({ match: "BEGIN IMMEDIATE", error: "LOCKED", times: 1 });
    await pool.write(async () => {});
    expect(pool.stats().busyRetries).toBe(1);
    expect(db.connections).toHaveLength(1);
  });

  it("refuses write() from inside a writer callback instead of deadlocking", async () => {
    const { pool } = await open();
    const inner = await pool.write(async () => pool.write(async () => 1).catch((e: unknown) => e));
    expect(inner).toBeInstanceOf(PoolMisuseError);
    const inner2 = await pool.withWriter(async () =>
      pool.checkpoint("PASSIVE").catch((e: unknown) => e),
    );
    expect(inner2).toBeInstanceOf(PoolMisuseError);
  });

  it("allows the writer again once the outer callback has ended, even from its async context", async () => {
    const { pool } = await open();
    let later: Promise<number> | undefined;
    await pool.withWriter(async () => {
      later = new Promise((r) => setTimeout(r, 5)).then(() => pool.withWriter(async () => 7));
    });
    await expect(later).resolves.toBe(7);
  });

  // The driver's transaction mark goes stale when the callback ends, and so
  // does the pool's: work the callback scheduled may use the writer later.
  it("runs a write scheduled from inside a write callback after that callback ended", async () => {
    const { pool } = await open();
    let later: Promise<number> | undefined;
    await pool.write(async () => {
      later = new Promise((r) => setTimeout(r, 5)).then(() => pool.write(async () => 7));
    });
    await expect(later).resolves.toBe(7);
  });

  it("allows a read inside a write when there are readers", async () => {
    const { pool } = await open({ readers: 1 });
    await expect(pool.write(async () => pool.read(async () => "r"))).resolves.toBe("r");
  });
});

describe("writeSteps", () => {
  function* insertTwo(): TxSteps<string> {
    yield* step.run("INSERT a");
    yield* step.run("INSERT b");
    return "two";
  }

  it("runs the body in BEGIN IMMEDIATE on the writer and commits", async () => {
    const { db, pool } = await open();
    expect(await pool.writeSteps(insertTwo)).toBe("two");
    const steps = db.events.filter((e) => e.conn === 1 && e.op !== "connect");
    expect(steps.map((e) => `${e.op}:${e.detail ?? ""}`).slice(0, 4)).toEqual([
      "begin:immediate",
      "statement:INSERT a",
      "statement:INSERT b",
      "commit:",
    ]);
  });

  it("retries BEGIN refused with BUSY before the body starts, and starts the body once", async () => {
    const { db, pool } = await open({ busyRetry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 2 } });
    db.rule({ match: "BEGIN IMMEDIATE", error: "BUSY", times: 2 });
    let bodies = 0;
    const result = await pool.writeSteps(() => {
      bodies++;
      return insertTwo();
    });
    expect(result).toBe("two");
    expect(bodies).toBe(1);
    expect(pool.stats().busyRetries).toBe(2);
    expect(db.work(3)).toEqual(["INSERT a", "INSERT b"]);
  });

  it("never retries once the body has started (BUSY at COMMIT)", async () => {
    const { db, pool } = await open({ busyRetry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 } });
    db.rule({ match: "COMMIT", error: "BUSY", times: 1 });
    let bodies = 0;
    await expect(
      pool.writeSteps(() => {
        bodies++;
        return insertTwo();
      }),
    ).rejects.toMatchObject({ code: "BUSY" });
    expect(bodies).toBe(1);
    expect(pool.stats().busyRetries).toBe(0);
  });

  it("refuses writeSteps() from inside a writer callback instead of deadlocking", async () => {
    const { pool } = await open();
    await expect(pool.write(async () => pool.writeSteps(insertTwo))).rejects.toBeInstanceOf(
      PoolMisuseError,
    );
  });
});
