import { afterEach, describe, expect, it } from "vitest";
import { SqliteError } from "../driver/errors.js";
import type { Queryable } from "../driver/types.js";
import { PoolMisuseError } from "./errors.js";
import type { Pool } from "./pool.js";
import { MEMORY_CAPABILITIES } from "./test-support/fake-driver.js";
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

describe("read", () => {
  it("runs reads concurrently, up to `readers`, on reader connections", async () => {
    const { db, pool } = await open({ readers: 3 });
    const gate = deferred();
    const c = new Concurrency();
    const reads = Array.from({ length: 7 }, (_, i) =>
      pool.read((q) =>
        c.track(async () => {
          await q.get(`SELECT ${i}`);
          await gate.promise;
        }),
      ),
    );
    await settle();
    expect(c.active).toBe(3);
    expect(pool.stats().readers).toMatchObject({ busy: 3, waiting: 4, size: 3 });
    gate.resolve();
    await Promise.all(reads);
    expect(c.max).toBe(3);
    // The writer (1) plus three readers; no statement ran on the writer.
    expect(db.connections).toHaveLength(4);
    expect(db.statements(1)).toEqual([]);
  });

  it("reuses idle readers rather than opening more", async () => {
    const { db, pool } = await open({ readers: 4 });
    for (let i = 0; i < 10; i++) await pool.read((q) => q.get("SELECT x"));
    expect(db.connections).toHaveLength(2);
    expect(pool.stats().readers).toMatchObject({ size: 1, idle: 1, acquired: 10 });
  });

  it("runs reads beside a write (readers are not the writer)", async () => {
    const { pool } = await open({ readers: 2 });
    const gate = deferred();
    const write = pool.write(() => gate.promise);
    await settle();
    await expect(pool.read(async () => "read while writing")).resolves.toBe("read while writing");
    gate.resolve();
    await write;
  });

  it("sends reads to the writer queue for a private :memory: database", async () => {
    const { db, pool } = await open({ readers: 4 }, MEMORY_CAPABILITIES);
    expect(pool.options.readers).toBe(0);
    const c = new Concurrency();
    const order: string[] = [];
    const gate = deferred();
    const w = pool.write(() => c.track(() => gate.promise));
    const r1 = pool.read(() => c.track(async () => void order.push("read1")));
    const r2 = pool.readSnapshot(() => c.track(async () => void order.push("snap")));
    await settle();
    expect(order).toEqual([]);
    expect(pool.stats().writer.waiting).toBe(2);
    gate.resolve();
    await Promise.all([w, r1, r2]);
    expect(order).toEqual(["read1", "snap"]);
    expect(c.max).toBe(1);
    expect(db.connections).toHaveLength(1);
    expect(pool.stats().readers.max).toBe(0);
  });

  it("refuses a read from inside a write when reads share the writer", async () => {
    const { pool } = await open({}, MEMORY_CAPABILITIES);
    const inner = await pool.write(async () => pool.read(async () => 1).catch((e: unknown) => e));
    expect(inner).toBeInstanceOf(PoolMisuseError);
  });

  it("revokes the handle when the callback settles", async () => {
    const { pool } = await open();
    let kept: Queryable | undefined;
    await pool.read(async (q) => {
      kept = q;
      await q.get("SELECT x");
    });
    await expect(kept?.get("SELECT y")).rejects.toBeInstanceOf(PoolMisuseError);
  });

  it("refuses close() on a lent connection", async () => {
    const { db, pool } = await open();
    await pool.withWriter(async (conn) => {
      await expect(conn.close()).rejects.toBeInstanceOf(PoolMisuseError);
    });
    expect(db.connections[0]?.isClosed).toBe(false);
  });
});

describe("readSnapshot", () => {
  it("runs in BEGIN DEFERRED on a reader", async () => {
    const { db, pool } = await open({ readers: 1 });
    await pool.readSnapshot(async (tx) => {
      await tx.get("SELECT a");
      await tx.get("SELECT b");
    });
    const reader = db.events.filter((e) => e.conn === 2 && e.op !== "connect");
    expect(reader.map((e) => `${e.op}:${e.detail ?? ""}`)).toEqual([
      "begin:deferred",
      "statement:SELECT a",
      "statement:SELECT b",
      "commit:",
    ]);
  });
});

