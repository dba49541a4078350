// A second process on the same store file: runs its own threads through a
// StateGraph with the built package (dist), while the test's process runs
// others. argv: <file> <adapter> <prefix> <threads>
import { Command } from "@langchain/langgraph";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { nodeSqlite } from "@llm-sessions/adapter-node-sqlite";
import { openStore } from "@llm-sessions/core";
import { SessionStoreSaver } from "@llm-sessions/langgraph";
import { buildGraph } from "./graph-js.mjs";

const [file, adapter, prefix, count] = process.argv.slice(2);
const driver =
  adapter === "node:sqlite" ? nodeSqlite({ filename: file }) : betterSqlite({ filename: file });
const store = await openStore({ driver });
try {
  const graph = buildGraph(await SessionStoreSaver.open(store));
  for (let i = 0; i < Number(count); i++) {
    const thread = { configurable: { thread_id: `${prefix}-${i}` } };
    await graph.invoke({ log: [`${prefix}-${i}`] }, thread);
    await graph.invoke(new Command({ resume: prefix }), thread);
    // Rendezvous: carry on only once the other process has written its first thread,
    // so the two are certainly writing the file at the same time.
    while (
      i === 0 &&
      !(await store.sessions.list({ limit: 100 })).items.some((s) => s.id === "p-0")
    ) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
} finally {
  await store.close();
}
