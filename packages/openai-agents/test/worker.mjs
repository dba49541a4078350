// One of several processes replaying one history transaction on one store
// file, with the built package (dist). argv: <file> <adapter> <sessionId>
// <worker index> <workers> <replays> <transaction JSON>
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { nodeSqlite } from "@llm-sessions/adapter-node-sqlite";
import { openStore } from "@llm-sessions/core";
import { SessionStoreSession } from "@llm-sessions/openai-agents";

const [file, adapter, sessionId, index, workers, replays, transaction] = process.argv.slice(2);
const driver =
  adapter === "node:sqlite" ? nodeSqlite({ filename: file }) : betterSqlite({ filename: file });
const store = await openStore({ driver });
try {
  // Rendezvous: each worker creates a marker session and starts once all exist,
  // so that the replays of all processes certainly overlap.
  await store.sessions.create({ id: `ready-${sessionId}-${index}` });
  for (;;) {
    const ready = (await store.sessions.list({ limit: 1000 })).items.filter((s) =>
      s.id.startsWith(`ready-${sessionId}-`),
    );
    if (ready.length === Number(workers)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const session = new SessionStoreSession(store, { sessionId });
  const args = JSON.parse(transaction);
  await Promise.all(
    Array.from({ length: Number(replays) }, () => session.applyHistoryTransaction(args)),
  );
} finally {
  await store.close();
}
