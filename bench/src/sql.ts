/**
 * The statements the store runs for each case, copied from
 * packages/core/src/sessions/*.ts and search/search.ts, so that the raw
 * drivers run exactly the same SQL. `sql-check.ts` compares them with what
 * the store really sends (better-sqlite3's `verbose` hook) at the start of
 * every run, so a change in the store that is not mirrored here is reported.
 */

export const MESSAGE_COLUMNS =
  "id, session_id, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at";

export const SESSION_COLUMNS =
  "id, tenant_id, title, model, status, metadata, message_count, token_count, last_seq, created_at, updated_at, last_activity_at, expires_at, archived_at, parent_id, parent_seq";

export const SQL = {
  begin: "BEGIN IMMEDIATE",
  commit: "COMMIT",
  /** loadSession (sessions/context.ts), root scope. */
  loadSession: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE sessions.id = ?`,
  /** sessions.create */
  createSession: `INSERT INTO sessions (id, tenant_id, title, model, metadata, created_at, updated_at, last_activity_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${SESSION_COLUMNS}`,
  /** messages.append: one per message (INSERT_MESSAGE). */
  insertMessage: `INSERT INTO messages (id, session_id, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at)
  VALUES (?, ?, (SELECT last_seq + 1 FROM sessions WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (session_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING ${MESSAGE_COLUMNS}`,
  /** messages.last */
  lastMessages: `SELECT id, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at FROM messages WHERE session_id = ?
         ORDER BY seq DESC LIMIT ?`,
  /** sessions.list, first page, default tenant. */
  listSessions: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE tenant_id = ?
         ORDER BY last_activity_at DESC, id DESC LIMIT ?`,
  /** search, root scope, no filters, first page: the ranking, in a read snapshot… */
  searchRank: `SELECT messages_fts.rowid AS pk, messages_fts.rank AS rank FROM messages_fts
       WHERE messages_fts MATCH ?
       ORDER BY messages_fts.rank, messages_fts.rowid LIMIT ?`,
  /** …then the page's rows and snippets. */
  searchRows: `SELECT ${MESSAGE_COLUMNS.split(", ")
    .map((c) => `m.${c}`)
    .join(", ")}, m.pk AS pk, snippet(messages_fts, 0, ?, ?, '…', 16) AS snippet
             FROM messages_fts JOIN messages AS m ON m.pk = messages_fts.rowid
             WHERE messages_fts MATCH ? AND messages_fts.rowid IN (SELECT value FROM json_each(?))`,
  beginRead: "BEGIN DEFERRED",
  /** search, first: is anything queued for the index? (search/index-queue.ts) */
  hasQueued: "SELECT 1 AS queued FROM messages_fts_pending LIMIT 1",
  /** append, every INDEX_BATCH / 4 messages: about how many are queued? (search/index-queue.ts) */
  queuedSpan: "SELECT max(pk) - min(pk) + 1 AS span FROM messages_fts_pending",
  /** The indexing pass (search/index-queue.ts), in a write transaction, 512 at a time. */
  indexQueued: `INSERT INTO messages_fts (rowid, content)
     SELECT m.pk, m.content FROM messages AS m
     WHERE m.pk IN (SELECT pk FROM messages_fts_pending ORDER BY pk LIMIT ?)`,
  dequeue:
    "DELETE FROM messages_fts_pending WHERE pk IN (SELECT pk FROM messages_fts_pending ORDER BY pk LIMIT ?)",
  /** sessions.fork: the new session row. */
  forkSession: `INSERT INTO sessions (id, tenant_id, title, model, metadata, created_at, updated_at, last_activity_at, expires_at, parent_id, parent_seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  /** sessions.fork: the copies. */
  forkMessages: `INSERT INTO messages (id, session_id, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at)
           SELECT j.value, ?, m.seq, m.role, m.content, m.name, m.model, m.tokens, m.latency_ms, m.metadata, m.idempotency_key, m.created_at
           FROM json_each(?) AS j CROSS JOIN messages AS m ON m.session_id = ? AND m.seq = j.key + 1
           ORDER BY j.key`,
  /** sessions.fork: the result. */
  forkResult: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`,
} as const;

/** The store's defaults: a background pass once 32 messages were appended (store.ts). */
export const INDEX_BATCH = 32;
/** Messages per write transaction of a pass (search/index-queue.ts). */
export const INDEX_CHUNK = 512;

/** The snippet markers search.ts passes to SQLite. */
export const SNIPPET_OPEN = "\u{F0001}";
export const SNIPPET_CLOSE = "\u{F0002}";

/** Whitespace-insensitive form, for comparing statements. */
export const normalize = (sql: string): string => sql.replace(/\s+/g, " ").trim();
