import fc from "fast-check";
import { removeDatabase } from "../faults/index.js";
import { checkInvariants } from "../invariants/index.js";
import { ManualClock } from "../suite/clock.js";
import type { StressSuite } from "../suite/context.js";
import { commandArbitraries } from "./arbitraries.js";
import type { RealStore } from "./commands.js";
import { MODEL_POLICY, StoreModel } from "./state.js";

/**
 * The model suite, a model-based property test: fast-check command sequences
 * (create; append single and batch, with and without idempotency keys,
 * retried; pop; fork; update; delete; archive; restore; touch; clock advance
 * and sweep; search; operations on deleted sessions) run against a fresh
 * store and a plain in-memory model of the rules. After every command,
 * everything a caller can observe — sessions, counters, messages, list
 * order, stats, search hits, errors — must equal the model's; every run
 * ends with the invariant check. A failure reports fast-check's seed and
 * the shrunk command list.
 */
export const modelSuite: StressSuite = {
  id: "model",
  title: "model-based commands: the store's observable state equals the model's",
  requires: (caps) => (caps.fts5 ? undefined : "needs FTS5 (search is one of the commands)"),
  async run(ctx) {
    const numRuns = ctx.modelRuns ?? ctx.pick(80, 1_000);
    const maxCommands = ctx.pick(40, 80);
    let runs = 0;
    const property = fc.asyncProperty(
      fc.commands(commandArbitraries(), { maxCommands, size: "max" }),
      async (commands) => {
        const path = ctx.newPath();
        const clock = new ManualClock();
        let next = 0;
        const store = await ctx.open(path, {
          clock: clock.read,
          generateId: () => `id${String(++next).padStart(6, "0")}`,
          lifecycle: { ...MODEL_POLICY, sweepIntervalMs: 0 },
        });
        try {
          const real: RealStore = { store, clock, timed: (fn) => ctx.timed(fn) };
          const model = new StoreModel(clock.now);
          for (const title of ["first", "second"]) {
            model.create((await store.sessions.create({ title })).id, title);
          }
          await fc.asyncModelRun(() => ({ model, real }), commands);
          const problems = await checkInvariants(store);
          if (problems.length > 0) throw new Error(`invariant check:\n  ${problems.join("\n  ")}`);
        } finally {
          await ctx.close(store);
          await removeDatabase(path);
          ctx.progress(++runs, numRuns);
        }
      },
    );
    const details = await fc.check(property, { seed: ctx.seed, numRuns });
    ctx.details.runs = details.numRuns;
    ctx.details.maxCommands = maxCommands;
    if (details.failed) {
      ctx.fail(
        [
          `fast-check seed ${details.seed}, path "${details.counterexamplePath}", shrunk ${details.numShrinks} time(s)`,
          `commands: ${details.counterexample ? String(details.counterexample[0]) : "?"}`,
          `error: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
        ].join("\n"),
      );
    }
    // Each run ended with checkInvariants (no ledger: the model is the ledger).
    ctx.markVerified();
  },
};
