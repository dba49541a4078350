import { openStore } from "@llm-sessions/core";
import {
  type AgentInputItem,
  MemorySession,
  type RunContext,
  setTracingDisabled,
} from "@openai/agents-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionStoreSession } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";
import { SCENARIOS } from "./scenarios.js";

setTracingDisabled(true);

for (const adapter of ADAPTERS) {
  describe(`real runs of the Agents SDK (${adapter.name})`, () => {
    let env: Awaited<ReturnType<typeof tempStore>>;
    beforeAll(async () => {
      env = await tempStore(adapter.driver);
    });
    afterAll(async () => {
      await env.dispose();
    });

    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      it(`${name}: the history equals MemorySession's, survives a reopen, and is a store session`, async () => {
        const reference = new MemorySession();
        await scenario(reference);
        const expected = await reference.getItems();

        const sessionId = `run-${name.replace(/\W+/g, "-")}`;
        const session = new SessionStoreSession(env.store, { sessionId });
        const used = countCalls(session);
        const tally = await scenario(session);
        // The runner took the capability the scenario is about.
        if (name.includes("guardrail")) expect(used.applyHistoryTransaction).toBeGreaterThan(0);
        if (name === "compaction") expect(used.replaceHistoryWithCompaction).toBe(1);
        expect(await session.getItems()).toStrictEqual(expected);

        // A new store on the same file gives back the same items.
        const reopened = await openStore({ driver: adapter.driver(env.path) });
        try {
          const again = new SessionStoreSession(reopened, { sessionId });
          expect(await again.getItems()).toStrictEqual(expected);
          expect(await again.getItems(3)).toStrictEqual(
            expected.slice(-3).filter(notOrphanIn(expected.slice(-3))),
          );
        } finally {
          await reopened.close();
        }

        // One message per item, the model's usage recorded on its messages.
        const stored = await env.store.sessions.get(sessionId);
        expect(stored.messageCount).toBe(expected.length);
        // Also after a compaction: the replaced messages' usage is carried.
        expect(stored.usage.inputTokens).toBe(tally.inputTokens);
        expect(stored.usage.outputTokens).toBe(tally.outputTokens);
        expect(stored.usage.cachedInputTokens).toBe(2 * tally.modelCalls);
        expect(stored.usage.reasoningTokens).toBe(tally.modelCalls);
        const messages = (await env.store.messages.list(sessionId, { limit: 1000 })).items;
        const calls = messages.flatMap((m) => m.parts ?? []).filter((p) => p.type === "tool-call");
        const results = messages
          .flatMap((m) => m.parts ?? [])
          .filter((p) => p.type === "tool-result");
        const itemCalls = expected.filter((i) => i.type === "function_call");
        const itemResults = expected.filter((i) => i.type === "function_call_result");
        expect(calls.map((p) => p.type === "tool-call" && p.toolCallId)).toEqual(
          itemCalls.map((i) => i.type === "function_call" && i.callId),
        );
        expect(results.map((p) => p.type === "tool-result" && p.toolCallId)).toEqual(
          itemResults.map((i) => i.type === "function_call_result" && i.callId),
        );
        // The window keeps tool groups whole, on Agents sessions as on any other.
        const window = await env.store.messages.window(sessionId, { maxMessages: 2 });
        expect(window.length).toBeGreaterThan(0);
      });
    }

    it("a run's compaction leaves the session's and the store's usage totals as they were", async () => {
      const session = new SessionStoreSession(env.store, { sessionId: "compacted-totals" });
      const id = await session.getSessionId();
      const snapshots: unknown[] = [];
      const replace = session.replaceHistoryWithCompaction.bind(session);
      Object.defineProperty(session, "replaceHistoryWithCompaction", {
        value: async (items: AgentInputItem[], context?: RunContext<unknown>) => {
          // The compaction call's own usage is the run's; without it, totals must not move.
          const snapshot = async () => ({
            session: (await env.store.sessions.get(id)).usage,
            store: (await env.store.stats()).usage,
          });
          snapshots.push(await snapshot());
          await replace(items);
          snapshots.push(await snapshot());
          expect(await session.getItems()).toStrictEqual(items);
          if (context) await replace(items, context);
        },
      });
      await SCENARIOS.compaction?.(session);
      expect(snapshots).toHaveLength(2);
      expect(snapshots[1]).toStrictEqual(snapshots[0]);
    });

    it("search and stats see the agent's conversation", async () => {
      const session = new SessionStoreSession(env.store, { sessionId: "searchable" });
      await SCENARIOS["tool calls"]?.(session);
      const hits = await env.store.search("Paris");
      expect(hits.items.some((h) => h.message.sessionId === "searchable")).toBe(true);
      const roles = (await env.store.messages.list("searchable", { limit: 100 })).items.map(
        (m) => m.role,
      );
      expect(roles.slice(0, 4)).toEqual(["user", "assistant", "tool", "assistant"]);
    });
  });
}

/** Counts the runner's calls of the session's history methods. */
function countCalls(session: SessionStoreSession): Record<string, number> {
  const counts: Record<string, number> = {};
  const methods = ["addItems", "applyHistoryTransaction", "replaceHistoryWithCompaction"] as const;
  for (const m of methods) {
    const original = session[m].bind(session) as (...args: unknown[]) => Promise<void>;
    Object.defineProperty(session, m, {
      value: (...args: unknown[]) => {
        counts[m] = (counts[m] ?? 0) + 1;
        return original(...args);
      },
    });
  }
  return counts;
}

/** Drops result items whose call is not in `window` (the documented difference with a limit). */
function notOrphanIn(window: unknown[]) {
  const calls = new Set(
    window.flatMap((i) => {
      const it = i as { type?: string; callId?: string };
      return it.type === "function_call" ? [it.callId] : [];
    }),
  );
  return (i: unknown) => {
    const it = i as { type?: string; callId?: string };
    return it.type !== "function_call_result" || calls.has(it.callId);
  };
}
