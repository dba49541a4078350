// Copies a v4 store file, opens the copy with this version (which migrates it to v5), and checks
// that every message came over: counts (messages, per session, the sessions' counters), 2,000
// random messages compared byte for byte with the v4 rows (every column, the session's id and
// tenant), the same messages read through the v5 API (content, metadata, role, seq, tokens),
// the v5 columns a v4 message must not have (parts, usage), and search.
// node bench/migration/migrate-v4-file.mjs <v4 file> <copy> [samples]

import { copyFileSync, rmSync } from "node:fs";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore, SCHEMA_VERSION } from "@llm-sessions/core";
import Database from "better-sqlite3";

const [src, dst] = process.argv.slice(2);
const samples = Number(process.argv[4] ?? 2000);
if (SCHEMA_VERSION !== 5) throw new Error(`this is schema ${SCHEMA_VERSION}, not v5`);
for (const suffix of ["", "-wal", "-shm"]) rmSync(dst + suffix, { force: true });
copyFileSync(src, dst);

const COLUMNS = `m.pk, m.id, s.id AS session_id, s.tenant_id, m.seq, m.role, m.content, m.name, m.model,
  m.tokens, m.latency_ms, m.metadata, m.idempotency_key, m.created_at`;
const SAMPLE = `SELECT ${COLUMNS} FROM messages m JOIN sessions s ON s.pk = m.session_pk WHERE m.pk = ?`;
/** Per session: its key, id, tenant, status and counters, and what its messages add up to. */
const SESSIONS = `SELECT s.pk, s.id, s.tenant_id, s.status, s.message_count, s.token_count, s.last_seq,
  (SELECT count(*) FROM messages m WHERE m.session_pk = s.pk) AS counted,
  (SELECT coalesce(sum(tokens), 0) FROM messages m WHERE m.session_pk = s.pk) AS tokens_summed
  FROM sessions s ORDER BY s.pk`;

const v4 = new Database(src, { readonly: true });
if (v4.pragma("user_version", { simple: true }) !== 4) throw new Error(`${src} is not a v4 file`);
const count4 = v4.prepare("SELECT count(*) n FROM messages").get().n;
const maxPk = v4.prepare("SELECT max(pk) n FROM messages").get().n;
const sessions4 = v4.prepare(SESSIONS).all();
const sample = [];
const get4 = v4.prepare(SAMPLE);
while (sample.length < samples) {
  const row = get4.get(1 + Math.floor(Math.random() * maxPk));
  if (row) sample.push(row);
}
v4.close();

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const store = await openStore({ driver: betterSqlite({ filename: dst }) });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(
  `schema ${SCHEMA_VERSION}; migration ${JSON.stringify(store.migration)}; openStore ${(ms / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`,
);

// Through the v5 API: each sampled message, in its tenant, by its seq.
let sameApi = 0;
for (const r of sample) {
  const view = store.tenant(r.tenant_id === "" ? null : r.tenant_id);
  const page = await view.messages.list(r.session_id, { afterSeq: r.seq - 1, limit: 1 });
  const m = page.items[0];
  if (
    m &&
    m.id === r.id &&
    m.seq === r.seq &&
    m.role === r.role &&
    m.content === r.content &&
    JSON.stringify(m.metadata) === r.metadata &&
    m.name === r.name &&
    m.model === r.model &&
    m.tokens === r.tokens &&
    m.latencyMs === r.latency_ms &&
    m.idempotencyKey === r.idempotency_key &&
    m.createdAt === r.created_at &&
    m.parts === null &&
    m.usage === null
  ) {
    sameApi++;
  }
}
const searched = await store.search("café", { limit: 1 });
await store.close();

const v5 = new Database(dst, { readonly: true });
const count5 = v5.prepare("SELECT count(*) n FROM messages").get().n;
const get5 = v5.prepare(SAMPLE);
let sameBytes = 0;
const differing = [];
for (const r of sample) {
  const m = get5.get(r.pk);
  const same =
    m &&
    Object.keys(r).every((k) =>
      r[k] === null
        ? m[k] === null
        : typeof r[k] === "string"
          ? Buffer.from(m[k], "utf8").equals(Buffer.from(r[k], "utf8"))
          : m[k] === r[k],
    );
  if (same) sameBytes++;
  else if (differing.length < 3) differing.push({ v4: r, v5: m });
}
const sessions5 = v5.prepare(SESSIONS).all();
const sessionsSame =
  sessions5.length === sessions4.length &&
  sessions5.every((s, i) =>
    Object.entries(sessions4[i]).every(([k, v]) => s[k] === v && s.counted === s.message_count),
  );
const v5Columns = v5
  .prepare(
    `SELECT count(*) n FROM messages WHERE parts IS NOT NULL OR parts_chunks IS NOT NULL
     OR input_tokens IS NOT NULL OR output_tokens IS NOT NULL OR cached_input_tokens IS NOT NULL
     OR reasoning_tokens IS NOT NULL OR cost_micros IS NOT NULL OR cost_currency IS NOT NULL`,
  )
  .get().n;
const matches = v5
  .prepare("SELECT count(*) n FROM messages_fts WHERE messages_fts MATCH 'café'")
  .get().n;
const pending = v5.prepare("SELECT count(*) n FROM messages_fts_pending").get().n;
const integrity = v5.pragma("quick_check", { simple: true });
v5.close();
console.log(`messages: v4 ${count4}, v5 ${count5}`);
console.log(
  `sessions: ${sessions4.length}; every session's id, tenant, status, counters and message count equal after: ${sessionsSame}`,
);
console.log(
  `sampled ${sample.length}: byte-identical rows ${sameBytes}; identical through the v5 API ${sameApi}`,
);
console.log(`v4 messages with a v5 column set (parts, chunks, usage): ${v5Columns}`);
console.log(
  `search: 'café' matches ${matches} in the index (${pending} queued); store.search found ${searched.items.length > 0 ? "hits" : "nothing"}; quick_check ${integrity}`,
);
if (differing.length) console.log("differing", JSON.stringify(differing, null, 1));
