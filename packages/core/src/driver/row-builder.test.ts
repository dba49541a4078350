import { describe, expect, it } from "vitest";
import { rowBuilder } from "./row-builder.js";

describe("rowBuilder", () => {
  it("names each value by its column, in order", () => {
    const build = rowBuilder(["id", "seq", "content"]);
    expect(build(["a", 1, "hello"])).toEqual({ id: "a", seq: 1, content: "hello" });
    expect(Object.keys(build(["b", 2, null]))).toEqual(["id", "seq", "content"]);
  });

  it("narrows safe bigints to numbers and keeps unsafe ones", () => {
    const build = rowBuilder(["n", "big", "real"]);
    expect(build([5n, 2n ** 60n, 1.5])).toEqual({ n: 5, big: 2n ** 60n, real: 1.5 });
  });

  it("keeps the last value of a duplicate column name", () => {
    expect(rowBuilder(["x", "x"])([1, 2])).toEqual({ x: 2 });
  });

  it("treats column names as data, never as code", () => {
    const evil = '"]: 1 }); globalThis.__rowBuilderPwned = 1; ({ "';
    const row = rowBuilder([evil, "a b", "`t`"])([1, 2, 3]);
    expect(row).toEqual({ [evil]: 1, "a b": 2, "`t`": 3 });
    expect((globalThis as { __rowBuilderPwned?: number }).__rowBuilderPwned).toBeUndefined();
  });

  it("makes a column named __proto__ an own property, not the prototype", () => {
    const row = rowBuilder(["__proto__", "a"])([{ polluted: true }, 1]);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.hasOwn(row, "__proto__")).toBe(true);
    expect((row as Record<string, unknown>).polluted).toBeUndefined();
    expect(row.a).toBe(1);
  });
});
