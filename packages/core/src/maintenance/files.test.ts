import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  fileSize,
  fsyncDirectory,
  fsyncFile,
  publishNoClobber,
  removeWithSideFiles,
  tempPathBeside,
} from "./files.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "llm-sessions-files-"));
  dirs.push(d);
  return d;
}

describe("file helpers", () => {
  it("a temp path is hidden, unique and in the same directory (so a rename is atomic)", () => {
    const a = tempPathBeside("/x/y/db.sqlite", "backup");
    const b = tempPathBeside("/x/y/db.sqlite", "backup");
    expect(dirname(a)).toBe("/x/y");
    expect(basename(a)).toMatch(/^\.db\.sqlite\.backup-\d+-[0-9a-f]{8}\.tmp$/);
    expect(a).not.toBe(b);
  });

  it("publishNoClobber moves a file into place but never over an existing one", async () => {
    const d = dir();
    writeFileSync(join(d, "tmp1"), "one");
    expect(await publishNoClobber(join(d, "tmp1"), join(d, "final"))).toBe(true);
    writeFileSync(join(d, "tmp2"), "two");
    expect(await publishNoClobber(join(d, "tmp2"), join(d, "final"))).toBe(false);
    expect(readFileSync(join(d, "final"), "utf8")).toBe("one");
    expect(readdirSync(d).sort()).toEqual(["final", "tmp2"]);
  });

  it("fsyncs files and directories, sizes files, removes a file with its side files", async () => {
    const d = dir();
    const db = join(d, "a.db");
    for (const suffix of ["", "-wal", "-shm", "-journal"]) writeFileSync(`${db}${suffix}`, "12345");
    await fsyncFile(db);
    await fsyncDirectory(d);
    expect(await fileSize(db)).toBe(5);
    expect(await fileSize(join(d, "none"))).toBeUndefined();
    await removeWithSideFiles(db);
    expect(readdirSync(d)).toEqual([]);
  });
});
