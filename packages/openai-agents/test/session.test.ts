import { openStore } from "@llm-sessions/core";
import { type AgentInputItem, MemorySession, UserError } from "@openai/agents-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeValue, encodeValue, SessionStoreSession } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";

const user = (content: string): AgentInputItem => ({ role: "user", content });
const call = (callId: string): AgentInputItem => ({
  type: "function_call",
  callId,
  name: "lookup",
  arguments: "{}",
});
const result = (callId: string): AgentInputItem => ({
  type: "function_call_result",
  callId,
  name: "lookup",
  status: "completed",
  output: "done",
});

/** An item with everything JSON cannot hold as it is. */
const awkward = {
  type: "message",
  role: "user",
  content: [{ type: "input_image", image: "data:image/png;base64,AAAA" }],
  providerData: {
    bytes: new Uint8Array([0, 1, 255]),
    gone: undefined,
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    negZero: -0,
    "~": "a key like the tag",
    nested: [{ "~": "u" }, null, "x"],
  },
} as unknown as AgentInputItem;

describe("the item encoding", () => {
  it("decodes to a deep-equal copy, whatever JSON cannot hold", () => {
    const encoded = encodeValue(awkward);
    expect(JSON.parse(JSON.stringify(encoded))).toStrictEqual(encoded);
    expect(decodeValue(JSON.parse(JSON.stringify(encoded)))).toStrictEqual(awkward);
  });

  it("refuses what could not come back as it went in", () => {
    expect(() => encodeValue({ when: new Date(0) })).toThrow(UserError);
    expect(() => encodeValue({ f: () => 1 })).toThrow(UserError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeValue(cyclic)).toThrow("cycles");
  });
});

