import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError, rejection } from "./helpers.js";

const ITEMS = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, qty INTEGER)";

export const batchTests: readonly ConformanceTest[] = [
  defineTest(
    "batch.write-batch-rows",
    "writeBatch commits its statements as one transaction and returns each one's rows ([] for none); changes() reads the statement before",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(ITEMS);
      const rows = await db.writeBatch([
        { sql: "INSERT INTO items (name, qty) VALUES (?, ?) RETURNING id, name", params: ["a", 1] },
        { sql: "INSERT INTO items (name, qty) SELECT 'b', 2 WHERE changes() = 1 RETURNING name" },
        { sql: "INSERT INTO items (name, qty) SELECT 'c', 3 WHERE changes() = 0 RETURNING name" },
        { sql: "UPDATE items SET qty = qty + 1" },
        { sql: "SELECT name, qty FROM items ORDER BY id" },
      ]);
      expect(rows).toEqual([
        [{ id: 1, name: "a" }],
        [{ name: "b" }],
        [],
        [],
        [
          { name: "a", qty: 2 },
          { name: "b", qty: 3 },
        ],
      ]);
      expect(await db.inTransaction()).toBe(false);
      expect(await db.writeBatch([])).toEqual([]);
    },
  ),

  defineTest(
    "batch.write-batch-atomic",
    "a failing statement of a writeBatch leaves nothing behind; writeBatch inside a transaction is MISUSE",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(ITEMS);
      await db.run("INSERT INTO items (name, qty) VALUES ('existing', 0)");
      await expectSqliteError(
        db.writeBatch([
          { sql: "INSERT INTO items (name, qty) VALUES ('first', 1)" },
          { sql: "INSERT INTO items (name, qty) VALUES ('existing', 2)" },
        ]),
        "CONSTRAINT",
        "a writeBatch with a duplicate key",
      );
      expect(await db.all("SELECT name FROM items ORDER BY id")).toEqual([{ name: "existing" }]);
      expect(await db.inTransaction()).toBe(false);
      await db.transaction("immediate", async () => {
        await expectSqliteError(
          db.writeBatch([{ sql: "SELECT 1" }]),
          "MISUSE",
          "inside a transaction",
        );
      });
    },
  ),

  defineTest("batch.results", "batch returns one result per statement, in order", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(ITEMS);
    const results = await db.batch([
      { sql: "INSERT INTO items (name, qty) VALUES (?, ?)", params: ["a", 1] },
      { sql: "INSERT INTO items (name, qty) VALUES (:name, :qty)", params: { name: "b", qty: 2 } },
      { sql: "INSERT INTO items (name, qty) VALUES ('c', 3), ('d', 4)" },
      { sql: "UPDATE items SET qty = qty * 10 WHERE qty >= ?", params: [2] },
      { sql: "DELETE FROM items WHERE name = 'nope'" },
    ]);
    expect(results).toHaveLength(5);
    expect(results.map((r) => r.changes)).toEqual([1, 1, 2, 3, 0]);
    expect(results[0]?.lastInsertRowid).toBe(1);
    expect(results[1]?.lastInsertRowid).toBe(2);
    expect(results[2]?.lastInsertRowid).toBe(4);
    expect(await db.all("SELECT name, qty FROM items ORDER BY id")).toEqual([
      { name: "a", qty: 1 },
      { name: "b", qty: 20 },
      { name: "c", qty: 30 },
      { name: "d", qty: 40 },
    ]);
  }),

  defineTest(
    "batch.atomic",
    "a failing statement in the middle of a batch leaves nothing behind (CONSTRAINT)",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(ITEMS);
      await db.run("INSERT INTO items (name, qty) VALUES ('existing', 0)");
      await expectSqliteError(
        db.batch([
          { sql: "INSERT INTO items (name, qty) VALUES ('first', 1)" },
          { sql: "UPDATE items SET qty = 99 WHERE name = 'existing'" },
          { sql: "INSERT INTO items (name, qty) VALUES ('existing', 2)" },
          { sql: "INSERT INTO items (name, qty) VALUES ('last', 3)" },
        ]),
        "CONSTRAINT",
        "a batch with a duplicate key",
      );
      expect(await db.all("SELECT name, qty FROM items ORDER BY id")).toEqual([
        { name: "existing", qty: 0 },
      ]);
    },
  ),

  defineTest(
    "batch.after-failure",
    "after a failed batch no transaction is left open and the connection works",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(ITEMS);
      await expectSqliteError(
        db.batch([
          { sql: "INSERT INTO items (name) VALUES ('x')" },
          { sql: "INSERT INTO items (name) VALUES (NULL)" },
        ]),
        "CONSTRAINT",
      );
      expect(await db.inTransaction()).toBe(false);
      await db.batch([{ sql: "INSERT INTO items (name) VALUES ('y')" }]);
      await db.run("INSERT INTO items (name) VALUES ('z')");
      expect(await db.all("SELECT name FROM items ORDER BY id")).toEqual([
        { name: "y" },
        { name: "z" },
      ]);
    },
  ),

  defineTest("batch.empty", "an empty batch resolves to [] and changes nothing", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(ITEMS);
    expect(await db.batch([])).toEqual([]);
    expect(await db.inTransaction()).toBe(false);
    expect(await db.transaction("immediate", (tx) => tx.batch([]))).toEqual([]);
    expect(await db.all("SELECT * FROM items")).toEqual([]);
  }),

  defineTest(
    "batch.syntax-error",
    "a syntax error in a late statement rejects the batch and leaves nothing behind",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(ITEMS);
      await expectSqliteError(
        db.batch([
          { sql: "INSERT INTO items (name) VALUES ('a')" },
          { sql: "INSERT INTO items (name) VALUES ('b')" },
          { sql: "INSERT INTO nowhere VALUES (1)" },
        ]),
        "ERROR",
      );
      expect(await db.all("SELECT * FROM items")).toEqual([]);
    },
  ),

  defineTest(
    "batch.savepoint-in-transaction",
    "a failing batch inside a transaction undoes only itself; the transaction still commits",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(ITEMS);
      const outcome = await db.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO items (name) VALUES ('before')");
        await expectSqliteError(
          tx.batch([
            { sql: "INSERT INTO items (name) VALUES ('inside')" },
            { sql: "INSERT INTO items (name) VALUES ('before')" },
          ]),
          "CONSTRAINT",
          "tx.batch with a duplicate",
        );
        await tx.batch([{ sql: "INSERT INTO items (name) VALUES ('batched')" }]);
        await tx.run("INSERT INTO items (name) VALUES ('after')");
        return "committed";
      });
      expect(outcome).toBe("committed");
      expect(await db.all("SELECT name FROM items ORDER BY id")).toEqual([
        { name: "before" },
        { name: "batched" },
        { name: "after" },
      ]);
      expect(await db.inTransaction()).toBe(false);
    },
  ),

  defineTest(
    "batch.rolled-back-with-transaction",
    "a successful batch inside a transaction is undone when the transaction throws",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(ITEMS);
      const boom = new Error("boom");
      const error = await rejection(
        db.transaction("immediate", async (tx) => {
          const results = await tx.batch([
            { sql: "INSERT INTO items (name) VALUES ('a')" },
            { sql: "INSERT INTO items (name) VALUES ('b')" },
          ]);
          expect(results.map((r) => r.changes)).toEqual([1, 1]);
          expect(await tx.get("SELECT count(*) AS n FROM items")).toEqual({ n: 2 });
          throw boom;
        }),
      );
      expect(error).toBe(boom);
      expect(await db.all("SELECT * FROM items")).toEqual([]);
    },
  ),

  defineTest(
    "batch.concurrent",
    "batches and single statements from concurrent callers all apply, each batch whole",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (caller INTEGER, step INTEGER)");
      const work = Array.from({ length: 20 }, (_, caller) =>
        caller % 2 === 0
          ? db.batch(
              [0, 1, 2].map((step) => ({
                sql: "INSERT INTO t VALUES (?, ?)",
                params: [caller, step],
              })),
            )
          : db.run("INSERT INTO t VALUES (?, 0)", [caller]),
      );
      await Promise.all(work);
      const rows = await db.all<{ caller: number; step: number }>(
        "SELECT caller, step FROM t ORDER BY rowid",
      );
      expect(rows).toHaveLength(10 * 3 + 10);
      // Each batch's rows are contiguous and in order: nothing ran in the middle of it.
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (row && row.caller % 2 === 0 && row.step === 0) {
          expect(rows.slice(i, i + 3)).toEqual(
            [0, 1, 2].map((step) => ({ caller: row.caller, step })),
          );
        }
      }
    },
  ),
];
