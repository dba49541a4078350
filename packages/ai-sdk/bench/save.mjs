// Save cost as a chat grows: `node bench/save.mjs [turns]` (after `npm run build`).
// Each turn saves the whole list, as onEnd gives it: a user message and an
// answer with a tool call, its result and text, on a file per adapter.
// Prints the median and p95 of a save's time at several chat lengths and the
// stored bytes per message beside the UI message's JSON.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { fileUrl, libsql } from "@llm-sessions/adapter-libsql";
import { nodeSqlite } from "@llm-sessions/adapter-node-sqlite";
import { openStore } from "@llm-sessions/core";
import { createChats } from "../dist/index.js";

const turns = Number(process.argv[2] ?? 200);
const adapters = [
  ["better-sqlite3", (p) => betterSqlite({ filename: p })],
  ["node:sqlite", (p) => nodeSqlite({ filename: p })],
  ["libsql (file)", (p) => libsql({ url: fileUrl(p) })],
];
const text = (n) => `Answer ${n}: ${"lorem ipsum dolor sit amet ".repeat(12)}`;

for (const [name, driver] of adapters) {
  const dir = mkdtempSync(join(tmpdir(), "ai-sdk-bench-"));
  const store = await openStore({ driver: driver(join(dir, "b.db")) });
  const chats = createChats(store.tenant("u"));
  const messages = [];
  const times = [];
  let json = 0;
  for (let i = 0; i < turns; i++) {
    messages.push({ id: `u${i}`, role: "user", parts: [{ type: "text", text: `question ${i}` }] });
    messages.push({
      id: `a${i}`,
      role: "assistant",
      parts: [
        { type: "step-start" },
        {
          type: "tool-search",
          toolCallId: `c${i}`,
          state: "output-available",
          input: { q: `q${i}` },
          output: { hits: [1, 2, 3] },
        },
        { type: "step-start" },
        { type: "text", text: text(i), state: "done" },
      ],
    });
    json += JSON.stringify(messages.at(-1)).length + JSON.stringify(messages.at(-2)).length;
    const t0 = performance.now();
    await chats.save("chat", messages, { usage: { inputTokens: 10, outputTokens: 20 } });
    times.push(performance.now() - t0);
  }
  const at = (from, to) => {
    const s = times.slice(from, to).sort((a, b) => a - b);
    return `${s[Math.floor(s.length / 2)].toFixed(2)} / ${s[Math.floor(s.length * 0.95)].toFixed(2)}`;
  };
  await store.maintenance.checkpoint?.();
  await store.close();
  const bytes = statSync(join(dir, "b.db")).size;
  console.log(
    `${name}: save p50/p95 ms at chat length 2-20: ${at(0, 10)}, ${turns - 18}-${turns * 2}: ${at(turns - 10, turns)}; file ${(bytes / 1024).toFixed(0)} KiB for ${(json / 1024).toFixed(0)} KiB of UI message JSON`,
  );
  rmSync(dir, { recursive: true, force: true });
}
