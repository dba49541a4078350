// Copies a v3 store file, opens the copy with this version (which migrates it), and checks every
// message came over: counts, and 2,000 random messages compared byte for byte with the v3 rows.
// node bench/migration/migrate-v3-file.mjs <v3 file> <copy>

import { copyFileSync } from "node:fs";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore, SCHEMA_VERSION } from "@llm-sessions/core";
import Database from "better-sqlite3";

const [src, dst] = process.argv.slice(2);
copyFileSync(src, dst);
const v3 = new Database(src, { readonly: true });
const count3 = v3.prepare("SELECT count(*) n FROM messages").get().n;
const pending3 = v3.prepare("SELECT count(*) n FROM messages_fts_pending").get().n;
const sample = [];
for (let i = 0; i < 2000; i++) {
  const k = 1 + Math.floor(Math.random() * count3);
  sample.push(
    v3
      .prepare(
        "SELECT m.*, s.tenant_id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.pk = ?",
      )
      .get(k),
  );
}
v3.close();
const t0 = performance.now();
const store = await openStore({ driver: betterSqlite({ filename: dst }) });
const ms = performance.now() - t0;
console.log(
  "schema",
  SCHEMA_VERSION,
  "migration",
  JSON.stringify(store.migration),
  "openStore ms",
  Math.round(ms),
);
await store.close();
const v4 = new Database(dst, { readonly: true });
const count4 = v4.prepare("SELECT count(*) n FROM messages").get().n;
let same = 0;
for (const r of sample) {
  const m = v4
    .prepare(
      "SELECT m.pk, m.id, s.id AS session_id, m.seq, m.role, m.content, m.name, m.model, m.tokens, m.latency_ms, m.metadata, m.idempotency_key, m.created_at, s.tenant_id FROM messages m JOIN sessions s ON s.pk = m.session_pk WHERE m.pk = ?",
    )
    .get(r.pk);
  const keys = Object.keys(r);
  if (m && keys.every((k) => Buffer.from(String(m[k])).equals(Buffer.from(String(r[k]))))) same++;
}
console.log(
  "messages v3",
  count3,
  "v4",
  count4,
  "pending v3",
  pending3,
  "sampled",
  sample.length,
  "byte-identical",
  same,
);
console.log(
  "search",
  v4.prepare("SELECT count(*) n FROM messages_fts WHERE messages_fts MATCH 'café'").get().n,
);
