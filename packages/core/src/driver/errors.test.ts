import { describe, expect, it } from "vitest";
import { isBusyError, primaryCode, SqliteError, toSqliteError } from "./errors.js";
import { fromBigInt } from "./integers.js";

describe("error normalization", () => {
  it("reads the primary code from names and numbers", () => {
    expect(primaryCode("SQLITE_CONSTRAINT_FOREIGNKEY")).toBe("CONSTRAINT");
    expect(primaryCode("SQLITE_BUSY_RECOVERY")).toBe("BUSY");
    expect(primaryCode("SQLITE_NOTADB")).toBe("NOTADB");
    expect(primaryCode(261)).toBe("BUSY"); // SQLITE_BUSY_RECOVERY = 5 | (1 << 8)
    expect(primaryCode(787)).toBe("CONSTRAINT"); // SQLITE_CONSTRAINT_FOREIGNKEY
    expect(primaryCode("SOMETHING_ELSE")).toBeUndefined();
  });

  it("wraps a driver error keeping it as cause", () => {
    const original = Object.assign(new Error("UNIQUE constraint failed: t.id"), {
      code: "SQLITE_CONSTRAINT_UNIQUE",
    });
    const error = toSqliteError(original, { code: original.code });
    expect(error).toBeInstanceOf(SqliteError);
    expect(error.code).toBe("CONSTRAINT");
    expect(error.extendedCode).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect(error.cause).toBe(original);
    expect(toSqliteError(error)).toBe(error);
  });

  it("falls back to the message, then to ERROR", () => {
    expect(toSqliteError(new Error("file is not a database")).code).toBe("NOTADB");
    expect(toSqliteError(new Error("database is locked")).code).toBe("BUSY");
    expect(toSqliteError("weird").code).toBe("ERROR");
  });

  it("isBusyError is true only for BUSY and LOCKED", () => {
    expect(isBusyError(new SqliteError("BUSY", "x"))).toBe(true);
    expect(isBusyError(new SqliteError("LOCKED", "x"))).toBe(true);
    expect(isBusyError(new SqliteError("CONSTRAINT", "x"))).toBe(false);
    expect(isBusyError(new Error("database is locked"))).toBe(false);
  });

  it("fromBigInt keeps safe integers as numbers and larger ones as bigint", () => {
    expect(fromBigInt(42n)).toBe(42);
    expect(fromBigInt(9007199254740991n)).toBe(9007199254740991);
    expect(fromBigInt(9007199254740992n)).toBe(9007199254740992n);
    expect(fromBigInt(-9223372036854775808n)).toBe(-9223372036854775808n);
  });
});
