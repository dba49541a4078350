import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTracingDisabled } from "@openai/agents-core";
import { expect, it } from "vitest";
import { ToyModel } from "./toy-model.js";

setTracingDisabled(true);

const README = fileURLToPath(new URL("../README.md", import.meta.url));

/** The README's first js block: the example, exactly as a reader copies it. */
function example(): string {
  const found = /```js\n([\s\S]*?)```/.exec(readFileSync(README, "utf8"));
  if (!found?.[1]) throw new Error("README has no js example");
  return found[1];
}

it("the README example runs (with the toy model in place of OpenAI's) and its history persists", async () => {
  const code = example();
  expect(code.split("\n").length).toBeLessThan(40);
  // Written beside the package so that its imports resolve as a user's would.
  const file = fileURLToPath(new URL("../.readme-example.mjs", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "llm-sessions-openai-agents-readme-"));
  writeFileSync(file, code);
  try {
    const { chat } = await import(/* @vite-ignore */ file);
    const db = join(dir, "agents.db");
    expect(await chat(db, new ToyModel("assistant"))).toEqual([
      "result: sunny in Paris",
      "assistant: thanks",
    ]);
    // A second run continues the same conversation from the file.
    const model = new ToyModel("assistant");
    expect(await chat(db, model)).toEqual(["result: sunny in Paris", "assistant: thanks"]);
    const { openStore } = await import("@llm-sessions/core");
    const { betterSqlite } = await import("@llm-sessions/adapter-better-sqlite");
    const store = await openStore({ driver: betterSqlite({ filename: db }) });
    try {
      const session = await store.tenant("acme").sessions.get("user-42");
      expect(session.title).toBe("Weather chat");
      expect(session.messageCount).toBe(12);
      expect(session.usage.inputTokens).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(file, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
