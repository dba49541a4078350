import { streamText, type UIMessage } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChats, StaleChatError } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";
import { clientView, scriptedModel, textTurn, tools, toolTurn, userMessage } from "./model.js";
import { turn } from "./turn.js";

/** The chunks of a step that calls the client-side tool `askUser` (no `execute`: the client answers). */
const askTurn = [
  {
    type: "tool-call",
    toolCallId: "ask-1",
    toolName: "askUser",
    input: JSON.stringify({ question: "Which city?" }),
  },
  {
    type: "finish",
    finishReason: { unified: "tool-calls", raw: undefined },
    usage: {
      inputTokens: { total: 4, noCache: 4, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 6, text: 6, reasoning: undefined },
    },
  },
];

/** Client-side tools: the model may call `askUser`, the browser answers it. */
const clientTools = {
  askUser: { inputSchema: { type: "object", properties: { question: { type: "string" } } } },
} as const;

describe.each(ADAPTERS)("streamed chats on $name", ({ driver }) => {
  let t: Awaited<ReturnType<typeof tempStore>>;
  beforeEach(async () => {
    t = await tempStore(driver);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("a chat saved through onEnd twice (a retry) and resumed once holds each message once, with the ids the client saw", async () => {
    const { jsonSchema, tool } = await import("ai");
    const toolsForClient = {
      askUser: tool({ inputSchema: jsonSchema(clientTools.askUser.inputSchema) }),
    };
    const chats = createChats(t.store.tenant("alice"));
    const model = scriptedModel([askTurn, textTurn("Paris it is.", "t1", [9, 4])]);

    // Request 1: the model asks the user (a client-side tool); onEnd saves, then the save is retried.
    const first = await chats.load("chat", {
      message: userMessage("u1", "Plan a trip"),
      missingAsEmpty: true,
    });
    const one = await turn(chats, "chat", model, first.messages, {
      tools: toolsForClient,
      save: { expectedVersion: first.version },
    });
    expect(one.client.id).not.toBe("");
    await one.save(one.event);
    await one.save(one.event);
    const afterOne = await t.store.tenant("alice").messages.list("chat");
    expect(afterOne.items.map((m) => m.id)).toEqual(["u1", one.client.id]);

    // Request 2 resumes that message: the client adds the tool's output, the stream continues it.
    const answered = structuredClone(one.client);
    const part = answered.parts.find((p) => p.type === "tool-askUser") as {
      state: string;
      output?: unknown;
    };
    Object.assign(part, { state: "output-available", output: { city: "Paris" } });
    const second = await chats.load("chat", { message: answered });
    expect(second.messages.map((m) => m.id)).toEqual(["u1", one.client.id]);
    const two = await turn(chats, "chat", model, second.messages, {
      tools: toolsForClient,
      save: { expectedVersion: second.version },
    });
    expect(two.event.isContinuation).toBe(true);
    expect(two.client.id).toBe(one.client.id);
    await two.save(two.event);

    // A late retry of request 1's save (an older state of the answer) is a no-op: the store
    // recorded that save as applied, so it cannot put the older message back.
    await one.save(one.event);
    await one.save(one.event);

    // A new store on the file: each message once, as the client has it.
    const other = await t.reopen();
    const reloaded = await createChats(other.tenant("alice")).load("chat");
    expect(reloaded.messages).toStrictEqual(
      JSON.parse(JSON.stringify([userMessage("u1", "Plan a trip"), two.client])),
    );
    const rows = (await other.tenant("alice").messages.list("chat")).items;
    expect(rows.map((m) => m.id)).toEqual(["u1", one.client.id]);
    expect(new Set(rows.map((m) => m.id)).size).toBe(rows.length);
    // Usage of both model calls on the answer, each counted once despite the retries.
    expect(rows[1]?.usage).toEqual({ inputTokens: 13, outputTokens: 10 });
    const session = await other.tenant("alice").sessions.get("chat");
    expect(session.messageCount).toBe(2);
    expect(session.usage.inputTokens).toBe(13);
  });

  it("tool calls with results across steps: saved once, reloaded as the client saw them, parts in the store", async () => {
    const chats = createChats(t.store);
    const model = scriptedModel([
      toolTurn("call-1", "Paris"),
      toolTurn("call-2", "Oslo"),
      textTurn("Paris 5, Oslo 4."),
    ]);
    const history = [userMessage("u1", "Weather in Paris and Oslo?")];
    const run = await turn(chats, "c", model, history, { tools });
    const parts = run.client.parts.map((p) => p.type);
    expect(parts.filter((p) => p === "tool-weather")).toHaveLength(2);
    expect(parts.filter((p) => p === "step-start")).toHaveLength(3);

    const reopened = createChats(await t.reopen());
    expect((await reopened.load("c")).messages).toStrictEqual(
      JSON.parse(JSON.stringify([...history, run.client])),
    );
    const [, answer] = (await t.store.messages.list("c")).items;
    expect(
      answer?.parts
        ?.filter((p) => p.type === "tool-call")
        .map((p) => p.type === "tool-call" && p.input),
    ).toEqual([{ city: "Paris" }, { city: "Oslo" }]);
    expect(answer?.parts).toContainEqual({
      type: "tool-result",
      toolCallId: "call-2",
      toolName: "weather",
      output: { city: "Oslo", celsius: 4 },
    });
    expect(answer?.usage).toEqual({ inputTokens: 13, outputTokens: 24, reasoningTokens: 4 });
    expect((await t.store.stats()).usage.outputTokens).toBe(24);
    expect(answer?.content).toBe("Paris 5, Oslo 4.");
  });

  it("regenerating the last answer replaces it (compare-and-swap on the tail), usage totals follow", async () => {
    const chats = createChats(t.store);
    const model = scriptedModel([
      textTurn("First answer.", "t1", [3, 10]),
      textTurn("Second answer.", "t1", [3, 20]),
    ]);
    const history = [userMessage("u1", "Hello")];
    const first = await turn(chats, "c", model, history);
    const again = await chats.regenerate("c");
    expect(again.messages).toStrictEqual(history);
    // Nothing is removed before the new answer is saved.
    expect((await t.store.messages.list("c")).items).toHaveLength(2);
    const second = await turn(chats, "c", model, again.messages, {
      save: { expectedVersion: again.version },
    });
    expect(second.client.id).not.toBe(first.client.id);
    const loaded = await createChats(await t.reopen()).load("c");
    expect(loaded.messages).toStrictEqual(JSON.parse(JSON.stringify([...history, second.client])));
    const session = await t.store.sessions.get("c");
    expect(session.messageCount).toBe(2);
    expect(session.usage.outputTokens).toBe(20);
    await t.store.flushSearchIndex();
    expect((await t.store.search("First")).items).toHaveLength(0);
    expect((await t.store.search("Second")).items.map((h) => h.message.id)).toEqual([
      second.client.id,
    ]);
  });

  it("a save based on a version the chat has left is a StaleChatError and writes nothing", async () => {
    const chats = createChats(t.store);
    const model = scriptedModel([
      textTurn("From tab one."),
      textTurn("From tab two."),
      textTurn("Again."),
    ]);
    await chats.save("c", [userMessage("u1", "Hello")]);
    // Two tabs send a message on the same history at once.
    const tabOne = await chats.load("c", { message: userMessage("u2", "one") });
    const tabTwo = await chats.load("c", { message: userMessage("u3", "two") });
    await turn(chats, "c", model, tabOne.messages, { save: { expectedVersion: tabOne.version } });
    const late = turn(chats, "c", model, tabTwo.messages, {
      save: { expectedVersion: tabTwo.version },
    });
    await expect(late).rejects.toBeInstanceOf(StaleChatError);
    const ids = (await chats.load("c")).messages.map((m) => m.id);
    expect(ids.slice(0, 2)).toEqual(["u1", "u2"]);
    expect(ids).toHaveLength(3);
    // Without expectedVersion the newer list wins: the tail goes tab two's way.
    const three = await turn(chats, "c", model, tabTwo.messages);
    expect((await chats.load("c")).messages.map((m) => m.id)).toEqual([
      "u1",
      "u3",
      three.client.id,
    ]);
  });

  it("an aborted stream's partial answer is saved, and the resumed answer replaces it in place", async () => {
    const chats = createChats(t.store);
    const abort = new AbortController();
    const stalled = new MockLanguageModelV4({
      doStream: async () => ({
        stream: new ReadableStream({
          start(controller) {
            controller.enqueue({ type: "text-start", id: "t1" });
            controller.enqueue({ type: "text-delta", id: "t1", delta: "Half an ans" });
            // The client goes away mid-answer.
            queueMicrotask(() => abort.abort());
          },
        }),
      }),
    });
    const history = [userMessage("u1", "Tell me")];
    const result = streamText({ model: stalled, prompt: "Tell me", abortSignal: abort.signal });
    let saved: Promise<void> | undefined;
    const save = chats.onEnd("c", { usage: result.totalUsage });
    const response = result.toUIMessageStreamResponse({
      originalMessages: history,
      generateMessageId: chats.generateMessageId,
      onEnd: (event) => {
        saved = save(event);
        return saved;
      },
    });
    const partial = await clientView(response);
    await saved;
    const stored = (await chats.load("c")).messages;
    expect(stored).toStrictEqual(JSON.parse(JSON.stringify([...history, partial])));
    expect((await t.store.messages.list("c")).items[1]?.usage).toBeNull();

    // The resumed stream continues the same message (the last original one is the assistant's).
    const resumed = await turn(chats, "c", scriptedModel([textTurn("The whole answer.")]), stored);
    expect(resumed.event.isContinuation).toBe(true);
    expect(resumed.client.id).toBe(partial.id);
    const rows = (await t.store.messages.list("c")).items;
    expect(rows.map((m) => m.id)).toEqual(["u1", partial.id]);
    expect(rows[1]?.usage).toEqual({ inputTokens: 3, outputTokens: 10 });
    expect((await chats.load("c")).messages).toStrictEqual(
      JSON.parse(JSON.stringify([...history, resumed.client])),
    );
  });

  it("a tool call waiting for approval, approved by the user, runs and completes the same message", async () => {
    const chats = createChats(t.store);
    const model = scriptedModel([toolTurn("call-1", "Rome"), textTurn("Rome: 4 degrees.")]);
    const history = [userMessage("u1", "Weather in Rome?")];
    const one = await turn(chats, "c", model, history, { tools, approve: ["weather"] });
    const asking = one.client.parts.find((p) => p.type === "tool-weather") as {
      state: string;
      approval?: { id: string };
    };
    expect(asking.state).toBe("approval-requested");
    const saved = (await chats.load("c")).messages;
    expect(saved).toStrictEqual(JSON.parse(JSON.stringify([...history, one.client])));

    // The user approves in the browser; the client sends the updated message.
    const approved = structuredClone(one.client);
    const part = approved.parts.find((p) => p.type === "tool-weather") as Record<string, unknown>;
    Object.assign(part, {
      state: "approval-responded",
      approval: { id: asking.approval?.id, approved: true },
    });
    const loaded = await chats.load("c", { message: approved });
    const two = await turn(chats, "c", model, loaded.messages, {
      tools,
      approve: ["weather"],
      save: { expectedVersion: loaded.version },
    });
    expect(two.client.id).toBe(one.client.id);
    const done = two.client.parts.find((p) => p.type === "tool-weather") as {
      state: string;
      output?: unknown;
    };
    expect(done).toMatchObject({ state: "output-available", output: { city: "Rome", celsius: 4 } });
    const rows = (await t.store.messages.list("c")).items;
    expect(rows.map((m) => m.id)).toEqual(["u1", one.client.id]);
    expect(rows[1]?.parts).toContainEqual({
      type: "tool-result",
      toolCallId: "call-1",
      toolName: "weather",
      output: { city: "Rome", celsius: 4 },
    });
    expect((await createChats(await t.reopen()).load("c")).messages).toStrictEqual(
      JSON.parse(JSON.stringify([...history, two.client])),
    );
  });

  it("the deprecated onFinish saves the same way", async () => {
    const chats = createChats(t.store);
    const model = scriptedModel([textTurn("Hi.")]);
    const run = await turn(chats, "c", model, [userMessage("u1", "Hey")], { callback: "onFinish" });
    expect((await chats.load("c")).messages.map((m) => m.id)).toEqual(["u1", run.client.id]);
  });

  it("a list that is a prefix of the chat (a late retry of an earlier save) changes nothing", async () => {
    const chats = createChats(t.store);
    const longer: UIMessage[] = [
      userMessage("u1", "a"),
      userMessage("u2", "b"),
      userMessage("u3", "c"),
    ];
    await chats.save("c", longer);
    expect(await chats.save("c", longer.slice(0, 2))).toMatchObject({ written: 0, removed: 0 });
    expect((await chats.load("c")).messages).toStrictEqual(longer);
  });

  it("an edited message replaces the chat's tail from it", async () => {
    const chats = createChats(t.store);
    await chats.save("c", [userMessage("u1", "a"), userMessage("u2", "b"), userMessage("u3", "c")]);
    const edited = [userMessage("u1", "a"), userMessage("u2", "B!")];
    expect(await chats.save("c", edited)).toMatchObject({ written: 1, removed: 2 });
    expect((await chats.load("c")).messages).toStrictEqual(edited);
  });
});
