// Bench: SessionStoreSaver (better-sqlite3) beside LangGraph's SqliteSaver
// (@langchain/langgraph-checkpoint-sqlite) in the same run, same machine,
// both WAL with synchronous=NORMAL. Run after `npm run build`:
//   node bench/checkpointers.mjs [threads=32] [steps=200]
// A thread is a growing message-list state: each step appends one ~200-byte
// message to `messages` and bumps `step`; `system` (a 2 KB prompt) never
// changes. Puts go straight to the saver, as LangGraph's loop makes them
// (new versions only for the channels that changed).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore } from "@llm-sessions/core";
import { SessionStoreSaver } from "@llm-sessions/langgraph";

const THREADS = Number(process.argv[2] ?? 32);
const STEPS = Number(process.argv[3] ?? 200);
const SYSTEM = "s".repeat(2048);

function pct(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Bytes of the pages in use (file pages minus free pages): deleted rows free pages without shrinking the file. */
function usedBytes(db) {
  const pages = Number(db.pragma("page_count", { simple: true }));
  const free = Number(db.pragma("freelist_count", { simple: true }));
  return (pages - free) * Number(db.pragma("page_size", { simple: true }));
}

function fileBytes(path) {
  let total = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      total += statSync(path + suffix).size;
    } catch {}
  }
  return total;
}

async function run(name, open) {
  const dir = mkdtempSync(join(tmpdir(), "lg-bench-"));
  const path = join(dir, "bench.db");
  const { saver, close, checkpoint } = await open(path);
  const putMs = [];
  const getMs = [];
  for (let t = 0; t < THREADS; t++) {
    let config = { configurable: { thread_id: `thread-${t}`, checkpoint_ns: "" } };
    const messages = [];
    const versions = { system: 1, messages: 1, step: 1 };
    for (let s = 0; s < STEPS; s++) {
      messages.push({
        role: s % 2 ? "assistant" : "user",
        content: `message ${s} `.padEnd(200, "x"),
      });
      versions.messages += 1;
      versions.step += 1;
      const cp = {
        ...emptyCheckpoint(),
        id: uuid6(t),
        channel_values: { system: SYSTEM, messages: [...messages], step: s },
        channel_versions: { ...versions },
      };
      const newVersions =
        s === 0 ? { ...versions } : { messages: versions.messages, step: versions.step };
      const started = performance.now();
      config = await saver.put(config, cp, { source: "loop", step: s, parents: {} }, newVersions);
      putMs.push(performance.now() - started);
      if (s % 10 === 9) {
        const g = performance.now();
        const tuple = await saver.getTuple({
          configurable: { thread_id: `thread-${t}`, checkpoint_ns: "" },
        });
        getMs.push(performance.now() - g);
        if (tuple.checkpoint.channel_values.messages.length !== s + 1)
          throw new Error(`${name}: wrong state`);
      }
    }
  }
  const listStarted = performance.now();
  let listed = 0;
  for await (const _ of saver.list({ configurable: { thread_id: "thread-0" } }, { limit: 100 }))
    listed++;
  const listMs = performance.now() - listStarted;
  if (listed !== Math.min(100, STEPS) && !name.includes("keepLast"))
    throw new Error(`${name}: listed ${listed}`);
  await checkpoint();
  const bytes = fileBytes(path);
  await close();
  const Database = (await import("better-sqlite3")).default;
  const db = new Database(path, { readonly: true });
  const used = usedBytes(db);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    name,
    putP50: pct(putMs, 50).toFixed(3),
    putP99: pct(putMs, 99).toFixed(3),
    getP50: pct(getMs, 50).toFixed(3),
    list100Ms: listMs.toFixed(2),
    listed,
    fileMB: (bytes / 1e6).toFixed(1),
    usedMB: (used / 1e6).toFixed(1),
  };
}

const rows = [];
rows.push(
  await run("langgraph-checkpoint-sqlite SqliteSaver", async (path) => {
    const saver = SqliteSaver.fromConnString(path);
    saver.setup();
    saver.db.pragma("synchronous = NORMAL");
    return {
      saver,
      checkpoint: async () => saver.db.pragma("wal_checkpoint(TRUNCATE)"),
      close: async () => saver.db.close(),
    };
  }),
);
for (const [name, options] of [
  ["SessionStoreSaver (values once per version)", {}],
  ["SessionStoreSaver keepLast 10", { keepLast: 10 }],
]) {
  rows.push(
    await run(name, async (path) => {
      const store = await openStore({
        driver: betterSqlite({ filename: path }),
        verifyOnOpen: false,
      });
      const saver = await SessionStoreSaver.open(store, options);
      return {
        saver,
        checkpoint: () => store.maintenance.checkpoint(),
        close: () => store.close(),
      };
    }),
  );
}
console.log(`${THREADS} threads x ${STEPS} steps, better-sqlite3, synchronous=NORMAL; ms`);
console.table(rows);
