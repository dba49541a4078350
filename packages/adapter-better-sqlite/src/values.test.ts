import { describe, expect, it } from "vitest";
import { useConnections } from "./test-support/open.js";

const conns = useConnections();
const memory = () => conns.open({ filename: ":memory:" });

describe("integers", () => {
  it("returns safe integers as numbers and larger ones as exact bigints", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER)");
    const big = 2n ** 62n + 7n;
    await conn.run("INSERT INTO t(n) VALUES (?), (?), (?), (?)", [
      1,
      Number.MAX_SAFE_INTEGER,
      big,
      -big,
    ]);
    const rows = await conn.all("SELECT n FROM t ORDER BY id");
    expect(rows).toEqual([{ n: 1 }, { n: Number.MAX_SAFE_INTEGER }, { n: big }, { n: -big }]);
    expect(typeof rows[0]?.n).toBe("number");
    expect(await conn.get("SELECT ? + 1 AS n", [BigInt(Number.MAX_SAFE_INTEGER)])).toEqual({
      n: 2n ** 53n,
    });
  });

  it("reports lastInsertRowid as a number, and as a bigint beyond 2^53", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, x)");
    expect(await conn.run("INSERT INTO t(x) VALUES (1)")).toEqual({
      changes: 1,
      lastInsertRowid: 1,
    });
    const big = 2n ** 60n + 3n;
    expect(await conn.run("INSERT INTO t(id, x) VALUES (?, 2)", [big])).toEqual({
      changes: 1,
      lastInsertRowid: big,
    });
  });

  it("binds integer-valued numbers as INTEGER, other numbers as REAL", async () => {
    const conn = await memory();
    expect(
      await conn.get(
        "SELECT typeof(?) AS a, typeof(?) AS b, json_object('n', ?) AS j",
        [3, 2.5, 3],
      ),
    ).toEqual({ a: "integer", b: "real", j: '{"n":3}' });
    expect(await conn.get("SELECT typeof(:n) AS t", { n: 7 })).toEqual({ t: "integer" });
  });

  it("keeps floats as floats", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE t(r REAL, a ANY)");
    await conn.run("INSERT INTO t VALUES (?, ?)", [1.5, 0.1]);
    await conn.run("INSERT INTO t VALUES (?, ?)", [2, 1e300]);
    expect(await conn.all("SELECT r, a, typeof(r) AS tr FROM t")).toEqual([
      { r: 1.5, a: 0.1, tr: "real" },
      { r: 2, a: 1e300, tr: "real" },
    ]);
    expect(await conn.get("SELECT 7 / 2.0 AS q")).toEqual({ q: 3.5 });
  });
});

describe("blobs and text", () => {
  it("round-trips Buffer and plain Uint8Array (also a view with an offset) as BLOBs", async () => {
    const conn = await memory();
    await conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)");
    const view = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4);
    await conn.run("INSERT INTO t(b) VALUES (?), (?), (?)", [
      Buffer.from([0, 255]),
      view,
      new Uint8Array(0),
    ]);
    const rows = await conn.all<{ b: Uint8Array }>("SELECT b, typeof(b) AS t FROM t ORDER BY id");
    expect(rows.map((r) => [...r.b])).toEqual([[0, 255], [1, 2, 3], []]);
    expect(rows.every((r) => r.b instanceof Uint8Array)).toBe(true);
    expect(rows.map((r) => (r as unknown as { t: string }).t)).toEqual(["blob", "blob", "blob"]);
  });

  it("returns text and NULL unchanged", async () => {
    const conn = await memory();
    expect(await conn.get("SELECT ? AS s, ? AS n", ["héllo 👋", null])).toEqual({
      s: "héllo 👋",
      n: null,
    });
  });
});

describe("named parameters", () => {
  it.each([":", "@", "$"])("binds %s-prefixed names from bare keys", async (prefix) => {
    const conn = await memory();
    expect(await conn.get(`SELECT ${prefix}a AS a, ${prefix}b AS b`, { a: 1, b: "x" })).toEqual({
      a: 1,
      b: "x",
    });
  });

  it("accepts keys that carry the prefix too", async () => {
    const conn = await memory();
    expect(await conn.get("SELECT :a AS a, @b AS b, $c AS c", { ":a": 1, "@b": 2, $c: 3 })).toEqual(
      { a: 1, b: 2, c: 3 },
    );
  });

  it("reuses one named value for every occurrence", async () => {
    const conn = await memory();
    expect(await conn.get("SELECT :v + :v AS twice", { v: 21 })).toEqual({ twice: 42 });
  });
});
