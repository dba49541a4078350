// Where getTuple's time goes on a 200-message thread: the SQL alone (through
// the store's pool), and the whole call. node bench/profile-get.mjs
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyCheckpoint, TASKS, uuid6 } from "@langchain/langgraph-checkpoint";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore } from "@llm-sessions/core";
import { attachExtension } from "@llm-sessions/core/extension";
import { langgraphExtension, SessionStoreSaver } from "@llm-sessions/langgraph";
import { SELECT_TUPLE } from "../dist/rows.js";

const dir = mkdtempSync(join(tmpdir(), "lg-prof-"));
const store = await openStore({ driver: betterSqlite({ filename: join(dir, "p.db") }) });
const saver = await SessionStoreSaver.open(store);
const handle = await attachExtension(store, langgraphExtension);
let config = { configurable: { thread_id: "t", checkpoint_ns: "" } };
const messages = [];
for (let s = 0; s < 200; s++) {
  messages.push({ role: "user", content: `m ${s}`.padEnd(200, "x") });
  const cp = {
    ...emptyCheckpoint(),
    id: uuid6(0),
    channel_values: { messages: [...messages] },
    channel_versions: { messages: s + 1 },
  };
  config = await saver.put(
    config,
    cp,
    { source: "loop", step: s, parents: {} },
    { messages: s + 1 },
  );
}
const time = async (label, fn) => {
  for (let i = 0; i < 200; i++) await fn();
  const t = performance.now();
  for (let i = 0; i < 2000; i++) await fn();
  console.log(label, ((performance.now() - t) / 2000).toFixed(3), "ms");
};
const sql = `${SELECT_TUPLE} WHERE s.tenant_id = ? AND s.id = ? AND c.checkpoint_ns = ? ORDER BY c.checkpoint_id DESC LIMIT 1`;
await time("sql only (pool read)", () => handle.read((q) => q.get(sql, [TASKS, "", "t", ""])));
await time("trivial pool read", () => handle.read((q) => q.get("SELECT 1")));
await time("getTuple", () => saver.getTuple({ configurable: { thread_id: "t" } }));
await time("serde of the value", () => saver.serde.loadsTyped("json", JSON.stringify(messages)));
await store.close();
rmSync(dir, { recursive: true, force: true });
