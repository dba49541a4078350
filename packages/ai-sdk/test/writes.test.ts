import { SessionNotFoundError, ValidationError } from "@llm-sessions/core";
import type { UIMessage } from "ai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChats } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";
import { userMessage } from "./model.js";

/** An assistant answer with `n` text parts. */
function answer(id: string, text: string): UIMessage {
  return {
    id,
    role: "assistant",
    parts: [{ type: "step-start" }, { type: "text", text, state: "done" }],
  };
}

describe.each(ADAPTERS)("writes on $name", ({ driver }) => {
  let t: Awaited<ReturnType<typeof tempStore>>;
  beforeEach(async () => {
    t = await tempStore(driver);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("concurrent saves of one chat from two stores on the file never store a message twice", async () => {
    const a = createChats(t.store);
    const b = createChats(await t.reopen());
    let history: UIMessage[] = [];
    for (let round = 0; round < 6; round++) {
      const base = [...history, userMessage(`u${round}`, `question ${round}`)];
      // Both writers save the same new turn; one of them also has a changed answer to the turn before.
      const mine = [...base, answer(`a${round}`, `answer ${round}`)];
      const theirs =
        round > 0
          ? [...mine.slice(0, -3), answer(`a${round - 1}`, "edited"), ...mine.slice(-2)]
          : mine;
      const results = await Promise.all([a.save("c", mine), b.save("c", theirs)]);
      const rows = (await t.store.messages.list("c", { limit: 1000 })).items;
      const ids = rows.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(mine.map((m) => m.id));
      // The chat is one writer's list, whole: whichever saved last.
      const loaded = (await a.load("c")).messages;
      expect([JSON.stringify(mine), JSON.stringify(theirs)]).toContain(JSON.stringify(loaded));
      expect(results.some((r) => r.written > 0)).toBe(true);
      history = loaded;
    }
    const session = await t.store.sessions.get("c");
    expect(session.messageCount).toBe(12);
  });

  it("many writers of the same list at once: each message stored once", async () => {
    const stores = [t.store, await t.reopen(), await t.reopen()];
    const list = [
      userMessage("u1", "hi"),
      answer("a1", "hello"),
      userMessage("u2", "more"),
      answer("a2", "sure"),
    ];
    const results = await Promise.all(
      stores.flatMap((s) => [
        createChats(s).save("c", list),
        createChats(s).save("c", list.slice(0, 2)),
      ]),
    );
    expect(results.reduce((n, r) => n + r.written, 0)).toBeGreaterThanOrEqual(4);
    const rows = (await t.store.messages.list("c")).items;
    expect(rows.map((m) => m.id)).toEqual(["u1", "a1", "u2", "a2"]);
  });

  const malformed: [string, unknown][] = [
    ["not an array", { id: "x", role: "user", parts: [] }],
    ["an empty list", []],
    ["a message without parts", [{ id: "x", role: "user" }]],
    ["an unknown role", [{ id: "x", role: "robot", parts: [{ type: "text", text: "hi" }] }]],
    ["a text part without text", [{ id: "x", role: "user", parts: [{ type: "text" }] }]],
    [
      "a tool part without its call id",
      [
        {
          id: "x",
          role: "assistant",
          parts: [{ type: "tool-w", state: "input-available", input: {} }],
        },
      ],
    ],
    [
      "an empty id (a stream without generateMessageId)",
      [{ id: "", role: "assistant", parts: [] }],
    ],
    ["a repeated id", [userMessage("x", "a"), userMessage("x", "b")]],
    ["an id longer than the store takes", [userMessage("x".repeat(129), "a")]],
    [
      "a function in data",
      [{ id: "x", role: "assistant", parts: [{ type: "data-f", data: { f: () => 1 } }] }],
    ],
    [
      "a Date in metadata",
      [
        {
          id: "x",
          role: "user",
          metadata: { at: new Date(0) },
          parts: [{ type: "text", text: "a" }],
        },
      ],
    ],
    ["a NUL in text", [userMessage("x", "a\u0000b")]],
  ];

  it.each(malformed)(
    "bad input (%s) is a ValidationError and stores nothing",
    async (_name, input) => {
      const chats = createChats(t.store);
      await chats.save("c", [userMessage("u0", "kept")]);
      const error = await chats.save("c", input as UIMessage[]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((await chats.load("c")).messages).toStrictEqual([userMessage("u0", "kept")]);
      // Nor is a chat created for it.
      await expect(chats.save("new", input as UIMessage[])).rejects.toBeInstanceOf(ValidationError);
      await expect(chats.get("new")).rejects.toBeInstanceOf(SessionNotFoundError);
    },
  );

  const illFormed: [string, UIMessage][] = [
    ["text", userMessage("x", "bad \uD800 half")],
    [
      "a data value",
      { id: "x", role: "assistant", parts: [{ type: "data-d", data: { s: "\uDC00" } }] },
    ],
    [
      "a metadata key",
      { id: "x", role: "user", metadata: { "k\uDBFF": 1 }, parts: [{ type: "text", text: "a" }] },
    ],
    [
      "a tool input",
      {
        id: "x",
        role: "assistant",
        parts: [
          {
            type: "dynamic-tool",
            toolName: "t",
            toolCallId: "c",
            state: "input-available",
            input: { q: "\uD83D" },
          },
        ],
      },
    ],
  ];

  it.each(illFormed)(
    "ill-formed Unicode in %s is refused, nothing stored",
    async (_name, message) => {
      const chats = createChats(t.store);
      const error = await chats.save("c", [message]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.some((i) => i.message.includes("well-formed"))).toBe(
        true,
      );
      await expect(chats.get("c")).rejects.toBeInstanceOf(SessionNotFoundError);
      // The client's message given to load is checked the same way.
      await expect(chats.load("c", { message, missingAsEmpty: true })).rejects.toBeInstanceOf(
        ValidationError,
      );
      // A surrogate pair (an emoji) is well-formed.
      await chats.save("c", [userMessage("ok", "fine 😀")]);
      expect((await chats.load("c")).messages).toStrictEqual([userMessage("ok", "fine 😀")]);
    },
  );

  it("a user never sees another user's chat, nor learns that it exists", async () => {
    const alice = createChats(t.store.tenant("alice"));
    const bob = createChats(t.store.tenant("bob"));
    await alice.create({ id: "trip", title: "Trip", metadata: { topic: "travel" } });
    await alice.save("trip", [userMessage("u1", "secret plans")]);
    const missing = await bob.load("nothing-here").catch((e: unknown) => e);
    const hidden = await bob.load("trip").catch((e: unknown) => e);
    expect(hidden).toBeInstanceOf(SessionNotFoundError);
    expect(missing).toBeInstanceOf(SessionNotFoundError);
    expect((hidden as Error).message.replace("trip", "?")).toBe(
      (missing as Error).message.replace("nothing-here", "?"),
    );
    await expect(bob.get("trip")).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(bob.loadPage("trip")).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(bob.regenerate("trip")).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(bob.delete("trip")).rejects.toBeInstanceOf(SessionNotFoundError);
    expect((await bob.list()).items).toEqual([]);
    expect((await bob.list({ metadata: { topic: "travel" } })).items).toEqual([]);
    // Bob's save under the same id makes Bob's own chat; Alice's is untouched.
    await bob.save("trip", [userMessage("u1", "my own")]);
    expect((await alice.load("trip")).messages).toStrictEqual([userMessage("u1", "secret plans")]);
    expect((await bob.load("trip")).messages).toStrictEqual([userMessage("u1", "my own")]);
    expect((await alice.list({ metadata: { topic: "travel" } })).items.map((c) => c.title)).toEqual(
      ["Trip"],
    );
    await t.store.flushSearchIndex();
    expect((await t.store.tenant("bob").search("secret")).items).toHaveLength(0);
  });

  it("lists, pages back and deletes a user's chats", async () => {
    const chats = createChats(t.store.tenant("u"));
    for (const id of ["a", "b", "c"])
      await chats.create({ id, title: `chat ${id}`, metadata: { pinned: id === "b" } });
    const page1 = await chats.list({ limit: 2, orderBy: "created" });
    expect(page1.items.map((c) => c.id)).toEqual(["c", "b"]);
    const page2 = await chats.list({ limit: 2, orderBy: "created", cursor: page1.nextCursor });
    expect(page2.items.map((c) => c.id)).toEqual(["a"]);
    expect((await chats.list({ metadata: { pinned: true } })).items.map((c) => c.id)).toEqual([
      "b",
    ]);
    await chats.save("a", [userMessage("u1", "x"), userMessage("u2", "y")]);
    expect(await chats.clear("a")).toBe(2);
    expect((await chats.load("a")).messages).toEqual([]);
    expect((await chats.get("a")).title).toBe("chat a");
    await chats.delete("b");
    await expect(chats.load("b")).rejects.toBeInstanceOf(SessionNotFoundError);
    expect((await chats.list()).items.map((c) => c.id).sort()).toEqual(["a", "c"]);
  });

  it("pages through a long chat newest first, each page oldest first", async () => {
    const chats = createChats(t.store);
    const all = Array.from({ length: 7 }, (_, i) =>
      i % 2 ? answer(`m${i}`, `a${i}`) : userMessage(`m${i}`, `q${i}`),
    );
    await chats.save("c", all);
    const pages: UIMessage[][] = [];
    let cursor: string | null = null;
    do {
      const page = await chats.loadPage("c", { cursor, limit: 3 });
      pages.push(page.messages);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(pages.map((p) => p.map((m) => m.id))).toEqual([
      ["m4", "m5", "m6"],
      ["m1", "m2", "m3"],
      ["m0"],
    ]);
    expect(pages.reverse().flat()).toStrictEqual(all);
  });

  it("regenerate names a message by id, and refuses one the chat lacks", async () => {
    const chats = createChats(t.store);
    await chats.save("c", [
      userMessage("u1", "a"),
      answer("a1", "b"),
      userMessage("u2", "c"),
      answer("a2", "d"),
    ]);
    expect((await chats.regenerate("c", { messageId: "a1" })).messages.map((m) => m.id)).toEqual([
      "u1",
    ]);
    await expect(chats.regenerate("c", { messageId: "zz" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await chats.save("c2", [userMessage("u1", "a")]);
    await expect(chats.regenerate("c2")).rejects.toBeInstanceOf(ValidationError);
  });

  it("a save of a long chat reads one page of it: the chain digests tell where the list leaves it", async () => {
    const chats = createChats(t.store);
    const list = Array.from({ length: 120 }, (_, i) =>
      i % 2 ? answer(`m${i}`, `a${i}`) : userMessage(`m${i}`, `q${i}`),
    );
    await chats.save("c", list);
    const reads: unknown[] = [];
    const list0 = t.store.messages.list.bind(t.store.messages);
    const counting = {
      ...t.store,
      sessions: t.store.sessions,
      messages: Object.assign(Object.create(t.store.messages), {
        list: (id: string, options: Parameters<typeof list0>[1]) => {
          reads.push(options);
          return list0(id, options);
        },
      }),
    } as typeof t.store;
    const counted = createChats(counting);
    const longer = [...list, userMessage("m120", "q120"), answer("m121", "a121")];
    expect(await counted.save("c", longer)).toMatchObject({ written: 2, removed: 0 });
    expect(reads).toHaveLength(1);
    // A change of the last message: one page too, one message replaced.
    const changed = [...longer.slice(0, -1), answer("m121", "a121, longer")];
    expect(await counted.save("c", changed)).toMatchObject({ written: 1, removed: 1 });
    expect(reads).toHaveLength(2);
    expect((await chats.load("c")).messages).toStrictEqual(changed);
  });

  it("a cleared chat fills again from seq 1", async () => {
    const chats = createChats(t.store);
    await chats.save("c", [userMessage("u1", "a"), answer("a1", "b")]);
    expect(await chats.clear("c")).toBe(2);
    const again = [userMessage("u2", "c"), answer("a2", "d")];
    expect(await chats.save("c", again)).toMatchObject({ written: 2, removed: 0 });
    expect((await chats.load("c")).messages).toStrictEqual(again);
    expect(await chats.save("c", [...again, userMessage("u3", "e")])).toMatchObject({ written: 1 });
    expect((await t.store.messages.list("c")).items.map((m) => [m.seq, m.id])).toEqual([
      [1, "u2"],
      [2, "a2"],
      [3, "u3"],
    ]);
  });

  it("the first save of a chat written by other code rewrites it once, keeping the ids", async () => {
    await t.store.sessions.create({ id: "raw" });
    await t.store.messages.append("raw", [
      { id: "q", role: "user", content: "question" },
      { id: "r", role: "assistant", parts: [{ type: "text", text: "answer" }] },
    ]);
    const chats = createChats(t.store);
    const { messages } = await chats.load("raw");
    const next = [...messages, userMessage("q2", "more")];
    expect(await chats.save("raw", next)).toMatchObject({ written: 3, removed: 2 });
    expect(await chats.save("raw", next)).toMatchObject({ written: 0 });
    expect((await t.store.messages.list("raw")).items.map((m) => m.id)).toEqual(["q", "r", "q2"]);
    expect((await chats.load("raw")).messages).toStrictEqual(JSON.parse(JSON.stringify(next)));
  });

  it("a chat written without this package loads as well as its parts allow", async () => {
    await t.store.sessions.create({ id: "raw" });
    await t.store.messages.append("raw", [
      { role: "system", content: "sys" },
      { id: "q", role: "user", content: "question" },
      {
        id: "r",
        role: "assistant",
        parts: [
          { type: "tool-call", toolCallId: "k", toolName: "lookup", input: { x: 1 } },
          { type: "tool-result", toolCallId: "k", toolName: "lookup", output: "found" },
          { type: "text", text: "done" },
        ],
      },
      { role: "tool", content: "dropped: UI messages have no tool role" },
    ]);
    const { messages } = await createChats(t.store).load("raw");
    expect(messages.slice(1)).toStrictEqual([
      { id: "q", role: "user", parts: [{ type: "text", text: "question" }] },
      {
        id: "r",
        role: "assistant",
        parts: [
          {
            type: "dynamic-tool",
            toolName: "lookup",
            toolCallId: "k",
            input: { x: 1 },
            state: "output-available",
            output: "found",
          },
          { type: "text", text: "done" },
        ],
      },
    ]);
    expect(messages).toHaveLength(3);
  });
});
