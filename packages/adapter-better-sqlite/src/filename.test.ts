import fs from "node:fs";
import path from "node:path";
import { SqliteError } from "@llm-sessions/core";
import { describe, expect, it } from "vitest";
import { betterSqlite } from "./driver.js";
import { useTempDir } from "./test-support/temp-dir.js";

const tmp = useTempDir();

/** Runs `fn` with the working directory set to a fresh, empty temp directory. */
async function inEmptyDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = path.dirname(tmp.file());
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await fn(dir);
  } finally {
    process.chdir(cwd);
  }
}

describe("filenames better-sqlite3 would open under another name", () => {
  it.each([
    ["a URI with parameters", "file:x.db?mode=ro", /URI filenames are not supported.*readonly/],
    ["a URI in upper case", "FILE:x.db", /URI filenames are not supported/],
    ["an absolute URI", "file:///tmp/x.db", /URI filenames are not supported/],
    ["a NUL", "x\0evil.db", /NUL/],
    ["a lone surrogate", "x\uD800.db", /well-formed/],
  ])("refuses %s with MISUSE and creates nothing", async (_, filename, message) => {
    await inEmptyDir((dir) => {
      let thrown: unknown;
      try {
        betterSqlite({ filename });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SqliteError);
      expect(thrown).toMatchObject({ code: "MISUSE", message: expect.stringMatching(message) });
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });

  it("opens a file really named file:... when written as ./file:...", async () => {
    await inEmptyDir(async (dir) => {
      const conn = await betterSqlite({ filename: "./file:x.db" }).connect();
      await conn.exec("CREATE TABLE t (x)");
      await conn.close();
      expect(fs.readdirSync(dir).filter((n) => n.endsWith(".db"))).toEqual(["file:x.db"]);
    });
  });

  it("opens paths with ?, #, % and well-formed non-BMP characters as written", async () => {
    const dir = path.dirname(tmp.file());
    const names = ["q?mode=ro.db", "h#f.db", "p%41.db", "emoji-\u{1F600}.db"];
    for (const name of names) {
      const conn = await betterSqlite({ filename: path.join(dir, name) }).connect();
      await conn.exec("CREATE TABLE t (x)");
      await conn.close();
    }
    expect(
      fs
        .readdirSync(dir)
        .filter((n) => n.endsWith(".db"))
        .sort(),
    ).toEqual([...names].sort());
  });
});
