import { SqliteError } from "@llm-sessions/core";
import { describe, expect, it } from "vitest";
import { nodeSqlite } from "./index.js";
import { support } from "./support.js";

describe("text with a NUL", () => {
  it("round-trips whole where node:sqlite keeps it, and is refused (MISUSE, nothing written) where it would be cut", async () => {
    const driver = nodeSqlite({ filename: ":memory:" });
    const db = await driver.connect();
    try {
      await db.exec("CREATE TABLE t (v TEXT)");
      const insert = db.run("INSERT INTO t (v) VALUES (?)", ["before\u0000after"]);
      if (support.textKeepsNul) {
        await insert;
        expect(await db.all("SELECT v FROM t")).toEqual([{ v: "before\u0000after" }]);
      } else {
        await expect(insert).rejects.toMatchObject({ code: "MISUSE" });
        await expect(insert).rejects.toBeInstanceOf(SqliteError);
        expect(await db.all("SELECT v FROM t")).toEqual([]);
      }
    } finally {
      await db.close();
    }
  });
});