for (const adapter of ADAPTERS) {
  describe(`SessionStoreSession (${adapter.name})`, () => {
    let env: Awaited<ReturnType<typeof tempStore>>;
    let n = 0;
    const fresh = (options: { pageSize?: number } = {}) =>
      new SessionStoreSession(env.store, { sessionId: `s-${n++}`, ...options });
    beforeAll(async () => {
      env = await tempStore(adapter.driver);
    });
    afterAll(async () => {
      await env.dispose();
    });

    it("round-trips an item JSON cannot hold, exactly, also after a reopen", async () => {
      const session = fresh();
      await session.addItems([awkward, user("plain")]);
      expect(await session.getItems()).toStrictEqual([awkward, user("plain")]);
      const reopened = await openStore({ driver: adapter.driver(env.path) });
      try {
        const again = new SessionStoreSession(reopened, {
          sessionId: await session.getSessionId(),
        });
        expect(await again.getItems()).toStrictEqual([awkward, user("plain")]);
      } finally {
        await reopened.close();
      }
    });

    it("bad input is a UserError and changes nothing", async () => {
      const session = fresh();
      await session.addItems([user("kept")]);
      await expect(
        session.addItems([{ role: "user", content: new Date(0) } as never]),
      ).rejects.toThrow(UserError);
      const reference = new MemorySession();
      for (const bad of [
        { operationId: "", transaction: { type: "append_items", items: [] } },
        { operationId: "op", transaction: { type: "append_items", items: [{ nope: true }] } },
        { operationId: "op", transaction: { type: "rewrite", items: [] } },
        { operationId: "op", transaction: { type: "append_items", items: [], extra: 1 } },
      ]) {
        const expected = await reference
          .applyHistoryTransaction(bad as never)
          .catch((e: Error) => e.message);
        await expect(session.applyHistoryTransaction(bad as never)).rejects.toThrow(
          expected as string,
        );
      }
      // Nothing was recorded under "op": a valid transaction under it applies.
      await session.applyHistoryTransaction({
        operationId: "op",
        transaction: { type: "append_items", items: [user("applied")] },
      });
      expect(await session.getItems()).toStrictEqual([user("kept"), user("applied")]);
    });

    it("an operation id longer than the store's 512 characters is idempotent too", async () => {
      const session = fresh();
      const args = {
        operationId: "x".repeat(2000),
        transaction: { type: "append_items" as const, items: [user("once")] },
      };
      await session.applyHistoryTransaction(args);
      await session.applyHistoryTransaction(args);
      await expect(
        session.applyHistoryTransaction({
          ...args,
          transaction: { type: "append_items", items: [] },
        }),
      ).rejects.toThrow("different transaction");
      expect(await session.getItems()).toStrictEqual([user("once")]);
    });

    it("reads a history longer than a page consistently, and limits across pages", async () => {
      const session = fresh({ pageSize: 3 });
      const items = Array.from({ length: 10 }, (_, i) => user(`m${i}`));
      await session.addItems(items);
      expect(await session.getItems()).toStrictEqual(items);
      expect(await session.getItems(7)).toStrictEqual(items.slice(3));
      expect(await session.getItems(2.5)).toStrictEqual(
        await new MemorySession({ initialItems: items }).getItems(2.5),
      );
      await session.applyHistoryTransaction({
        operationId: "cut",
        transaction: {
          type: "replace_suffix",
          expectedSuffix: items.slice(4),
          replacement: [user("new")],
        },
      });
      expect(await session.getItems()).toStrictEqual([...items.slice(0, 4), user("new")]);
    });

    it("getItems(limit) never returns a tool result without its call", async () => {
      const session = fresh();
      await session.addItems([
        user("q"),
        call("a"),
        call("b"),
        result("a"),
        result("b"),
        user("next"),
      ]);
      expect(await session.getItems(4)).toStrictEqual([call("b"), result("b"), user("next")]);
      expect(await session.getItems(3)).toStrictEqual([user("next")]);
      expect(await session.getItems(0)).toStrictEqual([]);
      // Without a limit: everything, exactly.
      expect(await session.getItems()).toHaveLength(6);
    });

    it("maps items onto messages the store understands, and repeats of a call id are kept", async () => {
      const session = fresh();
      const id = await session.getSessionId();
      await session.addItems([user("find Paris"), call("a"), result("a")]);
      await session.addItems([call("a")]); // the store indexes a call id once per session
      expect(await session.getItems()).toStrictEqual([
        user("find Paris"),
        call("a"),
        result("a"),
        call("a"),
      ]);
      const messages = (await env.store.messages.list(id)).items;
      expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
      expect(messages[1]?.parts?.[0]).toEqual({
        type: "tool-call",
        toolCallId: "a",
        toolName: "lookup",
        input: "{}",
      });
      expect(messages[2]?.parts?.[0]).toMatchObject({
        type: "tool-result",
        toolCallId: "a",
        output: "done",
      });
      expect(messages[3]?.parts?.map((p) => p.type)).toEqual(["data"]);
    });

    it("works on a tenant view; another tenant with the same session id has its own history", async () => {
      const acme = new SessionStoreSession(env.store.tenant("acme"), { sessionId: "tenant-chat" });
      await acme.addItems([user("hi")]);
      expect((await env.store.tenant("acme").sessions.get("tenant-chat")).tenantId).toBe("acme");
      const other = new SessionStoreSession(env.store.tenant("other"), {
        sessionId: "tenant-chat",
      });
      expect(await other.getItems()).toStrictEqual([]);
      await other.addItems([user("other's")]);
      expect(await other.getItems()).toStrictEqual([user("other's")]);
      expect(await acme.getItems()).toStrictEqual([user("hi")]);
    });

    it("an archived session is read from its archive, and restored by a write under autoRestore", async () => {
      const restoring = await openStore({ driver: adapter.driver(env.path), autoRestore: true });
      try {
        const session = new SessionStoreSession(restoring, { sessionId: `archived-${n++}` });
        const id = await session.getSessionId();
        await session.addItems([user("before")]);
        await restoring.lifecycle.archive(id);
        expect(await session.getItems()).toStrictEqual([user("before")]);
        expect((await restoring.sessions.get(id)).status).toBe("archived");
        // Without autoRestore a write is refused, and nothing changes.
        const strict = new SessionStoreSession(env.store, { sessionId: id });
        await expect(strict.addItems([user("refused")])).rejects.toThrow(/archived/i);
        await session.addItems([user("after")]);
        expect((await restoring.sessions.get(id)).status).not.toBe("archived");
        expect(await session.getItems()).toStrictEqual([user("before"), user("after")]);
      } finally {
        await restoring.close();
      }
    });

    it("clearSession empties the history, forgets operation ids, keeps the store session", async () => {
      const session = fresh();
      const id = await session.getSessionId();
      const args = {
        operationId: "op",
        transaction: { type: "append_items" as const, items: [user("a")] },
      };
      await session.applyHistoryTransaction(args);
      await session.clearSession();
      expect(await session.getItems()).toStrictEqual([]);
      await session.applyHistoryTransaction(args);
      expect(await session.getItems()).toStrictEqual([user("a")]);
      expect((await env.store.sessions.get(id)).id).toBe(id);
      expect(await session.popItem()).toStrictEqual(user("a"));
      expect(await session.popItem()).toBeUndefined();
    });

    it("a session not created yet reads empty and pops nothing; it is created by getSessionId", async () => {
      const session = new SessionStoreSession(env.store, {
        sessionId: `lazy-${n++}`,
        create: { title: "t" },
      });
      expect(await session.getItems()).toStrictEqual([]);
      expect(await session.popItem()).toBeUndefined();
      await session.clearSession();
      const id = await session.getSessionId();
      expect((await env.store.sessions.get(id)).title).toBe("t");
    });

    it("a session deleted while in use is created again by the next write", async () => {
      const session = fresh();
      const id = await session.getSessionId();
      await session.addItems([user("gone")]);
      await env.store.sessions.delete(id);
      expect(await session.getItems()).toStrictEqual([]);
      await session.addItems([user("again")]);
      await env.store.sessions.delete(id);
      await session.applyHistoryTransaction({
        operationId: "after-delete",
        transaction: { type: "replace_suffix", expectedSuffix: [], replacement: [user("fresh")] },
      });
      expect(await session.getItems()).toStrictEqual([user("fresh")]);
    });

    it("rejects bad options", () => {
      expect(() => new SessionStoreSession(env.store, { sessionId: "" })).toThrow(UserError);
      expect(() => new SessionStoreSession(env.store, { pageSize: 0 })).toThrow(UserError);
      expect(() => new SessionStoreSession({} as never)).toThrow(TypeError);
    });
  });
}
