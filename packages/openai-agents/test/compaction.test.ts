import type { MessageUsage, NewMessage, Store } from "@llm-sessions/core";
import { type AgentInputItem, UserError } from "@openai/agents-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionStoreSession } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";

const compaction = (n: number): AgentInputItem =>
  ({ type: "compaction", id: `cmp_${n}`, encrypted_content: `summary ${n}` }) as AgentInputItem;

const a1: MessageUsage = {
  inputTokens: 100,
  outputTokens: 10,
  cachedInputTokens: 5,
  reasoningTokens: 2,
  cost: { micros: 1500, currency: "USD" },
};
const a2: MessageUsage = {
  inputTokens: 200,
  outputTokens: 20,
  cost: { micros: 3000, currency: "USD" },
};

/** A history an application appended with its usage (what the store bills). */
const history: NewMessage[] = [
  { role: "user", content: "q1" },
  { role: "assistant", content: "a1", usage: a1 },
  { role: "user", content: "q2" },
  { role: "assistant", content: "a2", usage: a2 },
];

/** What the store's totals say: the session's usage and the whole store's. */
async function totals(store: Store, id: string) {
  const stats = await store.stats();
  return { session: (await store.sessions.get(id)).usage, store: stats.usage };
}

for (const adapter of ADAPTERS) {
  describe(`replaceHistoryWithCompaction keeps the usage (${adapter.name})`, () => {
    let env: Awaited<ReturnType<typeof tempStore>>;
    let n = 0;
    const fresh = () => new SessionStoreSession(env.store, { sessionId: `c-${n++}` });
    beforeAll(async () => {
      env = await tempStore(adapter.driver);
    });
    afterAll(async () => {
      await env.dispose();
    });

    it("session and store totals are the same after a compaction, and after a compaction of it", async () => {
      const session = fresh();
      const id = await session.getSessionId();
      await env.store.messages.append(id, history);
      const before = await totals(env.store, id);
      expect(before.session.inputTokens).toBe(300);
      const items = await session.getItems();

      const replacement = [compaction(1), ...items.slice(2)];
      await session.replaceHistoryWithCompaction(replacement);
      expect(await session.getItems()).toStrictEqual(replacement);
      expect(await totals(env.store, id)).toStrictEqual(before);
      // The kept suffix keeps its own usage; the compaction holds the rest.
      const stored = (await env.store.messages.list(id, { limit: 10 })).items;
      expect(stored.map((m) => m.usage)).toStrictEqual([a1, null, a2]);

      const again = [compaction(2), items[3] as AgentInputItem];
      await session.replaceHistoryWithCompaction(again);
      expect(await session.getItems()).toStrictEqual(again);
      expect(await totals(env.store, id)).toStrictEqual(before);
      const last = (await env.store.messages.list(id, { limit: 10 })).items;
      expect(last.map((m) => m.usage)).toStrictEqual([a1, a2]);
    });

    it("sums the removed messages' usage onto the compaction item, per field", async () => {
      const session = fresh();
      const id = await session.getSessionId();
      await env.store.messages.append(id, history);
      const before = await totals(env.store, id);
      const replacement = [compaction(1), { role: "user", content: "new" } as AgentInputItem];
      await session.replaceHistoryWithCompaction(replacement);
      expect(await session.getItems()).toStrictEqual(replacement);
      expect(await totals(env.store, id)).toStrictEqual(before);
      const stored = (await env.store.messages.list(id, { limit: 10 })).items;
      expect(stored.map((m) => m.usage)).toStrictEqual([
        {
          inputTokens: 300,
          outputTokens: 30,
          cachedInputTokens: 5,
          reasoningTokens: 2,
          cost: { micros: 4500, currency: "USD" },
        },
        null,
      ]);
    });

    it("carries no usage when the removed messages had none", async () => {
      const session = fresh();
      const id = await session.getSessionId();
      await session.addItems([{ role: "user", content: "plain" }]);
      await session.replaceHistoryWithCompaction([compaction(1)]);
      const stored = (await env.store.messages.list(id, { limit: 10 })).items;
      expect(stored.map((m) => m.usage)).toStrictEqual([null]);
    });

    it("a figure past one message's ceiling spills onto the other messages; nowhere to fit is a UserError that changes nothing", async () => {
      const session = fresh();
      const id = await session.getSessionId();
      const big = 2 ** 31 - 1;
      await env.store.messages.append(id, [
        { role: "assistant", content: "x", usage: { inputTokens: big } },
        { role: "assistant", content: "y", usage: { inputTokens: 10 } },
      ]);
      const items = await session.getItems();
      await expect(session.replaceHistoryWithCompaction([compaction(1)])).rejects.toThrow(
        UserError,
      );
      expect(await session.getItems()).toStrictEqual(items);
      const before = await totals(env.store, id);
      const replacement = [compaction(1), { role: "user", content: "new" } as AgentInputItem];
      await session.replaceHistoryWithCompaction(replacement);
      expect(await session.getItems()).toStrictEqual(replacement);
      expect(await totals(env.store, id)).toStrictEqual(before);
      const stored = (await env.store.messages.list(id, { limit: 10 })).items;
      expect(stored.map((m) => m.usage)).toStrictEqual([{ inputTokens: big }, { inputTokens: 10 }]);
    });
  });
}
