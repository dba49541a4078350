import { LibsqlError } from "@libsql/client";
import { SqliteError } from "@llm-sessions/core";
import { describe, expect, it } from "vitest";
import { isBusy, mapLibsqlError } from "./errors.js";

describe("mapLibsqlError", () => {
  it("reads the primary code from the raw numeric code and keeps the extended name", () => {
    const error = new LibsqlError(
      "UNIQUE constraint failed: t.v",
      "SQLITE_CONSTRAINT",
      "SQLITE_CONSTRAINT_UNIQUE",
      2067,
    );
    const mapped = mapLibsqlError(error);
    expect(mapped).toBeInstanceOf(SqliteError);
    expect(mapped).toMatchObject({ code: "CONSTRAINT", extendedCode: "SQLITE_CONSTRAINT_UNIQUE" });
    expect(mapped.cause).toBe(error);
  });

  it("names an extended code libSQL does not know, and a missing one, from the number", () => {
    expect(
      mapLibsqlError(new LibsqlError("x", "SQLITE_CONSTRAINT", "UNKNOWN_SQLITE_ERROR_3091", 3091)),
    ).toMatchObject({ code: "CONSTRAINT", extendedCode: "SQLITE_CONSTRAINT_DATATYPE" });
    expect(mapLibsqlError(new LibsqlError("x", "SQLITE_BUSY", undefined, 517))).toMatchObject({
      code: "BUSY",
      extendedCode: "SQLITE_BUSY_SNAPSHOT",
    });
  });

  it("reads a remote server's string code when there is no number", () => {
    expect(mapLibsqlError(new LibsqlError("locked", "SQLITE_BUSY"))).toMatchObject({
      code: "BUSY",
    });
    expect(mapLibsqlError(new LibsqlError("x", "SQLITE_CONSTRAINT_FOREIGNKEY"))).toMatchObject({
      code: "CONSTRAINT",
      extendedCode: "SQLITE_CONSTRAINT_FOREIGNKEY",
    });
  });

  it.each([
    ["CLIENT_CLOSED", "CLOSED"],
    ["TRANSACTION_CLOSED", "ABORT"],
    ["URL_INVALID", "MISUSE"],
    ["HRANA_WEBSOCKET_ERROR", "IOERR"],
    ["PROTOCOL_VERSION_ERROR", "PROTOCOL"],
  ])("maps the client's %s to %s", (clientCode, code) => {
    expect(mapLibsqlError(new LibsqlError("m", clientCode))).toMatchObject({
      code,
      extendedCode: clientCode,
    });
  });

  it("maps an HTTP 401 from the server to AUTH", () => {
    const cause = Object.assign(new Error("Server returned HTTP status 401"), { status: 401 });
    expect(
      mapLibsqlError(new LibsqlError("m", "SERVER_ERROR", undefined, undefined, cause)),
    ).toMatchObject({
      code: "AUTH",
    });
  });

  it("maps libSQL's code-less open failure by the number in its message", () => {
    const error = Object.assign(
      new Error('ConnectionFailed("Unable to open connection to local database /x/y.db: 14")'),
      { code: "" },
    );
    expect(mapLibsqlError(error)).toMatchObject({ code: "CANTOPEN" });
  });

  it("maps plain JS errors: network to IOERR, bad values to MISUSE", () => {
    expect(mapLibsqlError(new TypeError("fetch failed"))).toMatchObject({ code: "IOERR" });
    expect(
      mapLibsqlError(new TypeError("undefined cannot be passed as argument to the database")),
    ).toMatchObject({ code: "MISUSE" });
    expect(mapLibsqlError(new Error("something else"))).toMatchObject({ code: "ERROR" });
    expect(mapLibsqlError("not even an error")).toMatchObject({ code: "ERROR" });
  });

  it("passes a SqliteError through unchanged and recognizes BUSY in any form", () => {
    const own = new SqliteError("MISUSE", "x");
    expect(mapLibsqlError(own)).toBe(own);
    expect(isBusy(new LibsqlError("m", "SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", 517))).toBe(true);
    expect(isBusy(new LibsqlError("m", "SQLITE_LOCKED", "SQLITE_LOCKED", 6))).toBe(false);
  });
});
