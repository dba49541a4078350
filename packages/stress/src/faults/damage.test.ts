import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Rng } from "../suite/rng.js";
import {
  appendGarbage,
  damageHeader,
  freelistPages,
  overwritePage,
  pageCount,
  pagesInUse,
  readPageSize,
  tearWal,
  truncateFile,
} from "./damage.js";
import { copyDatabase } from "./files.js";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A file with an SQLite-like header: page size 1024, 4 pages, each page filled with its number. */
function fakeDatabase(): string {
  dir = mkdtempSync(join(tmpdir(), "stress-faults-"));
  const bytes = new Uint8Array(4 * 1024);
  for (let p = 0; p < 4; p++) bytes.fill(p + 1, p * 1024, (p + 1) * 1024);
  bytes.set(new TextEncoder().encode("SQLite format 3\0"), 0);
  bytes[16] = 0x04;
  bytes[17] = 0x00;
  const path = join(dir, "x.db");
  writeFileSync(path, bytes);
  return path;
}

describe("damage helpers", () => {
  it("read the page size and count from the header", async () => {
    const path = fakeDatabase();
    expect(await readPageSize(path)).toBe(1024);
    expect(await pageCount(path)).toBe(4);
  });

  it("find the freelist's trunk and leaf pages, and the pages in use", async () => {
    const path = fakeDatabase();
    // Six pages: trunk 3 lists leaf 4 and links to trunk 5, which lists none.
    const bytes = readFileSync(path);
    const grown = Buffer.concat([bytes, Buffer.alloc(2 * 1024, 9)]);
    grown.writeUInt32BE(3, 32);
    grown.writeUInt32BE(3, 36);
    grown.writeUInt32BE(5, 2 * 1024);
    grown.writeUInt32BE(1, 2 * 1024 + 4);
    grown.writeUInt32BE(4, 2 * 1024 + 8);
    grown.writeUInt32BE(0, 4 * 1024);
    grown.writeUInt32BE(0, 4 * 1024 + 4);
    writeFileSync(path, grown);
    expect([...(await freelistPages(path))].sort()).toEqual([3, 4, 5]);
    expect(await pagesInUse(path)).toEqual([2, 6]);
  });

  it("overwrite exactly one page, repeatably for a seed", async () => {
    const path = fakeDatabase();
    await overwritePage(path, 3, { rng: new Rng(5) });
    const after = readFileSync(path);
    expect(after.subarray(1024, 2048).every((b) => b === 2)).toBe(true);
    expect(after.subarray(2048, 3072).every((b) => b === 3)).toBe(false);
    expect(after.subarray(3072).every((b) => b === 4)).toBe(true);
    await expect(overwritePage(path, 9)).rejects.toThrow(RangeError);
  });

  it("zero the header, truncate, tear and extend a WAL", async () => {
    const path = fakeDatabase();
    const copy = join(dir, "copy.db");
    writeFileSync(`${path}-wal`, new Uint8Array(100));
    await copyDatabase(path, copy);
    await damageHeader(copy);
    expect(
      readFileSync(copy)
        .subarray(0, 100)
        .every((b) => b === 0),
    ).toBe(true);
    await truncateFile(copy, 1500);
    expect(statSync(copy).size).toBe(1500);
    await tearWal(`${copy}-wal`, 40);
    await appendGarbage(`${copy}-wal`, 10);
    expect(statSync(`${copy}-wal`).size).toBe(50);
    await expect(tearWal(`${copy}-wal`, 999)).rejects.toThrow(RangeError);
  });
});
