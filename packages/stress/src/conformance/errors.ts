import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { SqliteError } from "@llm-sessions/core";
import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError, rejection } from "./helpers.js";

const FAMILY = `
  CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
    n INTEGER CHECK (n >= 0)
  );
  CREATE TABLE pinned (parent_id INTEGER REFERENCES parent (id));
`;

/** An `extendedCode`, when given, must name the same family as the primary code. */
function expectExtended(error: SqliteError, pattern: RegExp): void {
  if (error.extendedCode !== undefined) {
    expect(error.extendedCode, "extendedCode").toMatch(pattern);
  }
}

export const errorTests: readonly ConformanceTest[] = [
  defineTest(
    "errors.shape",
    "a syntax error is a SqliteError with code ERROR, SQLite's message and the driver's error as cause",
    async (ctx) => {
      const db = await ctx.connect();
      const error = await expectSqliteError(db.all("SELEC 1"), "ERROR");
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe("SqliteError");
      expect(error.message).toMatch(/syntax error/i);
      expect(error.cause, "cause is the driver's original error").toBeDefined();
      expect(error.cause).not.toBe(error);
      expect(error.cause).not.toBeInstanceOf(SqliteError);
      expect(typeof error.stack).toBe("string");
    },
  ),

  defineTest(
    "errors.missing-table",
    "a failed read rejects; it never looks like an empty result",
    async (ctx) => {
      const db = await ctx.connect();
      await expectSqliteError(db.all("SELECT * FROM no_such_table"), "ERROR", "all");
      await expectSqliteError(db.get("SELECT * FROM no_such_table"), "ERROR", "get");
      await expectSqliteError(db.run("DELETE FROM no_such_table"), "ERROR", "run");
      const error = await expectSqliteError(
        db.get("SELECT no_such_column FROM sqlite_master"),
        "ERROR",
      );
      expect(error.message).toMatch(/no such column/i);
    },
  ),

  defineTest("errors.unique", "a UNIQUE violation is CONSTRAINT", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(FAMILY);
    await db.run("INSERT INTO parent (id, name) VALUES (1, 'p')");
    const unique = await expectSqliteError(
      db.run("INSERT INTO parent (name) VALUES ('p')"),
      "CONSTRAINT",
    );
    expectExtended(unique, /CONSTRAINT|UNIQUE/);
    const pk = await expectSqliteError(
      db.run("INSERT INTO parent (id, name) VALUES (1, 'q')"),
      "CONSTRAINT",
    );
    expectExtended(pk, /CONSTRAINT|PRIMARY/);
    expect(await db.get("SELECT count(*) AS n FROM parent")).toEqual({ n: 1 });
  }),

  defineTest("errors.not-null", "a NOT NULL violation is CONSTRAINT", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(FAMILY);
    const error = await expectSqliteError(
      db.run("INSERT INTO parent (name) VALUES (?)", [null]),
      "CONSTRAINT",
    );
    expectExtended(error, /CONSTRAINT|NOTNULL/);
    expect(await db.get("SELECT count(*) AS n FROM parent")).toEqual({ n: 0 });
  }),

  defineTest("errors.check", "a CHECK violation is CONSTRAINT", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(FAMILY);
    await db.run("INSERT INTO parent (id, name) VALUES (1, 'p')");
    const error = await expectSqliteError(
      db.run("INSERT INTO child (parent_id, n) VALUES (1, -1)"),
      "CONSTRAINT",
    );
    expectExtended(error, /CONSTRAINT|CHECK/);
  }),

  defineTest(
    "errors.foreign-key",
    "foreign keys are enforced: a dangling reference or deleting a referenced row is CONSTRAINT",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(FAMILY);
      const dangling = await expectSqliteError(
        db.run("INSERT INTO child (parent_id, n) VALUES (404, 1)"),
        "CONSTRAINT",
        "a child whose parent does not exist",
      );
      expectExtended(dangling, /CONSTRAINT|FOREIGN/);
      await db.run("INSERT INTO parent (id, name) VALUES (1, 'p')");
      await db.run("INSERT INTO pinned (parent_id) VALUES (1)");
      await expectSqliteError(
        db.run("DELETE FROM parent WHERE id = 1"),
        "CONSTRAINT",
        "deleting a parent that another table references without ON DELETE",
      );
      await expectSqliteError(
        db.run("UPDATE pinned SET parent_id = 2"),
        "CONSTRAINT",
        "pointing a reference at a missing row",
      );
      expect(await db.get("SELECT count(*) AS n FROM child")).toEqual({ n: 0 });
      expect(await db.get("SELECT count(*) AS n FROM parent")).toEqual({ n: 1 });
    },
  ),

  defineTest("errors.cascade", "ON DELETE CASCADE removes the children", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(FAMILY);
    await db.run("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')");
    await db.run("INSERT INTO child (parent_id, n) VALUES (1, 1), (1, 2), (2, 3)");
    const result = await db.run("DELETE FROM parent WHERE id = 1");
    expect(result.changes).toBe(1);
    expect(await db.all("SELECT parent_id, n FROM child")).toEqual([{ parent_id: 2, n: 3 }]);
  }),

  defineTest(
    "errors.statement-atomic",
    "a statement that fails part-way changes no row",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x INTEGER UNIQUE)");
      await db.run("INSERT INTO t VALUES (1), (2), (3)");
      await expectSqliteError(db.run("UPDATE t SET x = x + 1"), "CONSTRAINT");
      expect(await db.all("SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
      await expectSqliteError(db.run("INSERT INTO t VALUES (10), (11), (1)"), "CONSTRAINT");
      expect(await db.get("SELECT count(*) AS n FROM t")).toEqual({ n: 3 });
    },
  ),

  defineTest(
    "errors.busy",
    "a write while another connection holds the write lock fails BUSY after the busy timeout",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const a = await ctx.connect({ busyTimeoutMs: 50 });
      await a.exec("CREATE TABLE t (x INTEGER)");
      const b = await ctx.connect({ busyTimeoutMs: 50 });
      if (!caps.sharedConnections) {
        // Complementary: two connections are two databases, so neither waits for the other.
        await b.exec("CREATE TABLE t (x INTEGER)");
        await a.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO t VALUES (1)");
          await b.run("INSERT INTO t VALUES (2)");
        });
        expect(await a.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
        expect(await b.all("SELECT x FROM t")).toEqual([{ x: 2 }]);
        return;
      }
      if (caps.queuesWriters) {
        // Complementary: the server queues the second writer until the first commits.
        let queued: Promise<unknown> | undefined;
        await a.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO t VALUES (1)");
          queued = b.run("INSERT INTO t VALUES (2)");
          queued.catch(() => {});
          // The holder goes on while the other write waits.
          await tx.run("INSERT INTO t VALUES (3)");
        });
        await queued;
        expect(await b.inTransaction()).toBe(false);
        expect(await b.all("SELECT x FROM t ORDER BY rowid"), "the queued write ran last").toEqual([
          { x: 1 },
          { x: 3 },
          { x: 2 },
        ]);
        return;
      }
      await a.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO t VALUES (1)");
        const started = performance.now();
        const error = await expectSqliteError(
          b.run("INSERT INTO t VALUES (2)"),
          "BUSY",
          "a write while another connection holds BEGIN IMMEDIATE",
        );
        const waited = performance.now() - started;
        expect(error.message.length).toBeGreaterThan(0);
        expect(waited, "the busy timeout (50 ms) was waited out").toBeGreaterThanOrEqual(25);
        expect(waited, "the busy timeout (50 ms) was honoured, not the default").toBeLessThan(
          2_500,
        );
        await expectSqliteError(
          b.transaction("immediate", async () => "never"),
          "BUSY",
          "BEGIN IMMEDIATE while another connection holds the lock",
        );
      });
      expect(await b.inTransaction()).toBe(false);
      await b.run("INSERT INTO t VALUES (3)");
      expect(await b.all("SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 3 }]);
    },
  ),

  defineTest(
    "errors.not-a-database",
    "opening a file that is not a database fails with NOTADB or CORRUPT and leaves the file untouched",
    async (ctx) => {
      const garbage = Buffer.concat([
        Buffer.from("this is not an SQLite database, just noise\n"),
        randomBytes(16_384),
      ]);
      await writeFile(ctx.path, garbage);
      const caps = (await ctx.driver()).capabilities;
      if (!caps.file) {
        // Complementary: a target that is not a file ignores whatever is at path.
        const db = await ctx.connect();
        await db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
        expect(await db.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
        expect((await readFile(ctx.path)).equals(garbage)).toBe(true);
        return;
      }
      const attempt = (async () => {
        const db = await ctx.connect();
        await db.all("SELECT name FROM sqlite_master");
        await db.exec("CREATE TABLE t (x)");
      })();
      await expectSqliteError(
        attempt,
        ["NOTADB", "CORRUPT"],
        "connecting to and reading a garbage file",
      );
      expect((await readFile(ctx.path)).equals(garbage), "the file must not be overwritten").toBe(
        true,
      );
    },
  ),

  defineTest(
    "errors.cause-kept",
    "every mapped error keeps the driver's error as cause (constraint, busy-free paths)",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x INTEGER NOT NULL)");
      const errors = [
        await expectSqliteError(db.run("INSERT INTO t VALUES (NULL)"), "CONSTRAINT"),
        await expectSqliteError(db.exec("CREATE TABLE t (y)"), "ERROR"),
        await expectSqliteError(db.batch([{ sql: "INSERT INTO t VALUES (NULL)" }]), "CONSTRAINT"),
        await expectSqliteError(
          db.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES (NULL)")),
          "CONSTRAINT",
        ),
      ];
      for (const error of errors) {
        expect(error.cause, `cause of "${error.message}"`).toBeDefined();
        expect(error.cause).not.toBeInstanceOf(SqliteError);
      }
      const plain = await rejection(db.get("SELECT * FROM nowhere"));
      expect(plain).toBeInstanceOf(SqliteError);
    },
  ),
];
