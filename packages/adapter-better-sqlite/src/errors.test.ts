import { SqliteError } from "@llm-sessions/core";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { mapError } from "./errors.js";
import { useConnections } from "./test-support/open.js";

const conns = useConnections();
const memory = () => conns.open({ filename: ":memory:" });

async function errorOf(promise: Promise<unknown>): Promise<SqliteError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SqliteError);
  return error as SqliteError;
}

describe("error codes", () => {
  it("maps constraint violations to CONSTRAINT with the extended code and the cause", async () => {
    const conn = await memory();
    await conn.exec(
      "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(p INTEGER REFERENCES p(id)); CREATE TABLE u(x UNIQUE)",
    );
    await conn.run("INSERT INTO u VALUES (1)");
    const unique = await errorOf(conn.run("INSERT INTO u VALUES (1)"));
    expect(unique).toMatchObject({ code: "CONSTRAINT", extendedCode: "SQLITE_CONSTRAINT_UNIQUE" });
    expect(unique.cause).toBeInstanceOf(Database.SqliteError);
    // foreign_keys is on, so this is refused.
    const fk = await errorOf(conn.run("INSERT INTO c VALUES (42)"));
    expect(fk).toMatchObject({ code: "CONSTRAINT", extendedCode: "SQLITE_CONSTRAINT_FOREIGNKEY" });
  });

  it("maps a syntax error to ERROR", async () => {
    const conn = await memory();
    expect(await errorOf(conn.all("SELEC 1"))).toMatchObject({ code: "ERROR" });
  });

  it("maps a wrong number or name of parameters to RANGE", async () => {
    const conn = await memory();
    expect(await errorOf(conn.get("SELECT ?, ?", [1]))).toMatchObject({ code: "RANGE" });
    expect(await errorOf(conn.get("SELECT ?", [1, 2]))).toMatchObject({ code: "RANGE" });
    expect(await errorOf(conn.get("SELECT :a", { b: 1 }))).toMatchObject({ code: "RANGE" });
    expect(await errorOf(conn.get("SELECT :a"))).toMatchObject({ code: "RANGE" });
  });

  it("maps a value SQLite cannot bind to MISUSE and an oversized bigint to TOOBIG", async () => {
    const conn = await memory();
    const bad = [true, {}, () => 1] as unknown as [];
    for (const value of bad) {
      expect(await errorOf(conn.get("SELECT ?", [value]))).toMatchObject({ code: "MISUSE" });
    }
    expect(await errorOf(conn.get("SELECT ?", [2n ** 64n]))).toMatchObject({ code: "TOOBIG" });
  });

  it("maps several statements (or none) where one is expected to MISUSE", async () => {
    const conn = await memory();
    expect(await errorOf(conn.run("SELECT 1; SELECT 2"))).toMatchObject({ code: "MISUSE" });
    expect(await errorOf(conn.run("-- nothing"))).toMatchObject({ code: "MISUSE" });
  });

  it("keeps a SqliteError as it is and maps unknown values to ERROR", () => {
    const own = new SqliteError("BUSY", "x");
    expect(mapError(own)).toBe(own);
    expect(mapError("weird")).toMatchObject({ code: "ERROR", message: "weird" });
    const native = new Database.SqliteError("database is locked", "SQLITE_BUSY_SNAPSHOT");
    expect(mapError(native)).toMatchObject({ code: "BUSY", extendedCode: "SQLITE_BUSY_SNAPSHOT" });
    expect(mapError(new TypeError("The database connection is not open"))).toMatchObject({
      code: "CLOSED",
    });
  });
});
