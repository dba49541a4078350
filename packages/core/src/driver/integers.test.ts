import { describe, expect, it } from "vitest";
import { bindInteger, fromBigInt, narrowRow, runResult } from "./integers.js";

const MAX = 9007199254740991;

describe("integers across the contract", () => {
  it("fromBigInt: a number when safe, the bigint beyond", () => {
    expect(fromBigInt(BigInt(MAX))).toBe(MAX);
    expect(fromBigInt(-BigInt(MAX))).toBe(-MAX);
    expect(fromBigInt(BigInt(MAX) + 1n)).toBe(BigInt(MAX) + 1n);
  });

  it("bindInteger: a safe integer as a bigint, anything else as it is", () => {
    expect(bindInteger(3)).toBe(3n);
    expect(bindInteger(-MAX)).toBe(-BigInt(MAX));
    expect(bindInteger(1.5)).toBe(1.5);
    expect(bindInteger(MAX + 1)).toBe(MAX + 1);
    expect(bindInteger("3")).toBe("3");
    expect(bindInteger(null)).toBe(null);
  });

  it("narrowRow: bigints narrowed in place, other values kept", () => {
    const row = { a: 1n, b: BigInt(MAX) + 1n, c: "x", d: null };
    expect(narrowRow(row)).toBe(row);
    expect(row).toEqual({ a: 1, b: BigInt(MAX) + 1n, c: "x", d: null });
  });

  it("runResult: changes a number, lastInsertRowid narrowed, 0 when absent", () => {
    expect(runResult(2n, 7n)).toEqual({ changes: 2, lastInsertRowid: 7 });
    expect(runResult(1, BigInt(MAX) + 1n)).toEqual({
      changes: 1,
      lastInsertRowid: BigInt(MAX) + 1n,
    });
    expect(runResult(0, undefined)).toEqual({ changes: 0, lastInsertRowid: 0 });
    expect(runResult(0, null)).toEqual({ changes: 0, lastInsertRowid: 0 });
  });
});