describe("broken and dirty connections", () => {
  it("replaces a reader whose statement failed with a connection-level error", async () => {
    const { db, pool } = await open({ readers: 1 });
    await pool.read((q) => q.get("SELECT warm"));
    db.rule({ match: "SELECT broken", error: "IOERR", times: 1 });
    const error = await pool.read((q) => q.get("SELECT broken")).catch((e: unknown) => e);
    expect((error as SqliteError).code).toBe("IOERR");
    await settle();
    expect(db.connections[1]?.isClosed).toBe(true);
    await pool.read((q) => q.get("SELECT after"));
    expect(db.work(3)).toEqual(["SELECT after"]);
    expect(pool.stats().replaced).toBe(1);
  });

  it.each(["CLOSED", "CORRUPT", "NOTADB", "BUSY"] as const)("replaces after %s", async (code) => {
    const { db, pool } = await open({ readers: 1 });
    db.rule({ match: "SELECT bad", error: code, times: 1 });
    await pool.read((q) => q.get("SELECT bad")).catch(() => {});
    expect(pool.stats().readers.replaced).toBe(1);
  });

  it("keeps a connection after an ordinary SQL error", async () => {
    const { db, pool } = await open({ readers: 1 });
    db.rule({ match: "INSERT dup", error: "CONSTRAINT", times: 1 });
    await expect(pool.write((tx) => tx.run("INSERT dup"))).rejects.toBeInstanceOf(SqliteError);
    await expect(pool.read((q) => q.get("SELECT nope"))).resolves.toBeUndefined();
    db.rule({ match: "SELECT syntax", error: "ERROR", times: 1 });
    await pool.read((q) => q.get("SELECT syntax")).catch(() => {});
    await pool.write(async () => {});
    await pool.read(async () => {});
    expect(db.connections).toHaveLength(2);
    expect(pool.stats().replaced).toBe(0);
  });

  it("replaces the writer after a connection-level error inside write()", async () => {
    const { db, pool } = await open();
    db.rule({ match: "INSERT io", error: "IOERR", times: 1 });
    await expect(pool.write((tx) => tx.run("INSERT io"))).rejects.toMatchObject({
      code: "IOERR",
    });
    await pool.write((tx) => tx.run("INSERT ok"));
    expect(db.connections[0]?.isClosed).toBe(true);
    expect(db.work(2)).toEqual(["INSERT ok"]);
    expect(pool.stats().writer.replaced).toBe(1);
  });

  it("rolls back and replaces a reader left inside a transaction", async () => {
    const { db, pool } = await open({ readers: 1 });
    await pool.read((q) => q.exec("BEGIN"));
    await settle();
    expect(db.statements(2)).toEqual(["BEGIN", "ROLLBACK"]);
    expect(db.connections[1]?.isClosed).toBe(true);
    await pool.read((q) => q.get("SELECT next"));
    expect(db.work(3)).toEqual(["SELECT next"]);
    expect(pool.stats()).toMatchObject({ rolledBack: 1, replaced: 1 });
  });

  it("rolls back and replaces the writer left inside a transaction by withWriter", async () => {
    const { db, pool } = await open();
    await pool.withWriter(async (conn) => {
      await conn.exec("BEGIN IMMEDIATE");
      await conn.run("INSERT half");
    });
    await settle();
    expect(db.statements(1)).toEqual(["BEGIN IMMEDIATE", "INSERT half", "ROLLBACK"]);
    expect(db.connections[0]?.isClosed).toBe(true);
    await pool.write((tx) => tx.run("INSERT whole"));
    expect(db.work(2)).toEqual(["INSERT whole"]);
  });

  it("also cleans up when the callback throws while inside a transaction", async () => {
    const { db, pool } = await open();
    await expect(
      pool.withWriter(async (conn) => {
        await conn.exec("BEGIN");
        throw new Error("oops");
      }),
    ).rejects.toThrow("oops");
    expect(db.statements(1)).toContain("ROLLBACK");
    expect(pool.stats().rolledBack).toBe(1);
  });

  it("rolls back but keeps the one connection of a private :memory: database", async () => {
    const { db, pool } = await open({}, MEMORY_CAPABILITIES);
    await pool.read((q) => q.exec("BEGIN"));
    await pool.read((q) => q.get("SELECT still here"));
    expect(db.connections).toHaveLength(1);
    expect(db.statements(1)).toEqual(["BEGIN", "ROLLBACK", "SELECT still here"]);
    expect(pool.stats()).toMatchObject({ rolledBack: 1, replaced: 0 });
  });

  it("never replaces a lost :memory: connection with a fresh, empty database", async () => {
    const { db, pool } = await open({}, MEMORY_CAPABILITIES);
    db.rule({ match: "SELECT x", error: "IOERR", times: 1 });
    await pool.read((q) => q.get("SELECT x")).catch(() => {});
    await pool.read((q) => q.get("SELECT y"));
    expect(db.connections).toHaveLength(1);
  });
});
