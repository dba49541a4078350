import { openStore } from "@llm-sessions/core";
import { isBusyError } from "@llm-sessions/core/driver";
import { createDriver } from "../adapters/index.js";
import { runWorker } from "../child/worker.js";
import { RecordingSink } from "../invariants/index.js";
import { LatencyRecorder } from "../suite/latency.js";
import { Rng } from "../suite/rng.js";
import { DEFAULT_MIX, SessionSet, WorkloadClient } from "../workload/index.js";
import type { ProcessWorkerInput, ProcessWorkerMessage } from "./protocol.js";

/** Concurrent clients inside each worker process. */
const CLIENTS = 4;

/**
 * One process of the cross-process suite: its own store on the shared file,
 * a few clients running the mixed workload over the shared sessions and its
 * own, then a report of what it was acknowledged.
 */
runWorker<ProcessWorkerInput, ProcessWorkerMessage>(async (input, send) => {
  const store = await openStore({
    driver: await createDriver(input.adapter, input.path),
    pool: { readers: 2, acquireTimeoutMs: 60_000 },
  });
  const go = new Promise<void>((resolve) => process.once("message", () => resolve()));
  await send({ type: "ready" });
  await go;
  const sink = new RecordingSink();
  const sessions = new SessionSet();
  for (const id of input.shared) sessions.add(id, { fixed: true, shared: true });
  const latency = new LatencyRecorder();
  const violations: string[] = [];
  let busyErrors = 0;
  const rng = new Rng(input.seed);
  let started = 0;
  let done = 0;
  const clients = Array.from(
    { length: CLIENTS },
    (_, i) =>
      new WorkloadClient({
        store,
        writer: `${input.writer}c${i}`,
        rng: rng.derive(i),
        sink,
        sessions,
        mix: DEFAULT_MIX,
        latency,
        fail: (m) => {
          if (violations.length < 50) violations.push(`${input.writer}: ${m}`);
        },
        tolerate: (error) => {
          if (isBusyError(error)) busyErrors += 1;
          return false;
        },
        minSessions: input.shared.length + 2,
        maxSessions: input.shared.length + 40,
      }),
  );
  await Promise.all(
    clients.map(async (client) => {
      while (started < input.operations) {
        started += 1;
        await client.step();
        done += 1;
        if (done % 50 === 0) await send({ type: "progress", done });
      }
    }),
  );
  await store.close();
  await send({
    type: "done",
    record: sink.record,
    operations: done,
    violations,
    busyErrors,
    latencies: [...latency.samples()],
  });
});
