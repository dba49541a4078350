import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Command } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { SessionStoreSaver } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";
import { buildGraph } from "./graph.js";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const THREADS = 8;

/** Runs the worker to its end; resolves with its exit code and what it wrote to stderr. */
function runWorker(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, args, { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

// The worker imports the built package (dist): `npm test` builds first (turbo).
for (const adapter of ADAPTERS.filter((a) => a.name !== "libsql (file)")) {
  describe(`two processes on one file (${adapter.name})`, () => {
    it("each runs its own threads through interrupts at the same time; both see all of them", async () => {
      const { store, path, dispose } = await tempStore(adapter.driver);
      try {
        const graph = buildGraph(await SessionStoreSaver.open(store));
        const worker = runWorker([path, adapter.name, "w", String(THREADS)]);
        // Rendezvous (see worker.mjs): start once the worker has a thread.
        const started = async () => {
          try {
            await store.sessions.get("w-0");
            return true;
          } catch {
            return false;
          }
        };
        while (!(await started())) await new Promise((r) => setTimeout(r, 5));
        for (let i = 0; i < THREADS; i++) {
          const thread = { configurable: { thread_id: `p-${i}` } };
          await graph.invoke({ log: [`p-${i}`] }, thread);
          await graph.invoke(new Command({ resume: "p" }), thread);
        }
        const { code, stderr } = await worker;
        // stderr is the failure message (not asserted empty: Node 22 warns that node:sqlite is experimental).
        expect(code, stderr).toBe(0);
        for (const prefix of ["p", "w"]) {
          for (let i = 0; i < THREADS; i++) {
            const state = await graph.getState({ configurable: { thread_id: `${prefix}-${i}` } });
            expect(state.values.log).toEqual([
              `${prefix}-${i}`,
              "plan",
              "act",
              `answer:${prefix}`,
              "finish",
            ]);
            expect(state.next).toEqual([]);
          }
        }
        expect((await store.stats()).sessions.total).toBe(2 * THREADS);
        expect((await store.integrity.check()).ok).toBe(true);
      } finally {
        await dispose();
      }
      // A hang detector, not a speed verdict: a child process starting Node and
      // LangGraph on a loaded machine took over the default 30 s.
    }, 300_000);
  });
}
