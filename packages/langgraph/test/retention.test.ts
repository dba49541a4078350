import { Annotation, Command, END, START, StateGraph } from "@langchain/langgraph";
import { ValidationError } from "@llm-sessions/core";
import { describe, expect, it } from "vitest";
import { SessionStoreSaver } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";
import { buildGraph } from "./graph.js";

const Counter = Annotation.Root({
  messages: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  steps: Annotation<number>({ reducer: (_, b) => b, default: () => 0 }),
  limit: Annotation<number>({ reducer: (_, b) => b, default: () => 0 }),
});

/** One node that appends a message per step until `limit` steps: a growing message-list state. */
function loopGraph(checkpointer: SessionStoreSaver) {
  return new StateGraph(Counter)
    .addNode("step", (s) => ({ messages: [`m${s.steps}`], steps: s.steps + 1 }))
    .addEdge(START, "step")
    .addConditionalEdges("step", (s) => (s.steps < s.limit ? "step" : END))
    .compile({ checkpointer });
}

/** How many checkpoints `list` returns for a config. */
async function listed(
  saver: SessionStoreSaver,
  config: { configurable?: Record<string, unknown> },
) {
  let n = 0;
  for await (const _ of saver.list(config)) n++;
  return n;
}

for (const adapter of ADAPTERS) {
  describe(`keepLast on ${adapter.name}`, () => {
    it("keeps the newest N checkpoints per thread, whatever the number of steps, and the state stays whole", async () => {
      const { store, dispose } = await tempStore(adapter.driver);
      try {
        const saver = await SessionStoreSaver.open(store, { keepLast: 4 });
        const graph = loopGraph(saver);
        const counts: number[] = [];
        for (const [thread, limit] of [
          ["short", 20],
          ["long", 60],
        ] as const) {
          const config = { configurable: { thread_id: thread }, recursionLimit: 200 };
          const out = await graph.invoke({ limit }, config);
          expect(out.messages).toEqual(Array.from({ length: limit }, (_, i) => `m${i}`));
          // Read back from the store: the latest checkpoint has every message.
          expect((await graph.getState(config)).values.messages).toHaveLength(limit);
          counts.push(await listed(saver, { configurable: { thread_id: thread } }));
        }
        expect(counts).toEqual([4, 4]);
        // Values no kept checkpoint names are gone too: per thread, at most one
        // value per channel per kept checkpoint (plus the channel branch markers).
        const { attachExtension } = await import("@llm-sessions/core/extension");
        const { langgraphExtension } = await import("../src/index.js");
        const handle = await attachExtension(store, langgraphExtension);
        const perThread = await handle.read((q) =>
          q.all<{ id: string; blobs: number; writes: number }>(
            `SELECT s.id, (SELECT count(*) FROM langgraph_blobs b WHERE b.session_pk = s.pk) AS blobs,
                    (SELECT count(*) FROM langgraph_writes w WHERE w.session_pk = s.pk) AS writes
             FROM sessions s ORDER BY s.id`,
          ),
        );
        const shortRow = perThread.find((r) => r.id === "short");
        const longRow = perThread.find((r) => r.id === "long");
        expect(Number(longRow?.blobs)).toBe(Number(shortRow?.blobs));
        expect(Number(longRow?.writes)).toBe(Number(shortRow?.writes));
        expect(Number(longRow?.blobs)).toBeLessThanOrEqual(4 * 5);
        expect(await listed(saver, {})).toBe(8);
        expect((await store.integrity.check()).ok).toBe(true);
      } finally {
        await dispose();
      }
    });

    it("an interrupted thread resumes with keepLast 1", async () => {
      const { store, dispose } = await tempStore(adapter.driver);
      try {
        const saver = await SessionStoreSaver.open(store, { keepLast: 1 });
        const graph = buildGraph(saver);
        const thread = { configurable: { thread_id: "t" } };
        await graph.invoke({ log: ["start"] }, thread);
        expect((await graph.getState(thread)).next).toEqual(["ask"]);
        const done = await graph.invoke(new Command({ resume: "ok" }), thread);
        expect(done.log).toEqual(["start", "plan", "act", "answer:ok", "finish"]);
        expect(await listed(saver, thread)).toBe(1);
      } finally {
        await dispose();
      }
    });
  });
}

describe("keepLast option", () => {
  it("refuses a keepLast that is not a positive integer", async () => {
    const { store, dispose } = await tempStore(ADAPTERS[0]!.driver);
    try {
      await expect(SessionStoreSaver.open(store, { keepLast: 0 })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(SessionStoreSaver.open(store, { keepLast: 1.5 })).rejects.toBeInstanceOf(
        ValidationError,
      );
    } finally {
      await dispose();
    }
  });
});
