import { existsSync } from "node:fs";
import { open } from "node:fs/promises";
import type { SqliteConnection } from "@llm-sessions/core/driver";
import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError, gate, scalar, tick, track, within } from "./helpers.js";

/** Bytes 18 and 19 of the database header: 2 and 2 mean WAL, 1 and 1 rollback journal. */
async function headerJournalBytes(path: string): Promise<[number, number]> {
  const handle = await open(path, "r");
  try {
    const header = Buffer.alloc(100);
    await handle.read(header, 0, 100, 0);
    expect(header.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\u0000");
    return [header[18] ?? -1, header[19] ?? -1];
  } finally {
    await handle.close();
  }
}

function everyCall(db: SqliteConnection): Array<[string, () => Promise<unknown>]> {
  return [
    ["run", () => db.run("SELECT 1")],
    ["get", () => db.get("SELECT 1")],
    ["all", () => db.all("SELECT 1")],
    ["exec", () => db.exec("SELECT 1")],
    ["batch", () => db.batch([{ sql: "SELECT 1" }])],
    ["batch (empty)", () => db.batch([])],
    ["transaction", () => db.transaction("immediate", async () => 1)],
    ["inTransaction", () => db.inTransaction()],
  ];
}

export const connectionTests: readonly ConformanceTest[] = [
  defineTest(
    "driver.identity",
    "the driver names itself and declares a complete, consistent set of capabilities",
    async (ctx) => {
      const driver = await ctx.driver();
      expect(typeof driver.name).toBe("string");
      expect(driver.name.length).toBeGreaterThan(0);
      expect(typeof driver.target).toBe("string");
      const caps = driver.capabilities;
      for (const key of [
        "local",
        "remote",
        "sharedConnections",
        "file",
        "onlineBackup",
        "fts5",
        "walCheckpoint",
        "vacuum",
      ] as const) {
        expect(typeof caps[key], `capabilities.${key}`).toBe("boolean");
      }
      expect(caps.local, "a target is either local or remote").toBe(!caps.remote);
      if (caps.file) {
        expect(caps.local, "a file is local").toBe(true);
        expect(caps.sharedConnections, "every connection to a file reaches the same file").toBe(
          true,
        );
      }
    },
  ),

  defineTest(
    "driver.fresh-database",
    "each createDriver() gives an empty database and an open connection",
    async (ctx) => {
      const db = await ctx.connect();
      expect(db.closed).toBe(false);
      expect(await db.all("SELECT name FROM sqlite_master")).toEqual([]);
      expect(await db.inTransaction()).toBe(false);
    },
  ),

  defineTest(
    "connections.committed-only",
    "a second connection sees committed data and never uncommitted data (or its own database when not shared)",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const a = await ctx.connect();
      const b = await ctx.connect();
      await a.exec("CREATE TABLE t (x INTEGER)");
      if (!caps.sharedConnections) {
        // Complementary: two connections see different databases.
        expect(await b.all("SELECT name FROM sqlite_master")).toEqual([]);
        await b.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('b')");
        await a.run("INSERT INTO t VALUES (1)");
        expect(await a.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
        expect(await b.all("SELECT x FROM t")).toEqual([{ x: "b" }]);
        return;
      }
      await a.run("INSERT INTO t VALUES (1)");
      expect(await b.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
      await a.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO t VALUES (2)");
        expect(await tx.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
        expect(
          await within(
            b.get("SELECT count(*) AS n FROM t"),
            2_000,
            "a read during another's write",
          ),
          "uncommitted rows are invisible to another connection",
        ).toEqual({ n: 1 });
      });
      expect(await b.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
      await expect(
        a.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO t VALUES (3)");
          throw new Error("undo");
        }),
      ).rejects.toThrow("undo");
      expect(await b.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
    },
  ),

  defineTest(
    "connections.close-one",
    "closing one connection leaves the others and the driver working",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const a = await ctx.connect();
      const b = await ctx.connect();
      await a.exec("CREATE TABLE t (x)");
      if (!caps.sharedConnections) await b.exec("CREATE TABLE t (x)");
      await a.close();
      await b.run("INSERT INTO t VALUES (1)");
      expect(await b.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
      const c = await ctx.connect();
      if (caps.sharedConnections) {
        expect(await c.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
      } else {
        expect(await c.all("SELECT name FROM sqlite_master")).toEqual([]);
      }
    },
  ),
];

export const lifecycleTests: readonly ConformanceTest[] = [
  defineTest(
    "lifecycle.closed-error",
    "after close() every call rejects with CLOSED and closed is true",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x)");
      expect(db.closed).toBe(false);
      await db.close();
      expect(db.closed).toBe(true);
      for (const [name, call] of everyCall(db)) {
        await expectSqliteError(call(), "CLOSED", `${name}() after close()`);
      }
    },
  ),

  defineTest(
    "lifecycle.close-twice",
    "close() twice, or concurrently, is harmless",
    async (ctx) => {
      const db = await ctx.connect();
      await db.get("SELECT 1");
      const [first, second] = await Promise.allSettled([db.close(), db.close()]);
      expect(first.status).toBe("fulfilled");
      expect(second.status).toBe("fulfilled");
      await expect(db.close()).resolves.toBeUndefined();
      expect(db.closed).toBe(true);
    },
  ),

  defineTest(
    "lifecycle.close-waits-for-transaction",
    "close() during a transaction waits for it to finish and commit",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x)");
      const hold = gate();
      const entered = gate();
      const events: string[] = [];
      const transaction = db.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO t VALUES (1)");
        entered.open();
        await hold.promise;
        await tx.run("INSERT INTO t VALUES (2)");
        events.push("transaction done");
        return "committed";
      });
      await entered.promise;
      const closing = track(db.close().then(() => events.push("closed")));
      for (let i = 0; i < 5; i++) await tick();
      expect(closing.settled, "close() must wait for the open transaction").toBe(false);
      hold.open();
      expect(await within(transaction, 5_000, "the transaction")).toBe("committed");
      await within(closing.promise, 5_000, "close()");
      expect(events).toEqual(["transaction done", "closed"]);
      if (caps.sharedConnections) {
        const again = await ctx.connect();
        expect(await again.all("SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
      }
    },
  ),

  defineTest(
    "lifecycle.close-settles-queued",
    "calls queued behind close() settle (done or CLOSED), none hangs",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x)");
      const queued = Array.from({ length: 20 }, (_, i) => db.run("INSERT INTO t VALUES (?)", [i]));
      const closing = db.close();
      const late = db.get("SELECT 1");
      const outcomes = await within(
        Promise.allSettled([...queued, late]),
        5_000,
        "calls queued around close()",
      );
      await within(closing, 5_000, "close()");
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") {
          await expectSqliteError(
            Promise.reject(outcome.reason),
            "CLOSED",
            "a call cut off by close()",
          );
        }
      }
      expect(outcomes.at(-1)?.status, "a call made after close() rejects").toBe("rejected");
    },
  ),

  defineTest(
    "lifecycle.reopen",
    "a new driver on the same file sees what was committed (a fresh target starts empty otherwise)",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x TEXT)");
      await db.batch([{ sql: "INSERT INTO t VALUES ('durable')" }]);
      await db.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES ('also')"));
      await db.close();
      const again = await ctx.connectTo(await ctx.createDriver());
      if (caps.file) {
        expect(await again.all("SELECT x FROM t ORDER BY rowid")).toEqual([
          { x: "durable" },
          { x: "also" },
        ]);
        expect(await scalar(again, "PRAGMA integrity_check")).toBe("ok");
      } else {
        // Complementary: every createDriver() call is an isolated, empty database.
        expect(await again.all("SELECT name FROM sqlite_master")).toEqual([]);
      }
    },
  ),

  defineTest(
    "lifecycle.journal-kept",
    "closing never changes the journal mode: the file header still says WAL (nothing written at path otherwise)",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const first = await ctx.connect();
      const second = await ctx.connect();
      await first.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
      if (caps.sharedConnections)
        expect(await second.get("SELECT count(*) AS n FROM t")).toEqual({ n: 1 });
      await second.close();
      await first.close();
      if (!caps.file) {
        expect(existsSync(ctx.path), "a target that is not a file writes nothing at path").toBe(
          false,
        );
        return;
      }
      expect(await headerJournalBytes(ctx.path)).toEqual([2, 2]);
      const again = await ctx.connectTo(await ctx.createDriver());
      expect(await scalar(again, "PRAGMA journal_mode")).toBe("wal");
      expect(await again.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
    },
  ),
];
