import { Ledger } from "../invariants/index.js";
import type { StressSuite } from "../suite/context.js";
import { DEFAULT_MIX, SessionSet, WorkloadClient } from "../workload/index.js";

/** Concurrent clients (CI and full). */
const CLIENTS = 32;

/**
 * The concurrency suite, concurrency in one process: 32 async clients share one store and
 * mix appends (single, batch, retried with keys), reads, searches, pops,
 * forks and deletes; 2,000 operations in CI, 100,000 in full. Every read is
 * checked on the spot; at the end every acknowledged write must be present
 * exactly once (the invariant check against the ledger).
 */
export const concurrencySuite: StressSuite = {
  id: "concurrency",
  title: "32 concurrent clients in one process, mixed operations",
  requires: () => undefined,
  async run(ctx) {
    const total = ctx.pick(2_000, 100_000);
    const store = await ctx.open(ctx.newPath(), {
      pool: { readers: 4, maxWaiting: 10_000, acquireTimeoutMs: 60_000 },
    });
    const ledger = new Ledger();
    const sessions = new SessionSet();
    // A few sessions no client deletes, so some histories grow long.
    for (let i = 0; i < 4; i++) {
      const s = await ctx.timed(() => store.sessions.create({ title: `fixed ${i}` }));
      ledger.created(s.id);
      sessions.add(s.id, { fixed: true });
    }
    let started = 0;
    let done = 0;
    const clients = Array.from(
      { length: CLIENTS },
      (_, i) =>
        new WorkloadClient({
          store,
          writer: `c${i}`,
          rng: ctx.rng.derive(`client-${i}`),
          sink: ledger,
          sessions,
          mix: DEFAULT_MIX,
          latency: ctx.latency,
          fail: (m) => ctx.fail(`client c${i}: ${m}`),
          minSessions: 12,
          maxSessions: 400,
        }),
    );
    await Promise.all(
      clients.map(async (client) => {
        while (started < total) {
          started += 1;
          await client.step();
          done += 1;
          if (done % 100 === 0) ctx.progress(done, total);
        }
      }),
    );
    ctx.countOperations(done);
    ctx.progress(total, total);
    const expected = clients.reduce((n, c) => n + c.stats.expectedErrors, 0);
    ctx.details.clients = CLIENTS;
    ctx.details.expectedErrors = expected;
    ctx.details.sessions = sessions.size;
    ctx.details.ackedMessages = ledger.ackedCount;
    await ctx.verify(store, ledger);
  },
};
