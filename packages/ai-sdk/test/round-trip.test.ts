import { convertToModelMessages, type UIMessage } from "ai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChats, ENVELOPE_NAME } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";
import { everyPartChat } from "./fixtures.js";

describe.each(ADAPTERS)("round trip on $name", ({ driver }) => {
  let t: Awaited<ReturnType<typeof tempStore>>;
  beforeEach(async () => {
    t = await tempStore(driver);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("every UI part comes back deep-equal, with its ids, from another store on the file", async () => {
    const chat = everyPartChat();
    const result = await createChats(t.store).save("chat-1", chat);
    expect(result).toMatchObject({ written: 3, removed: 0 });
    const other = createChats(await t.reopen());
    const { messages } = await other.load("chat-1");
    expect(messages).toStrictEqual(JSON.parse(JSON.stringify(chat)));
    expect(messages.map((m) => m.id)).toEqual(["sys-1", "user-1", "assistant-1"]);
    // Ready for the model: the AI SDK converts what was loaded.
    const model = await convertToModelMessages(messages, { ignoreIncompleteToolCalls: true });
    expect(model.map((m) => m.role)).toContain("tool");
  });

  it("maps UI parts onto the store's parts: search and windows see them", async () => {
    await createChats(t.store).save("chat-1", everyPartChat());
    const stored = (await t.store.messages.list("chat-1")).items;
    // A bare text message is a plain store message; the others carry parts and the envelope last.
    expect(stored[0]?.parts).toBeNull();
    expect(stored[0]?.content).toBe("Be brief.");
    const assistant = stored[2];
    const types = assistant?.parts?.map((p) => p.type);
    expect(types?.filter((x) => x === "tool-call")).toHaveLength(8);
    // Results for the output, the error and the denial.
    expect(types?.filter((x) => x === "tool-result")).toHaveLength(4);
    expect(assistant?.parts?.at(-1)).toMatchObject({ type: "data", name: ENVELOPE_NAME });
    expect(assistant?.parts).toContainEqual({
      type: "tool-result",
      toolCallId: "call-err",
      toolName: "weather",
      output: "no such city",
      isError: true,
    });
    expect(assistant?.parts).toContainEqual({
      type: "data",
      name: "weather",
      id: "w-1",
      data: { city: "Paris", celsius: 21 },
    });
    expect(stored[1]?.parts?.filter((p) => p.type === "file")).toHaveLength(2);
    // Content is the text parts: searchable; reasoning is not.
    expect(assistant?.content).toBe("A cat. \nParis: 21 °C, clear. Ünïcödé ✓ 😀");
    await t.store.flushSearchIndex();
    const hits = await t.store.search("clear");
    expect(hits.items.map((h) => h.message.id)).toEqual(["assistant-1"]);
    expect((await t.store.search("signature")).items).toHaveLength(0);
    // The window keeps a call with its results (one message here).
    const window = await t.store.messages.window("chat-1", { maxMessages: 2 });
    expect(window.map((m) => m.id)).toEqual(["sys-1", "assistant-1"]);
  });

  it("stores each bulky value once: text, urls, tool inputs and outputs live in the store parts only", async () => {
    await createChats(t.store).save("chat-1", everyPartChat());
    const [, user, assistant] = (await t.store.messages.list("chat-1")).items;
    const envelope = JSON.stringify(user?.parts?.at(-1));
    expect(envelope).not.toContain("iVBORw0KGgo=");
    expect(JSON.stringify(assistant?.parts?.at(-1))).not.toContain("21 °C");
    expect(JSON.stringify(assistant?.parts?.at(-1))).not.toContain("Atlantis");
  });

  it("loads a message list the same way it was given, also after a message with no parts but text", async () => {
    const chats = createChats(t.store);
    const messages: UIMessage[] = [
      { id: "u", role: "user", parts: [{ type: "text", text: "" }] },
      { id: "a", role: "assistant", parts: [] },
      {
        id: "u2",
        role: "user",
        parts: [
          { type: "text", text: "two" },
          { type: "text", text: "parts" },
        ],
      },
    ];
    await chats.save("c", messages);
    expect((await chats.load("c")).messages).toStrictEqual(messages);
  });
});
