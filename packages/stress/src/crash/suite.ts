import { setTimeout as sleep } from "node:timers/promises";
import { spawnWorker, workerFile } from "../child/spawn.js";
import { detectElsewhere } from "../corruption/detect-process.js";
import { Ledger } from "../invariants/index.js";
import type { StressSuite } from "../suite/context.js";
import { LatencyRecorder } from "../suite/latency.js";
import type { CrashWorkerInput, CrashWorkerMessage } from "./protocol.js";

/** Every this many rounds, several processes open the crashed file at once. */
const RACE_EVERY = 5;
const RACERS = 3;

/**
 * Crash recovery: several child processes (2 in CI, 4 full; `--writers`)
 * append to shared sessions in a loop and report every acknowledged append;
 * the parent kills them all with SIGKILL at one random moment (CI 20 times,
 * full 200; `--kills`) — sometimes while they are still opening the store —
 * then reopens the database: integrity clean, every acknowledged message
 * present exactly once, every batch all or nothing, counters equal to rows.
 * Rounds share one file, so each recovery starts from the last. Every fifth
 * kill, three processes first open the crashed file at once (recovery racing
 * recovery) and must each open it cleanly.
 */
export const crashSuite: StressSuite = {
  id: "crash",
  title: "SIGKILL at random moments loses no acknowledged write",
  requires: (caps) =>
    caps.file && caps.local
      ? undefined
      : "needs a local database file that outlives the process (capabilities.file/local)",
  async run(ctx) {
    const rounds = ctx.kills ?? ctx.pick(20, 200);
    const writers = ctx.writers ?? ctx.pick(2, 4);
    const path = ctx.newPath();
    const ledger = new Ledger();
    const sessions: string[] = [];
    let acks = 0;
    let earlyKills = 0;
    let killed = 0;
    const recovery = new LatencyRecorder();
    let races = 0;
    const onMessage = (message: CrashWorkerMessage) => {
      if (message.type === "created") {
        ledger.created(message.id);
        sessions.push(message.id);
      } else if (message.type === "ack") {
        acks += 1;
        ctx.countOperations(1);
        ctx.latency.add(message.ms);
        ledger.appended(
          message.sessionId,
          message.messages.map(([id, content]) => ({ id, content })),
        );
      }
    };
    for (let round = 1; round <= rounds; round++) {
      const rng = ctx.rng.derive(`round-${round}`);
      const early = rng.chance(0.2);
      const shared = sessions.slice(-6);
      const workers = Array.from({ length: writers }, (_, w) =>
        spawnWorker<CrashWorkerMessage, CrashWorkerInput>(
          workerFile(import.meta.url, "./worker.js"),
          {
            adapter: ctx.adapter,
            path,
            writer: `r${round}w${w}`,
            seed: rng.int(0, 0x7fffffff),
            sessions: shared,
            durability: rng.chance(0.25) ? "full" : "normal",
          },
          onMessage,
        ),
      );
      try {
        if (early) {
          // Anywhere from process start to the first appends: opening, migrating, recovering.
          earlyKills += 1;
          await sleep(rng.int(0, 250));
        } else {
          await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready", 60_000)));
          await sleep(rng.int(2, 120));
        }
      } finally {
        // All at once, as a machine or container dies.
        const exits = await Promise.all(workers.map((w) => w.kill("SIGKILL")));
        exits.forEach((exit, w) => {
          if (exit.signal === "SIGKILL") killed += 1;
          else {
            ctx.fail(
              `round ${round}: writer ${w} ended before the kill (code ${exit.code}): ${workers[w]?.stderr()}`,
            );
          }
        });
      }
      if (round % RACE_EVERY === 0) {
        // Several processes open the crashed file at once: WAL recovery
        // (SQLITE_BUSY_RECOVERY) must be waited out, not reported.
        races += 1;
        const opened = await Promise.all(
          Array.from({ length: RACERS }, () => detectElsewhere(ctx, path)),
        );
        for (const found of opened) {
          if (found.detected) {
            ctx.fail(
              `round ${round}: a process opening the crashed file at once with others: ${found.detail}`,
            );
          }
        }
      }
      const started = performance.now();
      const store = await ctx.open(path);
      await ctx.verify(store, ledger, `after kill ${round}`);
      await ctx.close(store);
      recovery.add(performance.now() - started);
      ctx.progress(round, rounds);
      if (ctx.failures > 0) break;
    }
    ctx.details.kills = rounds;
    ctx.details.writersPerKill = writers;
    ctx.details.processesKilled = killed;
    ctx.details.earlyKills = earlyKills;
    ctx.details.acknowledgedAppends = acks;
    ctx.details.ackedMessages = ledger.ackedCount;
    ctx.details.reopenAndCheckMs = recovery.summary();
    ctx.details.concurrentOpens = `${races} times ${RACERS} processes`;
  },
};
