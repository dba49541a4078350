// Run with the v3 code (see bench/README.md, "Schema migrations"): node make-v3-file.mjs <file> <messages>
// Writes a v3 store with N messages: the schema by the v3 code, rows by raw inserts, the search index by the v3 store.

import { rmSync } from "node:fs";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore, SCHEMA_VERSION } from "@llm-sessions/core";
import Database from "better-sqlite3";

const [file, n] = [process.argv[2], Number(process.argv[3])];
rmSync(file, { force: true });
let store = await openStore({ driver: betterSqlite({ filename: file }) });
if (SCHEMA_VERSION !== 3) throw new Error("not v3");
await store.close();
const db = new Database(file);
db.pragma("synchronous = OFF");
const perSession = 100;
const s = db.prepare(
  "INSERT INTO sessions (id, tenant_id, title, model, created_at, updated_at, last_activity_at) VALUES (?, ?, ?, 'm', ?, ?, ?)",
);
const m = db.prepare(
  "INSERT INTO messages (id, session_id, seq, role, content, tokens, metadata, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
const t0 = Date.UTC(2026, 0, 1);
db.exec("BEGIN");
for (let i = 0; i < n / perSession; i++) {
  const sid = `s-${i}`;
  s.run(sid, i % 3 === 0 ? "" : `tenant-${i % 7}`, `Session ${i} ✓`, t0 + i, t0 + i, t0 + i);
  for (let j = 1; j <= perSession; j++) {
    const k = i * perSession + j;
    m.run(
      `m-${k}`,
      sid,
      j,
      j % 2 ? "user" : "assistant",
      `message ${k} café 🦜 ${"lorem ipsum ".repeat(k % 20)}`,
      k % 100,
      `{"k":${k}}`,
      j % 5 === 0 ? `key-${k}` : null,
      t0 + k,
    );
  }
  if (i % 1000 === 999) {
    db.exec("COMMIT; BEGIN");
  }
}
db.exec("COMMIT");
db.close();
store = await openStore({ driver: betterSqlite({ filename: file }) });
console.log("indexed", await store.flushSearchIndex());
await store.close();
