import { SqliteError } from "@llm-sessions/core";
import { step } from "@llm-sessions/core/driver";
import { describe, expect, it } from "vitest";
import { useConnections } from "./test-support/open.js";
import { useTempDir } from "./test-support/temp-dir.js";

const tmp = useTempDir();
const conns = useConnections();

async function withTable() {
  const conn = await conns.open({ filename: ":memory:" });
  await conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, x TEXT NOT NULL UNIQUE)");
  return conn;
}
const count = async (conn: { get(sql: string): Promise<unknown> }) =>
  ((await conn.get("SELECT count(*) AS n FROM t")) as { n: number }).n;

describe("batch", () => {
  it("runs every statement and reports each result", async () => {
    const conn = await withTable();
    const results = await conn.batch([
      { sql: "INSERT INTO t(x) VALUES (?)", params: ["a"] },
      { sql: "INSERT INTO t(x) VALUES (:x)", params: { x: "b" } },
      { sql: "UPDATE t SET x = x || '!'" },
    ]);
    expect(results).toEqual([
      { changes: 1, lastInsertRowid: 1 },
      { changes: 1, lastInsertRowid: 2 },
      { changes: 2, lastInsertRowid: 2 },
    ]);
    expect(await conn.inTransaction()).toBe(false);
  });

  it("is atomic: a failing statement leaves nothing behind", async () => {
    const conn = await withTable();
    await expect(
      conn.batch([
        { sql: "INSERT INTO t(x) VALUES ('a')" },
        { sql: "INSERT INTO t(x) VALUES ('b')" },
        { sql: "INSERT INTO t(x) VALUES ('a')" },
      ]),
    ).rejects.toMatchObject({ code: "CONSTRAINT" });
    expect(await count(conn)).toBe(0);
    expect(await conn.inTransaction()).toBe(false);
  });

  it("takes the write lock up front (BEGIN IMMEDIATE)", async () => {
    const filename = tmp.file();
    const a = await conns.open({ filename }, { busyTimeoutMs: 0 });
    const b = await conns.open({ filename }, { busyTimeoutMs: 0 });
    await a.exec("CREATE TABLE t(x)");
    await a.exec("BEGIN IMMEDIATE");
    // Even a batch of reads asks for the write lock, so it fails at BEGIN while a writes.
    await expect(b.batch([{ sql: "SELECT 1" }])).rejects.toMatchObject({ code: "BUSY" });
    await a.exec("ROLLBACK");
    expect(await b.batch([{ sql: "INSERT INTO t VALUES (1)" }])).toHaveLength(1);
  });

  it("inside a transaction is a savepoint: its failure undoes only the batch", async () => {
    const conn = await withTable();
    const result = await conn.transaction("immediate", async (tx) => {
      await tx.run("INSERT INTO t(x) VALUES ('kept')");
      await expect(
        tx.batch([
          { sql: "INSERT INTO t(x) VALUES ('gone')" },
          { sql: "INSERT INTO t(x) VALUES (NULL)" },
        ]),
      ).rejects.toMatchObject({ code: "CONSTRAINT" });
      await tx.batch([{ sql: "INSERT INTO t(x) VALUES ('also kept')" }]);
      return tx.all("SELECT x FROM t ORDER BY id");
    });
    expect(result).toEqual([{ x: "kept" }, { x: "also kept" }]);
    expect(await count(conn)).toBe(2);
  });
});

describe("transaction", () => {
  it("commits when the callback resolves", async () => {
    const conn = await withTable();
    await conn.transaction("immediate", async (tx) => {
      await tx.run("INSERT INTO t(x) VALUES ('a')");
      expect(await tx.get("SELECT x FROM t")).toEqual({ x: "a" });
    });
    expect(await count(conn)).toBe(1);
  });

  it("rolls back and rethrows when the callback throws", async () => {
    const conn = await withTable();
    const boom = new Error("boom");
    await expect(
      conn.transaction("deferred", async (tx) => {
        await tx.run("INSERT INTO t(x) VALUES ('a')");
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await count(conn)).toBe(0);
    expect(await conn.inTransaction()).toBe(false);
  });

  it("rejects a nested transaction with MISUSE", async () => {
    const conn = await withTable();
    await expect(
      conn.transaction("immediate", () => conn.transaction("immediate", async () => 1)),
    ).rejects.toMatchObject({ name: "SqliteError", code: "MISUSE" });
    expect(await conn.inTransaction()).toBe(false);
  });

  it("immediate blocks other writers; deferred does not take the write lock", async () => {
    const filename = tmp.file();
    const a = await conns.open({ filename }, { busyTimeoutMs: 0 });
    const b = await conns.open({ filename }, { busyTimeoutMs: 0 });
    await a.exec("CREATE TABLE t(x)");
    await a.transaction("deferred", async (tx) => {
      await tx.all("SELECT * FROM t");
      await b.run("INSERT INTO t VALUES (1)"); // no write lock held by a
    });
    await a.transaction("immediate", async () => {
      await expect(b.run("INSERT INTO t VALUES (2)")).rejects.toMatchObject({ code: "BUSY" });
    });
    expect(await b.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
  });

  it("rolls back when COMMIT itself fails (a deferred foreign key) and stays usable", async () => {
    const conn = await conns.open({ filename: ":memory:" });
    await conn.exec(`CREATE TABLE p(id INTEGER PRIMARY KEY);
      CREATE TABLE c(p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)`);
    // SQLite keeps the transaction open when COMMIT fails; the adapter's rollback must end it.
    await expect(
      conn.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO c VALUES (1)");
      }),
    ).rejects.toMatchObject({ code: "CONSTRAINT" });
    expect(await conn.inTransaction()).toBe(false);
    expect(conn.closed).toBe(false);
    expect(await conn.all("SELECT * FROM c")).toEqual([]);
  });

  it("reports a raw BEGIN through inTransaction", async () => {
    const conn = await withTable();
    await conn.exec("BEGIN");
    expect(await conn.inTransaction()).toBe(true);
    await conn.exec("ROLLBACK");
    expect(await conn.inTransaction()).toBe(false);
  });

  it("rolls back cleanly when SQLite already ended the transaction", async () => {
    const conn = await withTable();
    await expect(
      conn.transaction("immediate", async (tx) => {
        await tx.exec("ROLLBACK"); // the transaction is gone; the wrapper's rollback must not fail
        throw new Error("after rollback");
      }),
    ).rejects.toThrow("after rollback");
    expect(conn.closed).toBe(false);
    expect(await count(conn)).toBe(0);
  });
});

describe("close", () => {
  it("is harmless twice and later calls reject with CLOSED", async () => {
    const conn = await conns.open({ filename: tmp.file() });
    await conn.close();
    await conn.close();
    expect(conn.closed).toBe(true);
    const error = await conn.get("SELECT 1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteError);
    expect(error).toMatchObject({ code: "CLOSED" });
  });
});

describe("transactionSteps", () => {
  it("runs BEGIN to COMMIT without a promise turn (better-sqlite3 answers synchronously)", async () => {
    const conn = await withTable();
    const order: string[] = [];
    await conn.transactionSteps("immediate", function* () {
      yield* step.run("INSERT INTO t(x) VALUES ('a')");
      queueMicrotask(() => order.push("microtask"));
      yield* step.run("INSERT INTO t(x) VALUES ('b')");
      order.push("body done");
    });
    order.push("resolved");
    expect(order).toEqual(["body done", "microtask", "resolved"]);
    expect(await count(conn)).toBe(2);
  });
});
