import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import type { SqliteDriver } from "@llm-sessions/core";
import { afterAll, describe, expect, it } from "vitest";
import { publicFace } from "./public-face.js";

const dir = mkdtempSync(join(tmpdir(), "llm-sessions-public-face-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const drivers: Array<[string, () => SqliteDriver]> = [
  ["better-sqlite3 file", () => betterSqlite({ filename: join(dir, "bs.db") })],
  ["better-sqlite3 :memory:", () => betterSqlite({ filename: ":memory:" })],
  ["libsql file", () => libsql({ url: pathToFileURL(join(dir, "libsql.db")).href })],
  ["libsql :memory:", () => libsql({ url: ":memory:" })],
];

describe("the public face of DESIGN.md runs as written", () => {
  for (const [name, driver] of drivers) {
    it(name, async () => {
      const result = await publicFace(driver());
      try {
        expect(result.contextLength).toBe(2);
        expect(result.forkMessages).toBe(1);
        // The question, the answer, and the fork's copy of the question.
        expect(result.hits).toBe(3);
        expect(result.acmeSees).toBe(1);
        expect((await result.store.integrity.check()).ok).toBe(true);
      } finally {
        await result.store.close();
      }
    });
  }
});
