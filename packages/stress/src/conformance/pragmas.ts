import { SqliteError } from "@llm-sessions/core";
import type { SqliteConnection } from "@llm-sessions/core/driver";
import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError, scalar } from "./helpers.js";

const JOURNAL_MODES = ["delete", "truncate", "persist", "memory", "wal", "off"];

async function pragma(db: SqliteConnection, name: string): Promise<unknown> {
  return scalar(db, `PRAGMA ${name}`);
}

export const pragmaTests: readonly ConformanceTest[] = [
  defineTest(
    "pragmas.foreign-keys",
    "foreign_keys = 1 on every connection, the second one and those with options included",
    async (ctx) => {
      const first = await ctx.connect();
      await first.exec(
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p (id))",
      );
      expect(await pragma(first, "foreign_keys")).toBe(1);
      const caps = await ctx.capabilities();
      const others = [
        await ctx.connect(),
        await ctx.connect({ busyTimeoutMs: 100, durability: "full" }),
      ];
      for (const [i, db] of others.entries()) {
        expect(await pragma(db, "foreign_keys"), `connection #${i + 2}`).toBe(1);
        if (!caps.sharedConnections) {
          await db.exec(
            "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p (id))",
          );
        }
        await expectSqliteError(
          db.run("INSERT INTO c (p) VALUES (7)"),
          "CONSTRAINT",
          `a dangling reference on connection #${i + 2}`,
        );
      }
    },
  ),

  defineTest(
    "pragmas.journal-mode",
    "a file is in WAL mode on every connection (memory or a valid mode otherwise)",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const first = await ctx.connect();
      await first.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
      const second = await ctx.connect();
      const modes = [await pragma(first, "journal_mode"), await pragma(second, "journal_mode")];
      if (caps.file) {
        expect(modes).toEqual(["wal", "wal"]);
      } else if (caps.local) {
        // Complementary: an in-memory database keeps its journal in memory.
        for (const mode of modes) expect(["memory", "off"]).toContain(mode);
      } else {
        for (const mode of modes) expect(JOURNAL_MODES).toContain(mode);
      }
    },
  ),

  defineTest(
    "pragmas.synchronous",
    "synchronous follows durability: NORMAL (1) by default, FULL (2) for durability 'full'",
    async (ctx) => {
      const caps = await ctx.capabilities();
      if (!caps.file) {
        // Complementary: both settings are accepted and the connection works.
        for (const durability of ["normal", "full"] as const) {
          const db = await ctx.connect({ durability });
          expect(await db.get("SELECT 1 AS ok"), `durability ${durability}`).toEqual({ ok: 1 });
        }
        return;
      }
      // The connection that switches the file to WAL, then later ones.
      const switcher = await ctx.connect();
      expect(
        await pragma(switcher, "synchronous"),
        "the first connection (it switched to WAL)",
      ).toBe(1);
      const second = await ctx.connect();
      expect(await pragma(second, "synchronous"), "a later default connection").toBe(1);
      const full = await ctx.connect({ durability: "full" });
      expect(await pragma(full, "synchronous"), "durability: 'full'").toBe(2);
      const normal = await ctx.connect({ durability: "normal" });
      expect(await pragma(normal, "synchronous"), "durability: 'normal'").toBe(1);
      // A first connection asking for FULL on a new file gets FULL.
      const other = await ctx.createDriver(ctx.file("full-first.db"));
      const fullFirst = await ctx.connectTo(other, { durability: "full" });
      expect(await pragma(fullFirst, "synchronous"), "a first connection with 'full'").toBe(2);
      expect(await pragma(fullFirst, "journal_mode")).toBe("wal");
    },
  ),

  defineTest(
    "pragmas.busy-timeout",
    "busy_timeout is 5000 ms by default and follows busyTimeoutMs",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const byDefault = await ctx.connect();
      const custom = await ctx.connect({ busyTimeoutMs: 1234 });
      if (!caps.local) {
        // Complementary: a remote server owns its locking; the option is accepted.
        expect(await custom.get("SELECT 1 AS ok")).toEqual({ ok: 1 });
        expect(await byDefault.get("SELECT 1 AS ok")).toEqual({ ok: 1 });
        return;
      }
      expect(await pragma(byDefault, "busy_timeout")).toBe(5000);
      expect(await pragma(custom, "busy_timeout")).toBe(1234);
    },
  ),

  defineTest(
    "pragmas.readonly",
    "a readonly connection reads and rejects writes with READONLY",
    async (ctx) => {
      const caps = await ctx.capabilities();
      if (!caps.file) {
        // Complementary: readonly is never silently ignored.
        let reader: SqliteConnection | undefined;
        try {
          reader = await ctx.connect({ readonly: true });
        } catch (error) {
          expect(error, "a refused readonly connection is a SqliteError").toBeInstanceOf(
            SqliteError,
          );
          return;
        }
        await expectSqliteError(
          reader.exec("CREATE TABLE t (x)"),
          "READONLY",
          "a write on a readonly connection",
        );
        return;
      }
      const writer = await ctx.connect();
      await writer.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
      const reader = await ctx.connect({ readonly: true });
      expect(await reader.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
      expect(await pragma(reader, "foreign_keys")).toBe(1);
      await expectSqliteError(reader.run("INSERT INTO t VALUES (2)"), "READONLY", "an insert");
      await expectSqliteError(
        reader.batch([{ sql: "INSERT INTO t VALUES (3)" }]),
        "READONLY",
        "a batch",
      );
      await writer.run("INSERT INTO t VALUES (4)");
      expect(await reader.all("SELECT x FROM t ORDER BY x"), "the reader sees new commits").toEqual(
        [{ x: 1 }, { x: 4 }],
      );
      await reader.transaction("deferred", async (tx) => {
        expect(await tx.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
      });
    },
  ),
];
