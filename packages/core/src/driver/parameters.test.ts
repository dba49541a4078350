import { describe, expect, it } from "vitest";
import type { SqliteAdapter } from "./adapter.js";
import { createDriver } from "./create-driver.js";
import { toSqliteError } from "./errors.js";
import { bareName, checkParameters, parameterShape } from "./parameters.js";
import { fakeRaw } from "./test-support/fake-raw.js";

const RANGE = expect.objectContaining({ code: "RANGE" });

describe("parameterShape and checkParameters", () => {
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
    const shape = parameterShape(sql);
    expect(shape.count).toBe(count);
    expect(() => checkParameters(shape, new Array(count).fill(1))).not.toThrow();
    expect(() => checkParameters(shape, new Array(count + 1).fill(1))).toThrow(RANGE);
    if (count > 0)
      expect(() => checkParameters(shape, new Array(count - 1).fill(1))).toThrow(RANGE);
  });

  it("needs every named value (bare or prefixed key) and leaves unused keys to the driver", () => {
    const shape = parameterShape("SELECT :a, @b, $c");
    expect(shape.names).toEqual(["a", "b", "c"]);
    expect(() => checkParameters(shape, { a: 1, ":b": "x", $c: null, unused: 2 })).not.toThrow();
    expect(() => checkParameters(shape, { a: 1, c: 2 })).toThrow(/missing named parameter "b"/);
  });

  it("refuses an object for ? parameters, and nothing for a statement that has some", () => {
    expect(() => checkParameters(parameterShape("SELECT :a, ?"), { a: 1 })).toThrow(
      /pass the values as an array/,
    );
    expect(() => checkParameters(parameterShape("SELECT ?"), undefined)).toThrow(RANGE);
    expect(() => checkParameters(parameterShape("SELECT 1"), undefined)).not.toThrow();
  });

  it("bareName drops one prefix", () => {
    expect([":a", "@a", "$a", "a", "::a"].map(bareName)).toEqual(["a", "a", "a", "a", ":a"]);
  });
});

describe("SqliteAdapter.checkParameters", () => {
  function connect(checkParameters: boolean, refusesTextWithNul = false) {
    const fake = fakeRaw({ async: false });
    const adapter: SqliteAdapter = {
      name: "fake",
      target: ":memory:",
      localPath: undefined,
      capabilities: {
        local: true,
        remote: false,
        file: false,
        sharedConnections: false,
        onlineBackup: false,
        fts5: true,
        walCheckpoint: true,
        vacuum: true,
        refusesTextWithNul,
      },
      synchronous: true,
      checkParameters,
      open: () => fake.raw,
      mapError: (e) => toSqliteError(e),
    };
    return { conn: createDriver(adapter).connect(), log: fake.log };
  }

  it("on: a missing value is RANGE and the statement never reaches the driver", async () => {
    const { conn, log } = connect(true);
    const db = await conn;
    await expect(db.run("INSERT INTO t VALUES (?, ?)", [1])).rejects.toMatchObject({
      code: "RANGE",
    });
    await expect(db.get("SELECT :a", {})).rejects.toMatchObject({ code: "RANGE" });
    expect(log).not.toContain("INSERT INTO t VALUES (?, ?)");
    await db.run("INSERT INTO t VALUES (?, ?)", [1, 2]);
    expect(log).toContain("INSERT INTO t VALUES (?, ?)");
  });

  it("off (the default): the values go to the driver as given", async () => {
    const { conn, log } = connect(false);
    const db = await conn;
    await db.run("INSERT INTO t VALUES (?, ?)", [1]);
    expect(log).toContain("INSERT INTO t VALUES (?, ?)");
  });

  it("refusesTextWithNul: text with a NUL is MISUSE before the driver sees it, without checking parameters", async () => {
    const { conn, log } = connect(false, true);
    const db = await conn;
    await expect(db.run("INSERT INTO t VALUES (?)", ["a\u0000b"])).rejects.toMatchObject({
      code: "MISUSE",
    });
    await expect(db.run("INSERT INTO t VALUES (:v)", { v: "\u0000" })).rejects.toMatchObject({
      code: "MISUSE",
    });
    expect(log).not.toContain("INSERT INTO t VALUES (?)");
    // Parameters are not checked: a missing value still reaches the driver.
    await db.run("INSERT INTO t VALUES (?, ?)", ["no nul"]);
    expect(log).toContain("INSERT INTO t VALUES (?, ?)");
  });
});
