import { describe, expect, it } from "vitest";
import { SqliteError } from "../driver/errors.js";
import { DatabaseCorruptError } from "../errors.js";
import { Pool } from "./pool.js";
import { FakeDatabase } from "./test-support/fake-driver.js";
import { openFake, settle } from "./test-support/helpers.js";

describe("corruption is raised as DatabaseCorruptError", () => {
  it.each(["CORRUPT", "NOTADB"] as const)(
    "from read, readSnapshot, write and withWriter on %s, naming the target, with the SqliteError as cause",
    async (code) => {
      const { db, pool } = await openFake({ readers: 1 });
      db.rule({ match: "SELECT damaged", error: code });
      const calls = [
        pool.read((q) => q.get("SELECT damaged")),
        pool.readSnapshot((tx) => tx.get("SELECT damaged")),
        pool.write((tx) => tx.get("SELECT damaged")),
        pool.withWriter((conn) => conn.get("SELECT damaged")),
      ];
      for (const call of calls) {
        const error = await call.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseCorruptError);
        expect(error).toMatchObject({ code: "DATABASE_CORRUPT", target: "fake.db" });
        expect((error as Error).message).toContain("fake.db");
        expect((error as Error).cause).toBeInstanceOf(SqliteError);
        expect(((error as Error).cause as SqliteError).code).toBe(code);
      }
      await settle();
      // The connections that met the damage were still replaced.
      expect(pool.stats().replaced).toBeGreaterThan(0);
    },
  );

  it("at open, when the writer cannot even be opened", async () => {
    const db = new FakeDatabase();
    db.rule({ match: "CONNECT", error: "NOTADB" });
    const error = await Pool.open(db.driver()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseCorruptError);
    expect(error).toMatchObject({ target: "fake.db", during: "opening a connection" });
  });

  it("leaves every other error as it was", async () => {
    const { db, pool } = await openFake();
    db.rule({ match: "INSERT dup", error: "CONSTRAINT" });
    db.rule({ match: "SELECT io", error: "IOERR" });
    await expect(pool.write((tx) => tx.run("INSERT dup"))).rejects.toMatchObject({
      name: "SqliteError",
      code: "CONSTRAINT",
    });
    await expect(pool.read((q) => q.get("SELECT io"))).rejects.toMatchObject({
      name: "SqliteError",
      code: "IOERR",
    });
  });
});
