import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteError } from "@llm-sessions/core";
import { afterEach, describe, expect, it } from "vitest";
import { fileUrl, libsql } from "./index.js";

const ENGINES = ["native", "client"] as const;
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

/** Writes a marker through `url` with `engine`, and reads it back through the other engine. */
async function roundTrip(url: string, engine: (typeof ENGINES)[number]): Promise<void> {
  const writer = await libsql({ url, engine }).connect();
  await writer.exec("CREATE TABLE marker (engine TEXT); INSERT INTO marker VALUES ('x')");
  await writer.close();
  const other = engine === "native" ? "client" : "native";
  const reader = await libsql({ url, engine: other }).connect();
  expect(await reader.all("SELECT engine FROM marker")).toEqual([{ engine: "x" }]);
  await reader.close();
}

describe("local file URLs", () => {
  it.each(ENGINES)(
    "refuses a path with a NUL or a lone surrogate with MISUSE (engine %s)",
    (engine) => {
      for (const url of ["file:/tmp/a%00b.db", "file:/tmp/a\0b.db", "file:x\uD800.db"]) {
        let thrown: unknown;
        try {
          libsql({ url, engine });
        } catch (error) {
          thrown = error;
        }
        expect(thrown, url).toBeInstanceOf(SqliteError);
        expect(thrown, url).toMatchObject({ code: "MISUSE" });
      }
    },
  );

  it.each(ENGINES)(
    "opens a file whose decoded name looks like an SQLite URI or :memory: as that literal file (engine %s)",
    async (engine) => {
      const dir = tempDir();
      await inDir(dir, async () => {
        const names = ["file:x.db?mode=ro", ":memory:"];
        for (const name of names) await roundTrip(`file:${encodeURIComponent(name)}`, engine);
        const files = fs.readdirSync(dir).filter((n) => !/-(wal|shm)$/.test(n));
        expect(files.sort()).toEqual([...names].sort());
        expect(fs.statSync(path.join(dir, ":memory:")).size).toBeGreaterThan(0);
      });
    },
  );

  it.each(ENGINES)(
    "fileUrl(path) opens exactly that path, whatever its characters (engine %s)",
    async (engine) => {
      const dir = tempDir();
      const names = [
        "p%41.db",
        "h#f.db",
        "q?mode=ro.db",
        "50% off.db",
        "file:y.db",
        "é-\u{1F600}.db",
      ];
      for (const name of names) await roundTrip(fileUrl(path.join(dir, name)), engine);
      await inDir(dir, async () => {
        await roundTrip(fileUrl("rel #1.db"), engine);
        await roundTrip(fileUrl("./sub%2F.db"), engine);
      });
      const files = fs.readdirSync(dir).filter((n) => !/-(wal|shm)$/.test(n));
      expect(files.sort()).toEqual([...names, "rel #1.db", "sub%2F.db"].sort());
    },
  );

  it("fileUrl escapes what a URL would read and keeps absolute paths absolute", () => {
    expect(fileUrl("/data/50% #1?.db")).toBe("file:///data/50%25%20%231%3F.db");
    expect(fileUrl("rel/a%41.db")).toBe("file:rel/a%2541.db");
    expect(fileUrl("//twice.db")).toBe("file:////twice.db");
    expect(() => fileUrl("")).toThrow(expect.objectContaining({ code: "MISUSE" }));
  });
});
