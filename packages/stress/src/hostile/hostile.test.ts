import { SqliteError, ValidationError } from "@llm-sessions/core";
import type { Queryable, Row } from "@llm-sessions/core/driver";
import { expect, describe as group, it } from "vitest";
import { generateCalls } from "./calls.js";
import { changedTables, digestState } from "./digest.js";
import { classify } from "./outcome.js";
import { showCall } from "./run.js";
import { canonical } from "./serialize.js";

/** A database of two tables held in memory, read the way `digestState` reads one. */
function fakeDb(tables: Record<string, Row[]>): Queryable {
  const read = async (sql: string): Promise<Row[]> => {
    if (sql.includes("sqlite_master")) {
      return Object.keys(tables).map((name) => ({
        type: "table",
        name,
        sql: `CREATE TABLE ${name}`,
      }));
    }
    if (sql.startsWith("PRAGMA user_version")) return [{ user_version: 3 }];
    const name = /FROM "(.+)"/.exec(sql)?.[1] ?? "";
    return tables[name] ?? [];
  };
  return {
    all: (async (sql: string) => read(sql)) as Queryable["all"],
    get: (async (sql: string) => (await read(sql))[0]) as Queryable["get"],
    run: async () => ({ changes: 0, lastInsertRowid: 0 }),
    exec: async () => {},
    batch: async () => [],
  } as unknown as Queryable;
}

group("hostile run: its own checks", () => {
  it("the state digest ignores row order and sees one changed cell, per table", async () => {
    const a = await digestState(fakeDb({ t: [{ x: 1 }, { x: 2 }], u: [{ s: "a" }] }));
    const reordered = await digestState(fakeDb({ t: [{ x: 2 }, { x: 1 }], u: [{ s: "a" }] }));
    expect(changedTables(a, reordered)).toEqual([]);
    const changed = await digestState(fakeDb({ t: [{ x: 1 }, { x: 3 }], u: [{ s: "a" }] }));
    expect(changedTables(a, changed)).toEqual(["t"]);
  });

  it("the state digest tells apart values a careless hash would merge", async () => {
    const of = (v: Row[string]) => digestState(fakeDb({ t: [{ v }] }));
    const pairs: [Row[string], Row[string]][] = [
      ["T\uD800", "T\uFFFD"],
      ["1", 1],
      [2 ** 53, 2n ** 53n + 1n],
      [new Uint8Array([0x61]), "a"],
      [null, "null"],
      [0, -0],
    ];
    for (const [x, y] of pairs) {
      expect(changedTables(await of(x), await of(y)), canonical([x, y])).toEqual(["t"]);
    }
  });

  it("a raw SqliteError and any non-library error are untyped; the store's own errors are typed", () => {
    expect(classify({ ok: false, error: new SqliteError("CONSTRAINT", "UNIQUE") })).toBe("untyped");
    expect(classify({ ok: false, error: new TypeError("x") })).toBe("untyped");
    expect(classify({ ok: false, error: "thrown string" })).toBe("untyped");
    expect(classify({ ok: false, error: new ValidationError("w", []) })).toBe("typed");
    expect(classify({ ok: true, value: undefined })).toBe("success");
  });

  it("the inputs are a pure function of the seed, and every one prints without throwing", () => {
    const first = generateCalls(7, 300).map(showCall);
    expect(generateCalls(7, 300).map(showCall)).toEqual(first);
    expect(generateCalls(8, 300).map(showCall)).not.toEqual(first);
    expect(first.every((s) => s.length > 0)).toBe(true);
  });
});
