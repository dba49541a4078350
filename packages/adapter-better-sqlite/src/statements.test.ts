import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BetterSqliteConnection } from "./connection.js";
import { resolveOptions } from "./options.js";
import { useConnections } from "./test-support/open.js";

const conns = useConnections();
const memory = () => conns.open({ filename: ":memory:" });

describe("statements", () => {
  it("runs get and all on a statement that returns no rows", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE t(x)");
    expect(await conn.get("INSERT INTO t VALUES (1)")).toBeUndefined();
    expect(await conn.all("INSERT INTO t VALUES (2)")).toEqual([]);
    expect(await conn.all("SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it("runs run on a statement that returns rows (INSERT ... RETURNING)", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, x)");
    expect(await conn.run("INSERT INTO t(x) VALUES (?), (?) RETURNING id", ["a", "b"])).toEqual({
      changes: 2,
      lastInsertRowid: 2,
    });
    expect(await conn.all("INSERT INTO t(x) VALUES ('c') RETURNING id, x")).toEqual([
      { id: 3, x: "c" },
    ]);
    expect(await conn.get<{ n: number }>("SELECT count(*) AS n FROM t")).toEqual({ n: 3 });
  });

  it("returns undefined from get and [] from all when nothing matches", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE t(x)");
    expect(await conn.get("SELECT x FROM t")).toBeUndefined();
    expect(await conn.all("SELECT x FROM t")).toEqual([]);
  });

  it("runs several statements with exec", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE a(x); CREATE TABLE b(y); INSERT INTO a VALUES (1);");
    expect(
      await conn.get("SELECT (SELECT count(*) FROM a) AS a, (SELECT count(*) FROM b) AS b"),
    ).toEqual({ a: 1, b: 0 });
  });

  it("sees schema changes through cached statements", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
    expect(await conn.all("SELECT * FROM t")).toEqual([{ x: 1 }]);
    await conn.exec("ALTER TABLE t ADD COLUMN y DEFAULT 2");
    expect(await conn.all("SELECT * FROM t")).toEqual([{ x: 1, y: 2 }]);
  });
});

describe("the statement cache", () => {
  let db: Database.Database | undefined;
  afterEach(() => db?.close());

  function raw(size: number) {
    db = new Database(":memory:");
    const prepare = vi.spyOn(db, "prepare");
    const conn = new BetterSqliteConnection(db, size, 5000);
    prepare.mockClear(); // the constructor prepares BEGIN/COMMIT/ROLLBACK once
    return { conn, prepare };
  }

  it("prepares a statement once and reuses it", () => {
    const { conn, prepare } = raw(10);
    for (let i = 0; i < 5; i++) conn.get("SELECT ? AS i", [i]);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(conn.cachedStatements).toBe(1);
  });

  it("stays bounded and forgets the least recently used statement", () => {
    const { conn, prepare } = raw(3);
    for (let i = 0; i < 50; i++) conn.get(`SELECT ${i} AS i`);
    expect(conn.cachedStatements).toBe(3);
    prepare.mockClear();
    conn.get("SELECT 49 AS i"); // still cached
    expect(prepare).not.toHaveBeenCalled();
    conn.get("SELECT 0 AS i"); // evicted long ago
    expect(prepare).toHaveBeenCalledTimes(1);
  });

  it("does not cache a statement that failed to prepare", () => {
    const { conn } = raw(3);
    expect(() => conn.get("SELEC 1")).toThrow();
    expect(conn.cachedStatements).toBe(0);
  });

  it("is emptied by close", () => {
    const { conn } = raw(3);
    conn.get("SELECT 1");
    conn.close();
    expect(conn.cachedStatements).toBe(0);
    expect(db?.open).toBe(false);
  });

  it("is sized by statementCacheSize, 200 by default", async () => {
    expect(resolveOptions({ filename: ":memory:" }).statementCacheSize).toBe(200);
    const prepare = vi.spyOn(Database.prototype, "prepare");
    try {
      const cycle = async (size: number) => {
        const conn = await conns.open({ filename: ":memory:", statementCacheSize: size });
        prepare.mockClear();
        for (let round = 0; round < 2; round++) {
          for (const sql of ["SELECT 1", "SELECT 2", "SELECT 3"]) await conn.get(sql);
        }
        return prepare.mock.calls.length;
      };
      expect(await cycle(3)).toBe(3); // all three stay cached
      expect(await cycle(2)).toBe(6); // LRU over a cycle of three forgets each one in time
    } finally {
      prepare.mockRestore();
    }
  });
});
