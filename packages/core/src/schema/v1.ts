/**
 * Schema version 1. Times are integers (milliseconds since the epoch, from the
 * store's injectable clock); ids are text (UUIDv7 unless the caller gave one).
 *
 * Why it looks like this:
 * - `messages.pk` is the integer rowid the FTS5 external-content index needs;
 *   `messages.id` is the public id.
 * - Session counters (message_count, token_count, last_seq, last_activity_at)
 *   are kept by the triggers below, inside the writing transaction, so no code
 *   path can forget them. A cascade delete fires them too; they then update a
 *   session row that no longer exists, which is a no-op.
 * - `seq` is assigned by the INSERT itself from `last_seq + 1`, so it is
 *   gap-free in commit order with no read-modify-write in application code.
 * - The FTS triggers pass the exact old values to 'delete' (external-content
 *   rule); nothing uses REPLACE on messages (it would skip delete triggers).
 * - Sessions are listed newest activity first per tenant; the sweeper finds
 *   sessions by (status, last_activity_at). Both indexes end in `id` so keyset
 *   pages are served from the index.
 */
export const V1_STATEMENTS: readonly string[] = [
  `CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL DEFAULT '',
    title            TEXT,
    model            TEXT,
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'idle', 'archived')),
    metadata         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    message_count    INTEGER NOT NULL DEFAULT 0,
    token_count      INTEGER NOT NULL DEFAULT 0,
    last_seq         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    expires_at       INTEGER,
    archived_at      INTEGER,
    parent_id        TEXT REFERENCES sessions (id) ON DELETE SET NULL,
    parent_seq       INTEGER
  ) STRICT`,
  "CREATE INDEX sessions_by_tenant_activity ON sessions (tenant_id, last_activity_at, id)",
  "CREATE INDEX sessions_by_tenant_status_activity ON sessions (tenant_id, status, last_activity_at, id)",
  "CREATE INDEX sessions_by_status_activity ON sessions (status, last_activity_at)",
  "CREATE INDEX sessions_by_expiry ON sessions (expires_at) WHERE expires_at IS NOT NULL",
  "CREATE INDEX sessions_by_parent ON sessions (parent_id) WHERE parent_id IS NOT NULL",
  // Covering index for stats(): per tenant, model and status, without reading rows.
  "CREATE INDEX sessions_for_stats ON sessions (tenant_id, model, status, message_count, token_count)",

  `CREATE TABLE messages (
    pk              INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL CHECK (seq > 0),
    role            TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content         TEXT NOT NULL,
    name            TEXT,
    model           TEXT,
    tokens          INTEGER CHECK (tokens >= 0),
    latency_ms      INTEGER CHECK (latency_ms >= 0),
    metadata        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (session_id, seq)
  ) STRICT`,
  `CREATE UNIQUE INDEX messages_by_idempotency_key ON messages (session_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL`,

  `CREATE VIRTUAL TABLE messages_fts USING fts5 (
    content,
    content = 'messages',
    content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2'
  )`,

  `CREATE TRIGGER messages_after_insert AFTER INSERT ON messages BEGIN
    UPDATE sessions SET
      message_count    = message_count + 1,
      token_count      = token_count + coalesce(new.tokens, 0),
      last_seq         = max(last_seq, new.seq),
      last_activity_at = max(last_activity_at, new.created_at),
      status           = CASE WHEN status = 'idle' THEN 'active' ELSE status END
    WHERE id = new.session_id;
    INSERT INTO messages_fts (rowid, content) VALUES (new.pk, new.content);
  END`,
  `CREATE TRIGGER messages_after_delete AFTER DELETE ON messages BEGIN
    UPDATE sessions SET
      message_count = message_count - 1,
      token_count   = token_count - coalesce(old.tokens, 0),
      last_seq      = coalesce((SELECT max(seq) FROM messages WHERE session_id = old.session_id), 0)
    WHERE id = old.session_id;
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pk, old.content);
  END`,
  `CREATE TRIGGER messages_after_update_content AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pk, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.pk, new.content);
  END`,
  `CREATE TRIGGER messages_after_update_tokens AFTER UPDATE OF tokens ON messages BEGIN
    UPDATE sessions SET token_count = token_count - coalesce(old.tokens, 0) + coalesce(new.tokens, 0)
    WHERE id = new.session_id;
  END`,
  // seq and session_id are the identity of a message within its session: moving
  // one would silently break the counters and the gap-free rule.
  `CREATE TRIGGER messages_identity_is_fixed BEFORE UPDATE OF session_id, seq ON messages BEGIN
    SELECT RAISE(ABORT, 'messages.session_id and messages.seq cannot be changed');
  END`,

  `CREATE TABLE snapshots (
    session_id     TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    message_count  INTEGER NOT NULL,
    checksum       TEXT NOT NULL,
    payload        BLOB NOT NULL
  ) STRICT`,

  // One row per named job; the holder of an unexpired lease runs the job.
  // Several processes on one file take turns sweeping instead of racing.
  `CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT`,
];
