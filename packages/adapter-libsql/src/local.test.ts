import fs from "node:fs";
import path from "node:path";
import { type SqliteConnection, step } from "@llm-sessions/core/driver";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_JOURNAL_SIZE_LIMIT, libsql } from "./index.js";
import { tempDbPath, tempDir } from "./test-support/tmp.js";

const open: SqliteConnection[] = [];

afterEach(async () => {
  for (const conn of open.splice(0)) await conn.close();
});

// Every local behaviour, on the libsql package.
describe("local databases", () => localSuite());

function localSuite(): void {
  async function connectFile(
    file = tempDbPath(),
    ...args: Parameters<ReturnType<typeof libsql>["connect"]>
  ) {
    const conn = await libsql({ url: `file:${file}` }).connect(...args);
    open.push(conn);
    return conn;
  }

  async function connectMemory() {
    const conn = await libsql({ url: ":memory:" }).connect();
    open.push(conn);
    return conn;
  }

  async function pragma(conn: SqliteConnection, name: string): Promise<unknown> {
    const row = await conn.get<Record<string, unknown>>(`PRAGMA ${name}`);
    return row === undefined ? undefined : Object.values(row)[0];
  }

  describe("pragmas on every connection", () => {
    it("sets WAL, synchronous per durability, busy_timeout and journal_size_limit on files", async () => {
      const file = tempDbPath();
      const normal = await connectFile(file, { busyTimeoutMs: 1234 });
      const full = await connectFile(file, { durability: "full" });
      expect(await pragma(normal, "journal_mode")).toBe("wal");
      expect(await pragma(normal, "synchronous")).toBe(1); // NORMAL (libSQL's default is FULL)
      expect(await pragma(full, "synchronous")).toBe(2); // FULL
      expect(await pragma(normal, "busy_timeout")).toBe(1234);
      expect(await pragma(full, "busy_timeout")).toBe(5000);
      expect(await pragma(normal, "journal_size_limit")).toBe(DEFAULT_JOURNAL_SIZE_LIMIT);
      for (const conn of [normal, full]) expect(await pragma(conn, "foreign_keys")).toBe(1);
    });

    it("honours journalSizeLimitBytes", async () => {
      const conn = await libsql({
        url: `file:${tempDbPath()}`,
        journalSizeLimitBytes: 4096,
      }).connect();
      open.push(conn);
      expect(await pragma(conn, "journal_size_limit")).toBe(4096);
    });

    it("sets the page cache when cacheSizeKiB is given, and keeps libSQL's 2 MiB otherwise", async () => {
      const file = tempDbPath();
      expect(await pragma(await connectFile(file, { cacheSizeKiB: 512 }), "cache_size")).toBe(-512);
      expect(await pragma(await connectFile(file), "cache_size")).toBe(-2000);
      for (const cacheSizeKiB of [0, -1, 1.5]) {
        await expect(connectFile(file, { cacheSizeKiB })).rejects.toMatchObject({ code: "MISUSE" });
      }
    });

    it("maps the file when mmapSizeBytes is given, and not otherwise", async () => {
      const file = tempDbPath();
      expect(await pragma(await connectFile(file, { mmapSizeBytes: 1 << 20 }), "mmap_size")).toBe(
        1 << 20,
      );
      expect(await pragma(await connectFile(file), "mmap_size")).toBe(0);
      for (const mmapSizeBytes of [-1, 1.5]) {
        await expect(connectFile(file, { mmapSizeBytes })).rejects.toMatchObject({
          code: "MISUSE",
        });
      }
    });

    it("enforces foreign keys", async () => {
      const conn = await connectMemory();
      await conn.exec(
        "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(p INTEGER REFERENCES p(id))",
      );
      await expect(conn.run("INSERT INTO c VALUES (42)")).rejects.toMatchObject({
        code: "CONSTRAINT",
        extendedCode: "SQLITE_CONSTRAINT_FOREIGNKEY",
      });
    });

    it("makes a readonly connection refuse writes", async () => {
      const file = tempDbPath();
      const writer = await connectFile(file);
      await writer.exec("CREATE TABLE t(x)");
      const reader = await connectFile(file, { readonly: true });
      expect(await reader.all("SELECT * FROM t")).toEqual([]);
      await expect(reader.run("INSERT INTO t VALUES (1)")).rejects.toMatchObject({
        code: "READONLY",
      });
    });

    it("keeps the pragmas after transactions", async () => {
      const conn = await connectFile(tempDbPath(), { busyTimeoutMs: 777 });
      await conn.exec("CREATE TABLE t(x)");
      await conn.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES (1)"));
      await expect(
        conn.transaction("immediate", async () => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await pragma(conn, "synchronous")).toBe(1);
      expect(await pragma(conn, "busy_timeout")).toBe(777);
    });
  });

  describe(":memory:", () => {
    it("keeps its tables and pragmas across transactions", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE t(x INTEGER) STRICT");
      await conn.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES (1)"));
      await conn.transaction("deferred", async (tx) => {
        expect(await tx.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
      });
      await expect(
        conn.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO t VALUES (2)");
          throw new Error("undo");
        }),
      ).rejects.toThrow("undo");
      await conn.batch([{ sql: "INSERT INTO t VALUES (3)" }]);
      expect(await conn.all("SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 3 }]);
      expect(await pragma(conn, "foreign_keys")).toBe(1);
      expect(await pragma(conn, "busy_timeout")).toBe(5000);
      expect(await conn.inTransaction()).toBe(false);
    });

    it("is a separate database per connection", async () => {
      const driver = libsql({ url: ":memory:" });
      expect(driver.capabilities.sharedConnections).toBe(false);
      const a = await driver.connect();
      const b = await driver.connect();
      open.push(a, b);
      await a.exec("CREATE TABLE only_in_a(x)");
      await expect(b.all("SELECT * FROM only_in_a")).rejects.toMatchObject({ code: "ERROR" });
    });
  });

  describe("values", () => {
    it("returns integers as numbers when safe and as bigints beyond 2^53", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE n(id INTEGER PRIMARY KEY, v INTEGER) STRICT");
      const big = 2n ** 53n + 1n;
      await conn.run("INSERT INTO n(v) VALUES (?), (?), (?)", [big, 2 ** 53 - 1, -(2n ** 63n)]);
      const rows = await conn.all<{ v: number | bigint }>("SELECT v FROM n ORDER BY id");
      expect(rows.map((r) => r.v)).toEqual([big, 2 ** 53 - 1, -(2n ** 63n)]);
      const result = await conn.run("INSERT INTO n(id, v) VALUES (?, 1)", [2n ** 62n]);
      expect(result).toEqual({ changes: 1, lastInsertRowid: 2n ** 62n });
      expect(await conn.run("INSERT INTO n(v) VALUES (1)")).toEqual({
        changes: 1,
        lastInsertRowid: 2n ** 62n + 1n,
      });
    });

    it("binds a whole number as INTEGER and a fraction as REAL", async () => {
      const conn = await connectMemory();
      expect(
        await conn.get(
          "SELECT typeof(?) AS a, typeof(?) AS b, json_object('n', ?) AS j",
          [3, 1.5, 3],
        ),
      ).toEqual({ a: "integer", b: "real", j: '{"n":3}' });
    });

    it("round-trips blobs as Uint8Array, view offsets included", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE b(v BLOB) STRICT");
      const bytes = new Uint8Array([9, 0, 1, 2, 255]).subarray(1);
      await conn.run("INSERT INTO b VALUES (?)", [bytes]);
      const row = await conn.get<{ v: Uint8Array }>("SELECT v FROM b");
      expect(row?.v).toBeInstanceOf(Uint8Array);
      expect([...(row?.v ?? [])]).toEqual([0, 1, 2, 255]);
      expect(await conn.get("SELECT length(v) AS n, typeof(v) AS t FROM b")).toEqual({
        n: 4,
        t: "blob",
      });
    });

    it("binds named parameters written as :name, @name and $name", async () => {
      const conn = await connectMemory();
      expect(
        await conn.get("SELECT :a AS a, @b AS b, $c AS c", { a: 1, b: "two", c: null }),
      ).toEqual({ a: 1, b: "two", c: null });
      expect(await conn.get("SELECT :a AS a", { ":a": "prefixed" })).toEqual({ a: "prefixed" });
    });

    it("returns rows as plain objects keyed by column name", async () => {
      const conn = await connectMemory();
      const row = await conn.get("SELECT 1 AS a, 2 AS b, 3 AS a");
      expect(row).toEqual({ a: 3, b: 2 });
      expect(Object.getOwnPropertyNames(row)).toEqual(["a", "b"]);
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    });

    it("reads RETURNING rows and still reports changes and lastInsertRowid", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE r(id INTEGER PRIMARY KEY, v TEXT)");
      expect(await conn.run("INSERT INTO r(v) VALUES ('a'), ('b') RETURNING id")).toEqual({
        changes: 2,
        lastInsertRowid: 2,
      });
      expect(await conn.all("UPDATE r SET v = 'z' RETURNING id, v")).toEqual([
        { id: 1, v: "z" },
        { id: 2, v: "z" },
      ]);
      expect(
        await conn.batch([
          { sql: "INSERT INTO r(v) VALUES ('c') RETURNING id" },
          { sql: "DELETE FROM r WHERE id < 3 RETURNING id" },
          { sql: "INSERT INTO r(v) VALUES ('d')" },
        ]),
      ).toEqual([
        { changes: 1, lastInsertRowid: 3 },
        { changes: 2, lastInsertRowid: 3 },
        { changes: 1, lastInsertRowid: 4 },
      ]);
      const inTx = await conn.transaction("immediate", (tx) =>
        tx.run("UPDATE r SET v = 'y' RETURNING id"),
      );
      expect(inTx.changes).toBe(2);
    });
  });

  describe("reads", () => {
    it("returns undefined / [] for no rows, and fails (never an empty result) on an error", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE t(x)");
      expect(await conn.get("SELECT x FROM t")).toBeUndefined();
      expect(await conn.all("SELECT x FROM t")).toEqual([]);
      await expect(conn.all("SELECT x FROM missing")).rejects.toMatchObject({ code: "ERROR" });
      await expect(conn.get("SELEC 1")).rejects.toMatchObject({ code: "ERROR" });
    });
  });

  describe("batch", () => {
    it("is atomic: a failing statement in the middle leaves nothing", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE u(v TEXT UNIQUE)");
      await conn.run("INSERT INTO u VALUES ('taken')");
      await expect(
        conn.batch([
          { sql: "INSERT INTO u VALUES (?)", params: ["first"] },
          { sql: "INSERT INTO u VALUES (?)", params: ["taken"] },
          { sql: "INSERT INTO u VALUES (?)", params: ["third"] },
        ]),
      ).rejects.toMatchObject({ code: "CONSTRAINT", extendedCode: "SQLITE_CONSTRAINT_UNIQUE" });
      expect(await conn.all("SELECT v FROM u")).toEqual([{ v: "taken" }]);
      expect(
        await conn.batch([
          { sql: "INSERT INTO u VALUES (:v)", params: { v: "a" } },
          { sql: "UPDATE u SET v = v || '!'" },
        ]),
      ).toEqual([
        { changes: 1, lastInsertRowid: 2 },
        { changes: 2, lastInsertRowid: 2 },
      ]);
    });

    it("is a savepoint inside a transaction: a failed batch leaves the transaction's other work", async () => {
      const conn = await connectFile();
      await conn.exec("CREATE TABLE u(v TEXT UNIQUE)");
      await conn.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO u VALUES ('kept')");
        await expect(
          tx.batch([
            { sql: "INSERT INTO u VALUES ('gone')" },
            { sql: "INSERT INTO u VALUES ('kept')" },
          ]),
        ).rejects.toMatchObject({ code: "CONSTRAINT" });
        await tx.batch([{ sql: "INSERT INTO u VALUES ('after')" }]);
      });
      expect(await conn.all("SELECT v FROM u ORDER BY v")).toEqual([{ v: "after" }, { v: "kept" }]);
    });
  });

  describe("transactions", () => {
    it("commits, rolls back, and rejects a nested transaction with MISUSE", async () => {
      const conn = await connectFile();
      await conn.exec("CREATE TABLE t(x)");
      await conn.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO t VALUES (1)");
        await expect(conn.transaction("immediate", async () => {})).rejects.toMatchObject({
          code: "MISUSE",
        });
      });
      await expect(
        conn.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO t VALUES (2)");
          throw new Error("no");
        }),
      ).rejects.toThrow("no");
      expect(await conn.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
    });

    it("holds a raw BEGIN sent alone through exec until COMMIT or ROLLBACK", async () => {
      const file = tempDbPath();
      const conn = await connectFile(file);
      const other = await connectFile(file);
      await conn.exec("CREATE TABLE t(x)");
      await conn.exec("BEGIN IMMEDIATE");
      expect(await conn.inTransaction()).toBe(true);
      await conn.run("INSERT INTO t VALUES (1)");
      await conn.batch([{ sql: "INSERT INTO t VALUES (2)" }]);
      // Uncommitted: the other connection does not see it yet.
      expect(await other.all("SELECT x FROM t")).toEqual([]);
      await expect(conn.transaction("immediate", async () => {})).rejects.toMatchObject({
        code: "ERROR",
        message: expect.stringMatching(/within a transaction/),
      });
      await conn.exec("COMMIT");
      expect(await conn.inTransaction()).toBe(false);
      expect(await other.all("SELECT x FROM t")).toEqual([{ x: 1 }, { x: 2 }]);
      await conn.exec("BEGIN");
      await conn.run("DELETE FROM t");
      await conn.exec("ROLLBACK");
      await expect(conn.exec("COMMIT")).rejects.toMatchObject({ code: "ERROR" });
      expect(await other.all("SELECT x FROM t")).toHaveLength(2);
    });

    it("keeps a BEGIN inside a longer script open after exec, as SQLite does", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE t(x); BEGIN; INSERT INTO t VALUES (1);");
      expect(await conn.inTransaction()).toBe(true);
      await conn.exec("ROLLBACK");
      expect(await conn.inTransaction()).toBe(false);
      expect(await conn.all("SELECT x FROM t")).toEqual([]);
    });

    it("rolls back a raw transaction left open at close", async () => {
      const file = tempDbPath();
      const conn = await libsql({ url: `file:${file}` }).connect();
      await conn.exec("CREATE TABLE t(x)");
      await conn.exec("BEGIN");
      await conn.run("INSERT INTO t VALUES (1)");
      await conn.close();
      const again = await connectFile(file);
      expect(await again.all("SELECT x FROM t")).toEqual([]);
    });

    it("fails commit-time work with ABORT after SQLite ended the transaction", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE t(x)");
      await expect(
        conn.transaction("immediate", async (tx) => {
          await tx.exec("INSERT INTO t VALUES (1); COMMIT");
          await tx.run("INSERT INTO t VALUES (2)");
        }),
      ).rejects.toMatchObject({ code: "ABORT" });
      expect(await conn.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
    });
  });

  describe("EXPLAIN", () => {
    it("answers on a file without leaving the connection unable to commit", async () => {
      const file = tempDbPath();
      const conn = await connectFile(file);
      const other = await connectFile(file);
      await conn.exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
      const plan = await conn.all<{ detail: string }>(
        "EXPLAIN QUERY PLAN UPDATE t SET y = 1 WHERE x = ?",
        [1],
      );
      expect(plan.map((r) => r.detail).join()).toMatch(/SEARCH t USING INTEGER PRIMARY KEY/);
      await conn.run("INSERT INTO t VALUES (1, 1)");
      await conn.transaction("immediate", async (tx) => {
        expect(await tx.all("/* plan */ EXPLAIN QUERY PLAN DELETE FROM t WHERE y = 1")).toEqual([
          expect.objectContaining({ detail: "SCAN t" }),
        ]);
        await tx.run("INSERT INTO t VALUES (2, 2)");
      });
      // Committed and unlocked: another connection sees both rows and can write.
      await other.run("INSERT INTO t VALUES (3, 3)");
      expect(await other.get("SELECT count(*) AS n FROM t")).toEqual({ n: 3 });
      // After an EXPLAIN of a query, the next query is not stuck on an old snapshot.
      expect(await conn.all("EXPLAIN QUERY PLAN SELECT y FROM t WHERE x > 0")).not.toEqual([]);
      expect(await conn.get("SELECT count(*) AS n FROM t WHERE x > 0")).toEqual({ n: 3 });
      await other.run("INSERT INTO t VALUES (4, 4)");
      expect(await conn.get("SELECT count(*) AS n FROM t WHERE x > 0")).toEqual({ n: 4 });
    });

    it("is refused on :memory:, where no second connection can answer it", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE t(x)");
      await expect(conn.all("EXPLAIN QUERY PLAN SELECT * FROM t")).rejects.toMatchObject({
        code: "UNSUPPORTED",
      });
      await conn.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES (1)"));
      expect(await conn.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
    });
  });

  describe("errors", () => {
    it("maps constraint violations with their extended code", async () => {
      const conn = await connectMemory();
      await conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
      await expect(conn.run("INSERT INTO t(v) VALUES (NULL)")).rejects.toMatchObject({
        name: "SqliteError",
        code: "CONSTRAINT",
        extendedCode: "SQLITE_CONSTRAINT_NOTNULL",
      });
    });

    it("fails at connect with NOTADB on a file that is not a database", async () => {
      const file = tempDbPath();
      fs.writeFileSync(file, Buffer.alloc(8192, 7));
      await expect(libsql({ url: `file:${file}` }).connect()).rejects.toMatchObject({
        name: "SqliteError",
        code: "NOTADB",
      });
    });

    it("fails at connect with NOTADB on an encrypted file opened with no key or a wrong key", async () => {
      const file = tempDbPath();
      const secret = await libsql({ url: `file:${file}`, encryptionKey: "right" }).connect();
      await secret.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
      await secret.close();
      await expect(libsql({ url: `file:${file}` }).connect()).rejects.toMatchObject({
        code: "NOTADB",
      });
      await expect(
        libsql({ url: `file:${file}`, encryptionKey: "wrong" }).connect(),
      ).rejects.toMatchObject({ code: "NOTADB" });
      const again = await libsql({ url: `file:${file}`, encryptionKey: "right" }).connect();
      open.push(again);
      expect(await again.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
    });

    it("fails at connect with CANTOPEN when the directory does not exist", async () => {
      const file = path.join(tempDir(), "missing", "x.db");
      await expect(libsql({ url: `file:${file}` }).connect()).rejects.toMatchObject({
        code: "CANTOPEN",
      });
    });

    it("rejects a value SQLite cannot store with MISUSE", async () => {
      const conn = await connectMemory();
      await expect(conn.get("SELECT ?", [{} as unknown as string])).rejects.toMatchObject({
        code: "MISUSE",
      });
      await expect(conn.get("SELECT ?", [undefined as unknown as null])).rejects.toMatchObject({
        code: "MISUSE",
      });
    });
  });

  describe("close", () => {
    it("is harmless twice, rejects later calls with CLOSED and leaves the file in WAL mode", async () => {
      const file = tempDbPath();
      const conn = await libsql({ url: `file:${file}` }).connect();
      await conn.exec("CREATE TABLE t(x)");
      await conn.close();
      await conn.close();
      expect(conn.closed).toBe(true);
      await expect(conn.get("SELECT 1")).rejects.toMatchObject({ code: "CLOSED" });
      // Bytes 18 and 19 of the header are 2 for WAL.
      const header = fs.readFileSync(file).subarray(18, 20);
      expect([...header]).toEqual([2, 2]);
    });
  });

  describe("capabilities", () => {
    it("has FTS5 in the local build, as capabilities claim", async () => {
      const driver = libsql({ url: ":memory:" });
      const conn = await driver.connect();
      open.push(conn);
      expect(driver.capabilities.fts5).toBe(true);
      expect(await conn.get("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS on_")).toEqual({
        on_: 1,
      });
      await conn.exec("CREATE VIRTUAL TABLE f USING fts5(body)");
      await conn.run("INSERT INTO f VALUES ('reset my password')");
      expect(await conn.all("SELECT body FROM f WHERE f MATCH 'password'")).toHaveLength(1);
    });
  });

  it("transactionSteps runs BEGIN to COMMIT without a promise turn", async () => {
    const conn = await connectFile();
    await conn.exec("CREATE TABLE t (x TEXT)");
    const order: string[] = [];
    await conn.transactionSteps("immediate", function* () {
      yield* step.run("INSERT INTO t VALUES ('a')");
      queueMicrotask(() => order.push("microtask"));
      yield* step.run("INSERT INTO t VALUES ('b')");
      order.push("body done");
    });
    // The libsql package answers synchronously.
    expect(order).toEqual(["body done", "microtask"]);
    expect(await conn.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
  });
}
