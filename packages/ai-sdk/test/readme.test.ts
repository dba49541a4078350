import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatRoute } from "../examples/chat-route.js";
import { createChats } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";
import { clientView, scriptedModel, textTurn, userMessage } from "./model.js";

const MARKER = "<!-- example: examples/chat-route.ts -->\n```ts\n";

describe("README", () => {
  it("shows examples/chat-route.ts character for character", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf(MARKER);
    expect(start).toBeGreaterThan(-1);
    const body = readme.slice(start + MARKER.length);
    const block = body.slice(0, body.indexOf("```\n"));
    expect(block).toBe(readFileSync(new URL("../examples/chat-route.ts", import.meta.url), "utf8"));
    expect(block.split("\n").length).toBeLessThan(40);
  });
});

describe.each(ADAPTERS)("the README's chat route on $name", ({ driver }) => {
  let t: Awaited<ReturnType<typeof tempStore>>;
  beforeEach(async () => {
    t = await tempStore(driver);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("serves two users' chats, each saved once per message with the ids their clients saw", async () => {
    const model = scriptedModel([
      textTurn("Hi Alice."),
      textTurn("Hi Bob."),
      textTurn("Still here."),
    ]);
    const POST = chatRoute(t.store, model, (req) => req.headers.get("x-user") ?? "anonymous");
    const send = async (user: string, body: unknown) =>
      clientView(
        await POST(
          new Request("http://localhost/api/chat", {
            method: "POST",
            headers: { "content-type": "application/json", "x-user": user },
            body: JSON.stringify(body),
          }),
        ),
      );

    const a1 = await send("alice", { id: "chat-1", message: userMessage("a-u1", "Hello") });
    const b1 = await send("bob", { id: "chat-1", message: userMessage("b-u1", "Hey") });
    const a2 = await send("alice", { id: "chat-1", message: userMessage("a-u2", "Still there?") });

    const alice = (await createChats((await t.reopen()).tenant("alice")).load("chat-1")).messages;
    expect(alice).toStrictEqual(
      JSON.parse(
        JSON.stringify([userMessage("a-u1", "Hello"), a1, userMessage("a-u2", "Still there?"), a2]),
      ),
    );
    const bob = (await createChats(t.store.tenant("bob")).load("chat-1")).messages;
    expect(bob).toStrictEqual(JSON.parse(JSON.stringify([userMessage("b-u1", "Hey"), b1])));
    // The answer's usage is on the answer (the mock reports 3 in, 10 out per call).
    const rows = (await t.store.tenant("alice").messages.list("chat-1")).items;
    expect(rows.map((m) => m.usage)).toEqual([
      null,
      { inputTokens: 3, outputTokens: 10 },
      null,
      { inputTokens: 3, outputTokens: 10 },
    ]);
  });
});
