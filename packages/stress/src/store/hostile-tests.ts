import { openStore, type Store } from "@llm-sessions/core";
import { expect } from "vitest";
import {
  formatReport,
  type HostileSide,
  IdSource,
  prepareRun,
  RunClock,
  runHostile,
  SHOWN_FINDINGS,
  showFinding,
} from "../hostile/index.js";
import { capturingDriver } from "./capturing-driver.js";
import type { StoreHarness } from "./harness.js";

/** The seed CI runs; `LLM_SESSIONS_HOSTILE_SEED` runs another. */
export const HOSTILE_SEED = 20_260_113;

function seedFromEnv(): number {
  const given = process.env.LLM_SESSIONS_HOSTILE_SEED;
  if (given === undefined || given === "") return HOSTILE_SEED;
  const seed = Number(given);
  if (!Number.isInteger(seed))
    throw new Error(`LLM_SESSIONS_HOSTILE_SEED is not an integer: ${given}`);
  return seed;
}

/** Store suite: a seeded run of hostile inputs (see packages/stress/src/hostile). */
export function registerHostileTests(h: StoreHarness, inputs = 600): void {
  h.test(
    "hostile.seeded-run",
    `${inputs} seeded hostile inputs: no untyped error, no change by a rejected call, nothing a tenant can learn of another`,
    async (ctx) => {
      const seed = seedFromEnv();
      const stores: Store[] = [];
      let target = "";
      ctx.onTestFinished(async () => {
        await Promise.allSettled(stores.map((s) => s.close()));
      });
      const open = async (): Promise<HostileSide> => {
        const made = await h.createDriver({ path: h.newPath() });
        target = `${made.name} (${made.capabilities.file ? "file" : "memory"})`;
        const { driver, connections } = capturingDriver(made);
        const ids = new IdSource();
        const clock = new RunClock();
        const store = await openStore({
          driver,
          clock: clock.read,
          generateId: ids.next,
          // No background pass: the queue changes only when a call (or the run's flush) indexes it.
          searchIndexing: { batch: 100_000, delayMs: 60_000 },
        });
        stores.push(store);
        // The pool's writer: it sees a private :memory: database too, and is idle between calls.
        const read = connections[0];
        if (!read) throw new Error("the store opened no connection");
        return { store, read, ids, clock };
      };
      const world = await open();
      const twin = await open();
      await prepareRun(world, twin);
      const report = await runHostile({ seed, inputs, world, twin });
      const rerun = `LLM_SESSIONS_HOSTILE_SEED=${seed} npx vitest run src/store.test.ts -t 'hostile\\.seeded-run'`;
      console.log(formatReport(report, target, rerun));
      const bad = report.findings.filter(
        (f) => f.kind === "untyped" || f.kind === "state" || f.kind === "cross-tenant",
      );
      expect
        .soft(
          {
            untyped: report.untypedErrors,
            stateChanges: report.stateChanges,
            crossTenant: report.crossTenant,
          },
          `seed ${seed}: ${rerun}`,
        )
        .toEqual({ untyped: 0, stateChanges: 0, crossTenant: 0 });
      expect(bad.slice(0, SHOWN_FINDINGS).map(showFinding)).toEqual([]);
    },
    // Not a speed check: room for every input twice on a loaded two-core runner (about 20 s for 600 there).
    Math.max(120_000, inputs * 200),
  );
}
