import { spawnWorker, type WorkerHandle, workerFile } from "../child/spawn.js";
import { Ledger } from "../invariants/index.js";
import type { StressSuite } from "../suite/context.js";
import type { ProcessWorkerInput, ProcessWorkerMessage } from "./protocol.js";

type Done = Extract<ProcessWorkerMessage, { type: "done" }>;

/** Sessions all workers append to. */
const SHARED = 4;

/**
 * The processes suite, concurrency across processes: K child processes (CI 4, full 8),
 * each with its own store on one database (a file or a server), run the mixed workload (M
 * operations each: CI 250, full 2,500) over shared and own sessions, started
 * together. No `SQLITE_BUSY` may reach a caller; afterwards every write any
 * process was acknowledged is present exactly once.
 */
export const processesSuite: StressSuite = {
  id: "processes",
  title: "several processes on one database, no BUSY reaches a caller",
  requires: (caps) =>
    caps.sharedConnections && (caps.file || caps.remote)
      ? undefined
      : "needs a database that several processes can open: a file or a server (capabilities.file/remote/sharedConnections)",
  async run(ctx) {
    const processes = ctx.writers ?? ctx.pick(4, 8);
    const perProcess = ctx.pick(250, 2_500);
    const path = ctx.newPath();
    const ledger = new Ledger();
    const setup = await ctx.open(path);
    const shared: string[] = [];
    for (let i = 0; i < SHARED; i++) {
      const s = await ctx.timed(() => setup.sessions.create({ title: `shared ${i}` }));
      ledger.created(s.id);
      shared.push(s.id);
    }
    await ctx.close(setup);

    const progress = new Map<number, number>();
    const total = processes * perProcess;
    const workers: WorkerHandle<ProcessWorkerMessage>[] = [];
    try {
      for (let i = 0; i < processes; i++) {
        workers.push(
          spawnWorker<ProcessWorkerMessage, ProcessWorkerInput>(
            workerFile(import.meta.url, "./worker.js"),
            {
              adapter: ctx.adapter,
              path,
              writer: `p${i}`,
              seed: ctx.rng.derive(`process-${i}`).int(0, 0x7fffffff),
              operations: perProcess,
              shared,
            },
            (message) => {
              if (message.type !== "progress") return;
              progress.set(i, message.done);
              ctx.progress(
                [...progress.values()].reduce((a, b) => a + b, 0),
                total,
              );
            },
          ),
        );
      }
      await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready", 120_000)));
      for (const w of workers) w.process.send({ type: "go" });
      const results = await Promise.all(
        workers.map((w) => w.waitFor((m): m is Done => m.type === "done", 1_800_000)),
      );
      let busy = 0;
      for (const r of results) {
        ledger.merge(r.record);
        ctx.countOperations(r.operations);
        ctx.latency.addAll(r.latencies);
        for (const v of r.violations) ctx.fail(v);
        busy += r.busyErrors;
      }
      const exits = await Promise.all(workers.map((w) => w.exited));
      exits.forEach((exit, i) => {
        if (exit.code !== 0) ctx.fail(`worker p${i} exited with ${exit.code ?? exit.signal}`);
      });
      if (busy > 0) ctx.fail(`${busy} SQLITE_BUSY/LOCKED error(s) reached a caller`);
      ctx.details.processes = processes;
      ctx.details.operationsPerProcess = perProcess;
      ctx.details.busyErrors = busy;
      ctx.details.ackedMessages = ledger.ackedCount;
    } finally {
      await Promise.all(workers.map((w) => w.kill()));
    }
    const store = await ctx.open(path);
    await ctx.verify(store, ledger);
  },
};
