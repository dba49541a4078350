/**
 * The statements the store runs for each case, copied from
 * packages/core/src/sessions/*.ts and search/search.ts, so that the raw
 * drivers run exactly the same SQL. `sql-check.ts` compares them with what
 * the store really sends (better-sqlite3's `verbose` hook) at the start of
 * every run, so a change in the store that is not mirrored here is reported.
 */

/** A message's stored columns as reads give them back (sessions/rows.ts, MESSAGE_COLUMN_LIST). */
const MESSAGE_COLUMN_LIST = [
  "id",
  "seq",
  "role",
  "content",
  "parts",
  "name",
  "model",
  "tokens",
  "latency_ms",
  "input_tokens",
  "output_tokens",
  "cached_input_tokens",
  "reasoning_tokens",
  "cost_micros",
  "cost_currency",
  "metadata",
  "idempotency_key",
  "created_at",
  "summary_through",
  "parts_chunks",
] as const;

/** rows.ts messageColumns(): parts kept in chunks are joined back in SQL. */
function messageColumns(alias: string): string {
  return MESSAGE_COLUMN_LIST.map((c) =>
    c === "parts"
      ? `CASE WHEN ${alias}.parts_chunks IS NULL THEN ${alias}.parts ELSE (SELECT group_concat(c.data, '') FROM (SELECT data FROM message_blobs WHERE message_pk = ${alias}.pk ORDER BY chunk) AS c) END AS parts`
      : `${alias}.${c}`,
  ).join(", ");
}

/** The columns as stored, for RETURNING (rows.ts RAW_MESSAGE_COLUMNS). */
const RAW_MESSAGE_COLUMNS = MESSAGE_COLUMN_LIST.join(", ");

/** What a copy writes (rows.ts MESSAGE_COPY_COLUMNS). */
const MESSAGE_COPY_COLUMNS = MESSAGE_COLUMN_LIST.filter((c) => c !== "parts_chunks");

const SESSION_COLUMN_NAMES =
  "pk, id, tenant_id, title, model, status, metadata, message_count, token_count, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micros, cost_currency, compacted_through, last_seq, created_at, updated_at, last_activity_at, expires_at, archived_at, parent_id, parent_seq";

export const SESSION_COLUMNS = SESSION_COLUMN_NAMES.replace(
  "parent_id",
  "(SELECT p.id FROM sessions AS p WHERE p.pk = sessions.parent_pk) AS parent_id",
);

/** The stored columns of a new message (sessions/append-sql.ts COLUMNS). */
const INSERT_COLUMNS =
  "id, session_pk, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at, parts, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micros, cost_currency, parts_chunks, summary_through";

/** One arm of a tenant's list by activity (session-pages.ts tenantPage: one per status). */
const listArm = `SELECT * FROM (SELECT ${SESSION_COLUMNS} FROM sessions WHERE tenant_id = ? AND status = ? ORDER BY last_activity_at DESC, id DESC LIMIT ?)`;

/** context.ts sessionPkSql, root scope. */
const ROOT_SESSION_PK =
  "(SELECT CASE WHEN count(*) = 1 THEN max(pk) END FROM sessions WHERE id = ?)";

