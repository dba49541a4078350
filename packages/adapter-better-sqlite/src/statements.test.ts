import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
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

describe("the statement cache (core's, per connection)", () => {
  /** Prepares counted while `use` runs (the spy sees core's prepares, not BEGIN/COMMIT's at open). */
  async function countPrepares(use: () => Promise<void>): Promise<number> {
    const prepare = vi.spyOn(Database.prototype, "prepare");
    try {
      prepare.mockClear();
      await use();
      return prepare.mock.calls.length;
    } finally {
      prepare.mockRestore();
    }
  }

  it("prepares a statement once and reuses it, and does not keep one that failed to prepare", async () => {
    const conn = await memory();
    expect(
      await countPrepares(async () => {
        for (let i = 0; i < 5; i++) await conn.get("SELECT ? AS i", [i]);
      }),
    ).toBe(1);
    for (let i = 0; i < 2; i++) {
      await expect(conn.get("SELEC 1")).rejects.toMatchObject({ code: "ERROR" });
    }
  });

  it("is sized by statementCacheSize, 200 by default", async () => {
    const cycle = async (size: number | undefined, statements: number) => {
      const conn = await conns.open({
        filename: ":memory:",
        ...(size === undefined ? {} : { statementCacheSize: size }),
      });
      return countPrepares(async () => {
        for (let round = 0; round < 2; round++) {
          for (let i = 0; i < statements; i++) await conn.get(`SELECT ${i}`);
        }
      });
    };
    expect(await cycle(3, 3)).toBe(3); // all three stay cached
    expect(await cycle(2, 3)).toBe(6); // LRU over a cycle of three forgets each one in time
    expect(await cycle(undefined, 200)).toBe(200);
    expect(await cycle(undefined, 201)).toBe(402);
  });
});
