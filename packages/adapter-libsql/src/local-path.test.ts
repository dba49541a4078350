import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteError } from "@llm-sessions/core";
import { afterEach, describe, expect, it } from "vitest";
import { fileUrl, libsql } from "./index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-sessions-libsql-path-"));
  dirs.push(dir);
  return dir;
}

/** Runs `fn` with the working directory set to `dir`. */
async function inDir(dir: string, fn: () => Promise<void>): Promise<void> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await fn();
  } finally {
    process.chdir(cwd);
  }
}

/** Writes a marker through `url`, and reads it back through a driver of its own. */
async function roundTrip(url: string): Promise<void> {
  const writer = await libsql({ url }).connect();
  await writer.exec("CREATE TABLE marker (v TEXT); INSERT INTO marker VALUES ('x')");
  await writer.close();
  const reader = await libsql({ url }).connect();
  expect(await reader.all("SELECT v FROM marker")).toEqual([{ v: "x" }]);
  await reader.close();
}

describe("local file URLs", () => {
  it("refuses a path with a NUL or a lone surrogate with MISUSE", () => {
    for (const url of ["file:/tmp/a%00b.db", "file:/tmp/a\0b.db", "file:x\uD800.db"]) {
      let thrown: unknown;
      try {
        libsql({ url });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, url).toBeInstanceOf(SqliteError);
      expect(thrown, url).toMatchObject({ code: "MISUSE" });
    }
  });

  it("opens a file whose decoded name looks like an SQLite URI or :memory: as that literal file", async () => {
    const dir = tempDir();
    await inDir(dir, async () => {
      const names = ["file:x.db?mode=ro", ":memory:"];
      for (const name of names) await roundTrip(`file:${encodeURIComponent(name)}`);
      const files = fs.readdirSync(dir).filter((n) => !/-(wal|shm)$/.test(n));
      expect(files.sort()).toEqual([...names].sort());
      expect(fs.statSync(path.join(dir, ":memory:")).size).toBeGreaterThan(0);
    });
  });

  it("fileUrl(path) opens exactly that path, whatever its characters", async () => {
    const dir = tempDir();
    const names = [
      "p%41.db",
      "h#f.db",
      "q?mode=ro.db",
      "50% off.db",
      "file:y.db",
      "é-\u{1F600}.db",
    ];
    for (const name of names) await roundTrip(fileUrl(path.join(dir, name)));
    await inDir(dir, async () => {
      await roundTrip(fileUrl("rel #1.db"));
      await roundTrip(fileUrl("./sub%2F.db"));
    });
    const files = fs.readdirSync(dir).filter((n) => !/-(wal|shm)$/.test(n));
    expect(files.sort()).toEqual([...names, "rel #1.db", "sub%2F.db"].sort());
  });

  it("fileUrl escapes what a URL would read and keeps absolute paths absolute", () => {
    expect(fileUrl("/data/50% #1?.db")).toBe("file:///data/50%25%20%231%3F.db");
    expect(fileUrl("rel/a%41.db")).toBe("file:rel/a%2541.db");
    expect(fileUrl("//twice.db")).toBe("file:////twice.db");
    expect(() => fileUrl("")).toThrow(expect.objectContaining({ code: "MISUSE" }));
  });
});
