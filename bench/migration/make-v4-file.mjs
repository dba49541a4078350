// Run with the v4 code (see bench/README.md, "Schema migrations"): node make-v4-file.mjs <file> <messages>
// Writes a v4 store with N messages: the schema by the v4 code, rows by raw inserts (the v4
// triggers keep the counters and queue every message for the search index), the index by the
// v4 store. Progress goes to stderr.

import { rmSync } from "node:fs";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore, SCHEMA_VERSION } from "@llm-sessions/core";
import Database from "better-sqlite3";

const [file, n] = [process.argv[2], Number(process.argv[3])];
if (SCHEMA_VERSION !== 4) throw new Error(`this is schema ${SCHEMA_VERSION}, not v4`);
rmSync(file, { force: true });
let store = await openStore({ driver: betterSqlite({ filename: file }) });
await store.close();
const db = new Database(file);
db.pragma("synchronous = OFF");
const perSession = 100;
const roles = ["system", "user", "assistant", "tool"];
const s = db.prepare(
  `INSERT INTO sessions (pk, id, tenant_id, title, model, status, metadata, created_at, updated_at, last_activity_at, expires_at)
   VALUES (?, ?, ?, ?, 'm', ?, ?, ?, ?, ?, ?)`,
);
const m = db.prepare(
  `INSERT INTO messages (session_pk, id, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const t0 = Date.UTC(2026, 0, 1);
const started = performance.now();
db.exec("BEGIN");
for (let i = 0; i < n / perSession; i++) {
  // The same id in two tenants (v4 scopes ids to their tenant), every 10th session idle (set at the end).
  const tenant = i % 3 === 0 ? "" : `tenant-${i % 7}`;
  const expires = i % 11 === 0 ? t0 + 1e10 + i : null;
  s.run(
    i + 1,
    `s-${Math.floor(i / 2)}`,
    i % 2 ? `${tenant}-b` : tenant,
    `Session ${i} ✓`,
    "active",
    `{"i":${i},"tag":"ü"}`,
    t0 + i,
    t0 + i,
    t0 + i,
    expires,
  );
  for (let j = 1; j <= perSession; j++) {
    const k = i * perSession + j;
    const role = j === 1 ? "system" : (roles[1 + (j % 3)] ?? "user");
    m.run(
      i + 1,
      `m-${k}`,
      j,
      role,
      `message ${k} café 🦜 ${"lorem ipsum ".repeat(k % 20)}${k % 97 === 0 ? "\ttab\nline\r\n" : ""}`,
      role === "tool" ? `tool_${k % 5}` : null,
      role === "assistant" ? `model-${k % 3}` : null,
      k % 4 === 0 ? null : k % 100,
      k % 6 === 0 ? null : k % 1000,
      `{"k":${k},"nested":{"a":[1,2,"ß"]}}`,
      j % 5 === 0 ? `key-${k}` : null,
      t0 + k,
    );
  }
  if (i % 1000 === 999) {
    db.exec("COMMIT; BEGIN");
    process.stderr.write(
      `rows ${(i + 1) * perSession} ${Math.round((performance.now() - started) / 1000)} s\n`,
    );
  }
}
db.exec("COMMIT");
// Appends make a session active: the idle ones are set afterwards.
db.exec("UPDATE sessions SET status = 'idle' WHERE pk % 10 = 1");
db.close();
store = await openStore({ driver: betterSqlite({ filename: file }) });
process.stderr.write("indexing\n");
await store.flushSearchIndex();
await store.close();
console.log("wrote", file, "in", Math.round((performance.now() - started) / 1000), "s");
