import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import { openStore, SessionArchivedError } from "@llm-sessions/core";
import { afterAll, describe, expect, it } from "vitest";
import { printSummary, Simulation } from "./simulation.js";

const dir = mkdtempSync(join(tmpdir(), "llm-sessions-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long the simulation may take to get somewhere before the test calls it hung. */
const HANG_MS = 90_000;

describe("the demo simulation", () => {
  for (const [name, make] of [
    ["better-sqlite3", () => betterSqlite({ filename: join(dir, "bs.db") })],
    ["libsql", () => libsql({ url: pathToFileURL(join(dir, "libsql.db")).href })],
  ] as const) {
    it(`stores every turn on ${name}, idles and archives on its sweeps, and stops`, {
      timeout: 3 * HANG_MS,
    }, async () => {
      const store = await openStore({
        driver: make(),
        lifecycle: {
          idleAfterMs: 300,
          archiveAfterMs: 900,
          purgeAfterMs: 60_000,
          sweepIntervalMs: 0,
        },
      });
      const sim = new Simulation(store, { users: 4, rate: 40, seed: 7, sweepEveryMs: 100 });
      try {
        sim.start();
        // Until the simulation has done what the test looks at (however slow
        // the machine): turns, sweeps, and sessions idled and archived.
        const enough = () => {
          const t = sim.totals;
          return t.turns > 10 && t.sweeps > 5 && t.idled > 0 && t.archived > 0;
        };
        for (const until = Date.now() + HANG_MS; !enough() && Date.now() < until; ) {
          await sleep(50);
        }
        await sim.stop();
        // Stopped means stopped: no turn or sweep after stop() resolves.
        const atStop = { ...sim.totals };
        await sleep(300);
        expect(sim.totals).toEqual(atStop);
        const t = sim.totals;
        expect(t.turns).toBeGreaterThan(10);
        expect(t.errors).toBe(0);
        expect(t.sweeps).toBeGreaterThan(5);
        expect(t.idled).toBeGreaterThan(0);
        expect(t.archived).toBeGreaterThan(0);
        expect((await store.stats()).sessions.total).toBe(t.sessions + t.forks);
        // Users restore what they come back to, so none may be archived at
        // the stop; with nobody chatting, the router's sweep archives again.
        for (
          const until = Date.now() + HANG_MS;
          (await store.stats()).sessions.archived === 0 && Date.now() < until;
        ) {
          await sleep(100);
          await sim.sweep();
        }
        expect((await store.stats()).sessions.archived).toBeGreaterThan(0);
        const kinds = new Set(sim.events.recent(200).map((e) => e.kind));
        expect(kinds.has("sweep")).toBe(true);
        expect(kinds.has("error")).toBe(false);

        // The page's actions on an archived session.
        const archived = (await store.sessions.list({ status: "archived", limit: 1 })).items[0];
        expect(archived).toBeDefined();
        const id = archived!.id;
        await expect(sim.chat(id, "hello?")).rejects.toBeInstanceOf(SessionArchivedError);
        const restored = await sim.restore(id);
        expect(restored.status).toBe("active");
        const [question, answer] = await sim.chat(id, "hello again");
        expect(question?.content).toBe("hello again");
        expect(answer?.role).toBe("assistant");
        expect(answer?.model).toBe(restored.model);

        const lines: string[] = [];
        await printSummary(store, sim.totals, (l) => lines.push(l));
        expect(lines.filter((l) => l.includes("Integrity"))).toEqual(["\nIntegrity: ok"]);
      } finally {
        await sim.stop();
        await store.close();
      }
    });
  }

  it("is deterministic in what it says: the same seed, the same first question", async () => {
    const first = async (file: string) => {
      const store = await openStore({ driver: betterSqlite({ filename: join(dir, file) }) });
      const sim = new Simulation(store, { users: 1, rate: 50, seed: 3, sweepEveryMs: 0 });
      sim.start();
      while (sim.totals.turns < 1) await sleep(20);
      await sim.stop();
      const [session] = (await store.sessions.list()).items;
      const messages = await store.messages.list(session!.id);
      await store.close();
      return messages.items.slice(0, 2).map((m) => m.content);
    };
    expect(await first("seed-a.db")).toEqual(await first("seed-b.db"));
  });
});
