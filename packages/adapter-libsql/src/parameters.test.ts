import type { SqliteConnection } from "@llm-sessions/core/driver";
import { afterEach, describe, expect, it } from "vitest";
import { libsql } from "./index.js";
import { bindParams } from "./parameters.js";

describe("bindParams", () => {
  it.each([
    ["SELECT 1", 0],
    ["SELECT ?, ?", 2],
    ["SELECT ?3, ?", 4],
    ["SELECT :a, :a, @a, $b", 3],
    ["SELECT '?', \"?\", `?`, [?], x'3f' -- ?\n, /* ? */ ?", 1],
    ["SELECT 'it''s ?', ?", 1],
    ["SELECT a$b, $c::d, $e(x), :", 2],
    ["SELECT :é", 1],
  ])("counts the parameters of %j as %i", (sql, count) => {
    expect(() => bindParams(sql, new Array(count).fill(1))).not.toThrow();
    expect(() => bindParams(sql, new Array(count + 1).fill(1))).toThrow(
      expect.objectContaining({ code: "RANGE" }),
    );
  });

  it("binds safe integers as bigint, other values as they are", () => {
    const bytes = new Uint8Array([1]);
    expect(bindParams("SELECT ?, ?, ?, ?, ?", [3, 1.5, 2n ** 60n, "s", bytes])).toEqual([
      3n,
      1.5,
      2n ** 60n,
      "s",
      bytes,
    ]);
  });

  it("binds named values by bare or prefixed key and drops keys the statement does not use", () => {
    const args = bindParams("SELECT :a, @b, $c", { a: 1, ":b": "x", $c: null, unused: 2 });
    expect({ ...args }).toEqual({ a: 1n, b: "x", c: null });
  });

  it("rejects a missing named value and an object for ? parameters with RANGE", () => {
    expect(() => bindParams("SELECT :a, :b", { a: 1 })).toThrow(/missing named parameter "b"/);
    expect(() => bindParams("SELECT :a, ?", { a: 1 })).toThrow(/pass the values as an array/);
    expect(() => bindParams("SELECT ?", undefined)).toThrow(
      expect.objectContaining({ code: "RANGE" }),
    );
  });
});

describe("parameters on a connection", () => {
  const open: SqliteConnection[] = [];
  afterEach(async () => {
    for (const conn of open.splice(0)) await conn.close();
  });

  it("rejects what libSQL would bind as NULL, or abort the process on, before it runs", async () => {
    const conn = await libsql({ url: ":memory:" }).connect();
    open.push(conn);
    await conn.exec("CREATE TABLE t(a, b)");
    // libSQL's native layer panics (and Node aborts) on an object for a `?` statement.
    await expect(conn.run("INSERT INTO t VALUES (:a, ?)", { a: 1 })).rejects.toMatchObject({
      code: "RANGE",
    });
    await expect(conn.run("INSERT INTO t VALUES (?, ?)", [1])).rejects.toMatchObject({
      code: "RANGE",
    });
    await expect(conn.run("INSERT INTO t VALUES (:a, :b)", { a: 1 })).rejects.toMatchObject({
      code: "RANGE",
    });
    await expect(
      conn.batch([{ sql: "INSERT INTO t VALUES (1, 2)" }, { sql: "INSERT INTO t VALUES (?, ?)" }]),
    ).rejects.toMatchObject({ code: "RANGE" });
    // The libsql package binds undefined as NULL and panics (aborting Node) on a boolean.
    for (const bad of [undefined, true, {}, [1]]) {
      await expect(conn.run("INSERT INTO t VALUES (?, 1)", [bad as never])).rejects.toMatchObject({
        code: "MISUSE",
      });
    }
    await expect(conn.run("INSERT INTO t VALUES (?, 1)", [2n ** 63n])).rejects.toMatchObject({
      code: "RANGE",
    });
    expect(await conn.all("SELECT * FROM t")).toEqual([]);
  });
});