export const SQL = {
  begin: "BEGIN IMMEDIATE",
  commit: "COMMIT",
  /** loadSession (sessions/context.ts), root scope. */
  loadSession: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE sessions.id = ? LIMIT 2`,
  /** sessions.create */
  createSession: `INSERT INTO sessions (id, tenant_id, title, model, metadata, created_at, updated_at, last_activity_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${SESSION_COLUMNS}`,
  /** messages.append: one per message (append-sql.ts INSERT_MESSAGE). */
  insertMessage: `INSERT INTO messages (${INSERT_COLUMNS})
  VALUES (?, ?, (SELECT last_seq + 1 FROM sessions WHERE pk = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (session_pk, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING pk, ${RAW_MESSAGE_COLUMNS}`,
  /** messages.append: a tool result's call, when not in the same message (messages-api.ts TOOL_CALL_KNOWN). */
  toolCallKnown:
    "SELECT 1 AS found FROM message_tool_calls WHERE session_pk = ? AND tool_call_id = ?",
  /** messages.last (binds the id twice: the compaction point, then the messages). */
  lastMessages: `SELECT ${messageColumns("messages")}, messages.seq <= (SELECT compacted_through FROM sessions WHERE pk = ${ROOT_SESSION_PK}) AS compacted FROM messages WHERE session_pk = ${ROOT_SESSION_PK}
         ORDER BY seq DESC LIMIT ?`,
  /** sessions.list, first page, default tenant: the newest of each status, merged (binds tenant, status, n three times, then n). */
  listSessions: `SELECT ${SESSION_COLUMN_NAMES} FROM (${[listArm, listArm, listArm].join(" UNION ALL ")}) ORDER BY last_activity_at DESC, id DESC LIMIT ?`,
  /** search, root scope, no filters, first page, in a read snapshot: newest matches with snippets… */
  searchPage: searchPage("messages_fts", "messages_fts"),
  beginRead: "BEGIN DEFERRED",
  /** …then: is anything waiting for the index (above its watermark)? (search/index-queue.ts) */
  hasQueued:
    "SELECT EXISTS (SELECT 1 FROM messages WHERE pk > (SELECT indexed_through FROM search_index_state)) AS queued",
  /** append, every INDEX_BATCH / 4 messages: about how many wait? (search/index-queue.ts) */
  queuedSpan:
    "SELECT coalesce((SELECT max(pk) FROM messages), 0) - indexed_through AS span FROM search_index_state",
  /** The indexing pass (search/index-queue.ts), in a write transaction, 512 at a time… */
  indexQueued: `INSERT INTO messages_fts (rowid, content)
     SELECT pk, content FROM messages WHERE pk > (SELECT indexed_through FROM search_index_state) ORDER BY pk LIMIT ?`,
  /** …and the watermark moved past them. */
  advance: `UPDATE search_index_state SET indexed_through = coalesce(
     (SELECT max(pk) FROM (SELECT pk FROM messages WHERE pk > (SELECT indexed_through FROM search_index_state) ORDER BY pk LIMIT ?)),
     indexed_through)`,
  /** sessions.fork: the new session row. */
  forkSession: `INSERT INTO sessions (id, tenant_id, title, model, metadata, created_at, updated_at, last_activity_at, expires_at, parent_pk, parent_seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
  /** sessions.fork: the copies. */
  forkMessages: `INSERT INTO messages (session_pk, parts_chunks, ${MESSAGE_COPY_COLUMNS.join(", ")})
           SELECT ?, m.parts_chunks, ${MESSAGE_COPY_COLUMNS.map((c) => (c === "id" ? "j.value" : `m.${c}`)).join(", ")}
           FROM json_each(?) AS j CROSS JOIN messages AS m ON m.session_pk = ? AND m.seq = j.key + 1
           ORDER BY j.key`,
  /** sessions.fork: the chunks of parts kept out of the row (none in this corpus; the statement runs anyway). */
  forkChunks: `INSERT INTO message_blobs (message_pk, chunk, data)
           SELECT n.pk, b.chunk, b.data
           FROM messages AS o CROSS JOIN messages AS n ON n.session_pk = ? AND n.seq = o.seq
             CROSS JOIN message_blobs AS b ON b.message_pk = o.pk
           WHERE o.session_pk = ? AND o.seq <= ? AND o.parts_chunks IS NOT NULL
           ORDER BY n.pk, b.chunk`,
  /** sessions.fork: the result. */
  forkResult: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE pk = ?`,
} as const;

/**
 * Search matches queued messages in a connection's temp FTS5 table
 * (search/queued-index.ts). Apart from SQL: a statement on the temp table
 * can only be prepared once the table exists.
 */
export const SEARCH_QUEUE = {
  create: `CREATE VIRTUAL TABLE IF NOT EXISTS temp.llm_sessions_search_queue USING fts5 (
  content,
  tokenize = 'unicode61 remove_diacritics 2'
)`,
  clear: "DELETE FROM temp.llm_sessions_search_queue",
  load: `INSERT INTO temp.llm_sessions_search_queue (rowid, content) SELECT pk, content FROM messages WHERE pk > (SELECT indexed_through FROM search_index_state)`,
  page: searchPage("temp.llm_sessions_search_queue", "llm_sessions_search_queue"),
} as const;

/** search.ts's page query over one source (the index, or the temp table of queued messages). */
function searchPage(source: string, fts: string): string {
  return `SELECT ${messageColumns("m")}, m.seq <= s.compacted_through AS compacted, s.id AS session_id, s.tenant_id AS tenant_id, m.pk AS pk,
       snippet(${fts}, 0, ?, ?, '…', 16) AS snippet
     FROM ${source} CROSS JOIN messages AS m ON m.pk = ${fts}.rowid
       CROSS JOIN sessions AS s ON s.pk = m.session_pk
     WHERE ${fts} MATCH ?
     ORDER BY ${fts}.rowid DESC LIMIT ?`;
}

/** The store's defaults: a background pass once 32 messages were appended (store.ts). */
export const INDEX_BATCH = 32;
/** Messages per write transaction of a pass (search/index-queue.ts). */
export const INDEX_CHUNK = 512;

/** Snippet markers of the shape search.ts makes (a fresh 128-bit nonce per call there, a fixed one here). */
const NONCE = "0123456789abcdef0123456789abcdef";
export const SNIPPET_OPEN = `\u{F0001}${NONCE}<`;
export const SNIPPET_CLOSE = `\u{F0001}${NONCE}>`;

/** Whitespace-insensitive form, for comparing statements. */
export const normalize = (sql: string): string => sql.replace(/\s+/g, " ").trim();
