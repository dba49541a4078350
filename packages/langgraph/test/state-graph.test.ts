import { Command } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { SessionStoreSaver } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";
import { buildGraph } from "./graph.js";

for (const adapter of ADAPTERS) {
  describe(`StateGraph on ${adapter.name}`, () => {
    it("runs a thread to an interrupt, resumes it, forks from an earlier checkpoint, and keeps both branches across a reopen", async () => {
      const { store, path, dispose } = await tempStore(adapter.driver);
      try {
        const saver = await SessionStoreSaver.open(store);
        const graph = buildGraph(saver);
        const thread = { configurable: { thread_id: "t1" } };

        // Runs plan and act, then stops at ask's interrupt.
        await graph.invoke({ log: ["start"] }, thread);
        const paused = await graph.getState(thread);
        expect(paused.next).toEqual(["ask"]);
        expect(paused.values.log).toEqual(["start", "plan", "act"]);
        expect(paused.tasks[0]?.interrupts[0]?.value).toBe("approve?");

        const done = await graph.invoke(new Command({ resume: "yes" }), thread);
        expect(done.log).toEqual(["start", "plan", "act", "answer:yes", "finish"]);
        expect(done.steps).toBe(4);
        const finalId = (await graph.getState(thread)).config.configurable?.checkpoint_id;

        // Fork from the checkpoint taken after "plan" (next: act), with an edit.
        const history = [];
        for await (const snapshot of graph.getStateHistory(thread)) history.push(snapshot);
        const afterPlan = history.find((h) => h.next.length === 1 && h.next[0] === "act");
        expect(afterPlan?.values.log).toEqual(["start", "plan"]);
        const forkConfig = await graph.updateState(afterPlan!.config, { log: ["edited"] });
        await graph.invoke(null, forkConfig);
        const forkPaused = await graph.getState(thread);
        expect(forkPaused.next).toEqual(["ask"]);
        const forked = await graph.invoke(new Command({ resume: "no" }), thread);
        expect(forked.log).toEqual(["start", "plan", "edited", "act", "answer:no", "finish"]);

        // The first branch is still there, by its checkpoint id.
        const first = await graph.getState({
          configurable: { thread_id: "t1", checkpoint_id: finalId },
        });
        expect(first.values.log).toEqual(["start", "plan", "act", "answer:yes", "finish"]);

        // The thread is a store session; its checkpoints pass the store's check.
        expect((await store.sessions.get("t1")).id).toBe("t1");
        const report = await store.integrity.check();
        expect(report.checks).toContain("langgraph:parents");
        expect(report.findings).toEqual([]);

        // Another store on the same file sees the same thread.
        await store.close();
        const { openStore } = await import("@llm-sessions/core");
        const again = await openStore({ driver: adapter.driver(path) });
        try {
          const graph2 = buildGraph(await SessionStoreSaver.open(again));
          expect((await graph2.getState(thread)).values.log).toEqual(forked.log);
          // deleteThread removes the session and every checkpoint with it.
          await (await SessionStoreSaver.open(again)).deleteThread("t1");
          expect((await graph2.getState(thread)).values).toEqual({});
          await expect(again.sessions.get("t1")).rejects.toThrow();
        } finally {
          await again.close();
        }
      } finally {
        await dispose();
      }
    });

    it("keeps tenants apart: one thread id in two tenants is two threads, and neither lists the other's", async () => {
      const { store, dispose } = await tempStore(adapter.driver);
      try {
        const a = await SessionStoreSaver.open(store, { tenantId: "a" });
        const b = a.forTenant("b");
        const thread = { configurable: { thread_id: "same" } };
        await buildGraph(a).invoke({ log: ["from-a"] }, thread);
        expect((await buildGraph(b).getState(thread)).values).toEqual({});
        await buildGraph(b).invoke({ log: ["from-b"] }, thread);
        expect((await buildGraph(a).getState(thread)).values.log).toEqual([
          "from-a",
          "plan",
          "act",
        ]);
        const listed = async (saver: SessionStoreSaver) => {
          const out: string[] = [];
          for await (const t of saver.list({})) out.push(String(t.config.configurable?.thread_id));
          return out;
        };
        const fromA = await listed(a);
        expect(fromA.length).toBeGreaterThan(0);
        expect(new Set(fromA)).toEqual(new Set(["same"]));
        expect((await listed(b)).length).toBe(fromA.length);
        expect((await store.tenant("a").sessions.get("same")).tenantId).toBe("a");
        await b.deleteThread("same");
        expect((await buildGraph(a).getState(thread)).values.log).toEqual([
          "from-a",
          "plan",
          "act",
        ]);
        expect(await listed(b)).toEqual([]);
      } finally {
        await dispose();
      }
    });

    it("lists a long thread newest first across pages, with before and limit", async () => {
      const { store, dispose } = await tempStore(adapter.driver);
      try {
        const saver = await SessionStoreSaver.open(store, { listPageSize: 3 });
        const graph = buildGraph(saver);
        for (let i = 0; i < 4; i++) {
          const thread = { configurable: { thread_id: "long" } };
          await graph.invoke(
            i === 0 ? { log: ["start"] } : new Command({ resume: `r${i}` }),
            thread,
          );
          if (i > 0) await graph.invoke({ log: [`again${i}`] }, thread);
        }
        const all = [];
        for await (const t of saver.list({ configurable: { thread_id: "long" } })) all.push(t);
        const ids = all.map((t) => String(t.config.configurable?.checkpoint_id));
        expect(ids.length).toBeGreaterThan(10);
        expect([...ids].sort().reverse()).toEqual(ids);
        expect(new Set(ids).size).toBe(ids.length);
        const limited = [];
        for await (const t of saver.list(
          { configurable: { thread_id: "long" } },
          { limit: 5, before: all[2]?.config },
        ))
          limited.push(String(t.config.configurable?.checkpoint_id));
        expect(limited).toEqual(ids.slice(3, 8));
        const inputs = [];
        for await (const t of saver.list(
          { configurable: { thread_id: "long" } },
          { filter: { source: "input" } },
        ))
          inputs.push(t.metadata?.source);
        expect(inputs.length).toBeGreaterThan(0);
        expect(new Set(inputs)).toEqual(new Set(["input"]));
      } finally {
        await dispose();
      }
    });
  });
}
