import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import { openStore } from "@llm-sessions/core";
import { afterAll, describe, expect, it } from "vitest";
import { runSimulation } from "./simulation.js";

const dir = mkdtempSync(join(tmpdir(), "llm-sessions-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the demo simulation", () => {
  for (const [name, make] of [
    ["better-sqlite3", () => betterSqlite({ filename: join(dir, "bs.db") })],
    ["libsql", () => libsql({ url: `file:${join(dir, "libsql.db")}` })],
  ] as const) {
    it(`stores every turn on ${name} and leaves a sound database`, async () => {
      const store = await openStore({ driver: make() });
      const lines: string[] = [];
      try {
        const result = await runSimulation(store, {
          durationMs: 1500,
          users: 4,
          seed: 7,
          log: (l) => lines.push(l),
        });
        expect(result.turns).toBeGreaterThan(10);
        const stats = await store.stats();
        // Each turn stores a question and an answer; an undo removes one answer.
        expect(stats.messages).toBeGreaterThanOrEqual(result.turns * 2 - result.undos);
        expect(stats.sessions.total).toBe(result.sessions + result.forks);
        expect(lines.some((l) => l.startsWith("Integrity: ok"))).toBe(true);
      } finally {
        await store.close();
      }
    });
  }
});
