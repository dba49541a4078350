import fs from "node:fs";
import type { SqliteConnection } from "@llm-sessions/core/driver";
import Database from "libsql";
import { afterEach, describe, expect, it, vi } from "vitest";
import { libsql } from "../index.js";
import { tempDbPath } from "../test-support/tmp.js";

const open: SqliteConnection[] = [];

afterEach(async () => {
  for (const conn of open.splice(0)) await conn.close();
});

async function connect(url: string, busyTimeoutMs = 5000): Promise<SqliteConnection> {
  const conn = await libsql({ url }).connect({ busyTimeoutMs });
  open.push(conn);
  return conn;
}

describe("the native engine", () => {
  it("keeps a bounded cache of prepared statements per connection (statementCacheSize)", async () => {
    const conn = await libsql({ url: ":memory:", statementCacheSize: 2 }).connect();
    open.push(conn);
    const prepare = vi.spyOn(Database.prototype, "prepare");
    try {
      const prepared = (sql: string) => prepare.mock.calls.filter(([s]) => s === sql).length;
      expect(await conn.get("SELECT 1 AS a")).toEqual({ a: 1 });
      await conn.get("SELECT 1 AS a");
      expect(prepared("SELECT 1 AS a")).toBe(1);
      await conn.get("SELECT 2 AS b");
      await conn.get("SELECT 3 AS c");
      // Evicted statements are prepared again when needed.
      expect(await conn.get("SELECT 1 AS a")).toEqual({ a: 1 });
      expect(prepared("SELECT 1 AS a")).toBe(2);
    } finally {
      prepare.mockRestore();
    }
  });

  it("makes a column named __proto__ an own property, not the prototype", async () => {
    const conn = await connect(":memory:");
    const row = await conn.get<Record<string, unknown>>('SELECT 1 AS "__proto__", 2 AS b');
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(row)).toEqual(["__proto__", "b"]);
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toBe(1);
  });

  it("sees a column renamed by another connection in a cached SELECT * (same column count)", async () => {
    const file = tempDbPath();
    const conn = await connect(`file:${file}`);
    const other = await connect(`file:${file}`);
    await conn.exec("CREATE TABLE t(a INTEGER); INSERT INTO t VALUES (1)");
    expect(await conn.all("SELECT * FROM t")).toEqual([{ a: 1 }]);
    expect(await conn.get("SELECT * FROM t")).toEqual({ a: 1 });
    await other.exec("ALTER TABLE t RENAME COLUMN a TO b");
    expect(await conn.all("SELECT * FROM t")).toEqual([{ b: 1 }]);
    await other.exec("ALTER TABLE t RENAME COLUMN b TO c");
    expect(await conn.get("SELECT * FROM t")).toEqual({ c: 1 });
  });

  it("leaves no statement in progress after run() on a statement that returns rows", async () => {
    const file = tempDbPath();
    const conn = await connect(`file:${file}`);
    const other = await connect(`file:${file}`, 0);
    await conn.exec("CREATE TABLE t(x INTEGER PRIMARY KEY)");
    await conn.batch([{ sql: "INSERT INTO t VALUES (1)" }, { sql: "INSERT INTO t VALUES (2)" }]);
    // One step of a SELECT would keep a read snapshot; of a RETURNING, the write lock.
    await conn.run("SELECT x FROM t");
    expect(await conn.run("INSERT INTO t VALUES (3), (4) RETURNING x")).toEqual({
      changes: 2,
      lastInsertRowid: 4,
    });
    await other.run("INSERT INTO t VALUES (5)");
    expect(await conn.get("SELECT count(*) AS n FROM t")).toEqual({ n: 5 });
    await conn.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES (6)"));
    expect(await other.get("SELECT count(*) AS n FROM t")).toEqual({ n: 6 });
  });

  it("releases the write lock at close even with a raw transaction open", async () => {
    const file = tempDbPath();
    const conn = await libsql({ url: `file:${file}` }).connect();
    const other = await connect(`file:${file}`, 0);
    await conn.exec("CREATE TABLE t(x)");
    // Cached statements keep libSQL's native connection alive after close, until collected.
    await conn.run("INSERT INTO t VALUES (?)", [0]);
    await conn.exec("BEGIN IMMEDIATE");
    await conn.run("INSERT INTO t VALUES (?)", [1]);
    await conn.close();
    await other.run("INSERT INTO t VALUES (2)");
    expect(await other.all("SELECT x FROM t ORDER BY x")).toEqual([{ x: 0 }, { x: 2 }]);
  });

  it("prepares a cached statement again only when get() could not reuse it (after a failure, run or all)", async () => {
    const conn = await connect(":memory:");
    const prepare = vi.spyOn(Database.prototype, "prepare");
    try {
      await conn.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
      const insert = "INSERT INTO t (id) VALUES (?) RETURNING id";
      const prepared = () => prepare.mock.calls.filter(([sql]) => sql === insert).length;
      for (let id = 1; id <= 3; id++) expect(await conn.get(insert, [id])).toEqual({ id });
      expect(prepared(), "repeated get() reuses the statement").toBe(1);
      await expect(conn.get(insert, [1])).rejects.toThrow(/UNIQUE/);
      expect(await conn.get(insert, [4])).toEqual({ id: 4 });
      expect(await conn.get(insert, [5])).toEqual({ id: 5 });
      expect(prepared(), "once more after the failure, then reused").toBe(2);
      expect(await conn.all(insert, [6])).toEqual([{ id: 6 }]);
      expect(await conn.get(insert, [7])).toEqual({ id: 7 });
      expect(prepared(), "once more after all()").toBe(3);
    } finally {
      prepare.mockRestore();
    }
  });

  it("reads a rowid beyond 2^53 exactly (libSQL passes it through a double)", async () => {
    const conn = await connect(":memory:");
    await conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY)");
    const id = 2n ** 62n + 1n;
    expect(await conn.run("INSERT INTO t VALUES (?)", [id])).toEqual({
      changes: 1,
      lastInsertRowid: id,
    });
  });
});

describe("closing a file's connections", () => {
  it("leaves an empty WAL, as SQLite's last close does", async () => {
    const file = tempDbPath();
    const driver = libsql({ url: `file:${file}` });
    const writer = await driver.connect();
    const reader = await driver.connect({ readonly: true });
    await writer.exec("CREATE TABLE t(x)");
    for (let i = 0; i < 20; i++) await writer.run("INSERT INTO t VALUES (?)", [i]);
    expect(await reader.get("SELECT count(*) AS n FROM t")).toEqual({ n: 20 });
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
    await reader.close();
    await writer.close();
    expect(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0).toBe(0);
  });
});
