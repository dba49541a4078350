/**
 * Schema version 4: ids belong to their tenant. Tenant A and tenant B can
 * each have a session "x"; nothing a tenant can call tells it whether
 * another tenant holds an id (up to v3 a taken id was a conflict, whoever
 * held it).
 *
 * Why it looks like this:
 * - `sessions.pk` is an internal integer key; the public id is unique per
 *   tenant, `UNIQUE (id, tenant_id)`. The id comes first in that index so
 *   it also serves the root store's lookup by id alone (the root store is
 *   the all-tenants view and finds a session by id in any tenant).
 * - `messages.session_pk` and `sessions.parent_pk` refer to that integer,
 *   not to the text id: an integer key is 1–8 bytes where a text id with its
 *   tenant would be 40 or more, in every message row and in both message
 *   indexes, and the counter triggers find their session by rowid.
 * - A message id is unique within its session, `UNIQUE (session_pk, id)`:
 *   no API finds a message by its id alone (a message is always reached
 *   through its session), and a wider scope would need the tenant in every
 *   message row or a lookup per append.
 * - `snapshots` are keyed by `(tenant_id, session_id)`, the session's public
 *   identity, because a kept snapshot outlives its session row (and its pk).
 * - The snapshot payload keeps the v3 shape (session row with `id`,
 *   `tenant_id`, `parent_id`; message rows with `session_id`), so snapshots
 *   taken before v4 restore as they are.
 *
 * How the data moves: the v3 tables are renamed aside, the new ones created
 * with the old rowids as their `pk` (message `pk`s do not change, so the
 * search index and its queue stay valid without a rebuild), rows copied, the
 * old tables dropped, then indexes and triggers created. Messages whose
 * session does not exist (only damage makes them) are quarantined, never
 * dropped. Foreign keys stay on throughout: each copy is one statement, and
 * SQLite checks immediate foreign keys at the end of a statement.
 */
export const V4_STATEMENTS: readonly string[] = [
  "ALTER TABLE sessions RENAME TO sessions_v3",
  "ALTER TABLE messages RENAME TO messages_v3",
  "ALTER TABLE snapshots RENAME TO snapshots_v3",

  `CREATE TABLE sessions (
    pk               INTEGER PRIMARY KEY,
    id               TEXT NOT NULL,
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
    parent_pk        INTEGER REFERENCES sessions (pk) ON DELETE SET NULL,
    parent_seq       INTEGER,
    UNIQUE (id, tenant_id)
  ) STRICT`,

  `CREATE TABLE messages (
    pk              INTEGER PRIMARY KEY,
    session_pk      INTEGER NOT NULL REFERENCES sessions (pk) ON DELETE CASCADE,
    id              TEXT NOT NULL,
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
    UNIQUE (session_pk, seq),
    UNIQUE (session_pk, id)
  ) STRICT`,

  `CREATE TABLE snapshots (
    tenant_id      TEXT NOT NULL,
    session_id     TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    message_count  INTEGER NOT NULL,
    checksum       TEXT NOT NULL,
    payload        BLOB NOT NULL,
    PRIMARY KEY (tenant_id, session_id)
  ) STRICT`,

  `INSERT INTO sessions (pk, id, tenant_id, title, model, status, metadata, message_count, token_count,
      last_seq, created_at, updated_at, last_activity_at, expires_at, archived_at, parent_pk, parent_seq)
    SELECT s.rowid, s.id, s.tenant_id, s.title, s.model, s.status, s.metadata, s.message_count,
      s.token_count, s.last_seq, s.created_at, s.updated_at, s.last_activity_at, s.expires_at,
      s.archived_at, (SELECT p.rowid FROM sessions_v3 p WHERE p.id = s.parent_id), s.parent_seq
    FROM sessions_v3 s ORDER BY s.rowid`,

  `INSERT INTO quarantined_messages (reason, source, quarantined_at, session_id, message_id, original)
    SELECT 'orphan', 'migration-v4', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), m.session_id, m.id,
      json_object('pk', m.pk, 'id', m.id, 'session_id', m.session_id, 'seq', m.seq, 'role', m.role,
        'content', m.content, 'name', m.name, 'model', m.model, 'tokens', m.tokens,
        'latency_ms', m.latency_ms, 'metadata', m.metadata,
        'idempotency_key', m.idempotency_key, 'created_at', m.created_at)
    FROM messages_v3 m WHERE NOT EXISTS (SELECT 1 FROM sessions_v3 s WHERE s.id = m.session_id)
    ORDER BY m.pk`,
  // A quarantined message leaves the search index (or its queue) as a delete would.
  `INSERT INTO messages_fts (messages_fts, rowid, content)
    SELECT 'delete', m.pk, m.content FROM messages_v3 m
    WHERE NOT EXISTS (SELECT 1 FROM sessions_v3 s WHERE s.id = m.session_id)
      AND NOT EXISTS (SELECT 1 FROM messages_fts_pending q WHERE q.pk = m.pk)`,
  `DELETE FROM messages_fts_pending WHERE pk IN (
    SELECT m.pk FROM messages_v3 m WHERE NOT EXISTS (SELECT 1 FROM sessions_v3 s WHERE s.id = m.session_id))`,

  `INSERT INTO messages (pk, session_pk, id, seq, role, content, name, model, tokens, latency_ms,
      metadata, idempotency_key, created_at)
    SELECT m.pk, s.rowid, m.id, m.seq, m.role, m.content, m.name, m.model, m.tokens, m.latency_ms,
      m.metadata, m.idempotency_key, m.created_at
    FROM messages_v3 m JOIN sessions_v3 s ON s.id = m.session_id ORDER BY m.pk`,

  `INSERT INTO snapshots (tenant_id, session_id, schema_version, created_at, message_count, checksum, payload)
    SELECT tenant_id, session_id, schema_version, created_at, message_count, checksum, payload
    FROM snapshots_v3 ORDER BY rowid`,

  // Children first: dropping a table deletes its rows, and foreign keys are on.
  "DROP TABLE messages_v3",
  "DROP TABLE sessions_v3",
  "DROP TABLE snapshots_v3",

  "CREATE INDEX sessions_by_tenant_activity ON sessions (tenant_id, last_activity_at, id)",
  "CREATE INDEX sessions_by_tenant_status_activity ON sessions (tenant_id, status, last_activity_at, id)",
  "CREATE INDEX sessions_by_status_activity ON sessions (status, last_activity_at)",
  "CREATE INDEX sessions_by_expiry ON sessions (expires_at) WHERE expires_at IS NOT NULL",
  "CREATE INDEX sessions_by_parent ON sessions (parent_pk) WHERE parent_pk IS NOT NULL",
  // Covering index for stats(): per tenant, model and status, without reading rows.
  "CREATE INDEX sessions_for_stats ON sessions (tenant_id, model, status, message_count, token_count)",
  `CREATE UNIQUE INDEX messages_by_idempotency_key ON messages (session_pk, idempotency_key)
    WHERE idempotency_key IS NOT NULL`,

  `CREATE TRIGGER messages_after_insert AFTER INSERT ON messages BEGIN
    UPDATE sessions SET
      message_count    = message_count + 1,
      token_count      = token_count + coalesce(new.tokens, 0),
      last_seq         = max(last_seq, new.seq),
      last_activity_at = max(last_activity_at, new.created_at),
      status           = CASE WHEN status = 'idle' THEN 'active' ELSE status END
    WHERE pk = new.session_pk;
    INSERT INTO messages_fts_pending (pk) VALUES (new.pk);
  END`,
  `CREATE TRIGGER messages_after_delete AFTER DELETE ON messages BEGIN
    UPDATE sessions SET
      message_count = message_count - 1,
      token_count   = token_count - coalesce(old.tokens, 0),
      last_seq      = coalesce((SELECT max(seq) FROM messages WHERE session_pk = old.session_pk), 0)
    WHERE pk = old.session_pk;
    INSERT INTO messages_fts (messages_fts, rowid, content)
      SELECT 'delete', old.pk, old.content
      WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE pk = old.pk);
    DELETE FROM messages_fts_pending WHERE pk = old.pk;
  END`,
  `CREATE TRIGGER messages_after_update_content AFTER UPDATE OF content ON messages
    WHEN NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE pk = new.pk)
  BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pk, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.pk, new.content);
  END`,
  `CREATE TRIGGER messages_after_update_tokens AFTER UPDATE OF tokens ON messages BEGIN
    UPDATE sessions SET token_count = token_count - coalesce(old.tokens, 0) + coalesce(new.tokens, 0)
    WHERE pk = new.session_pk;
  END`,
  // session_pk and seq are the identity of a message within its session:
  // moving one would silently break the counters and the gap-free rule.
  `CREATE TRIGGER messages_identity_is_fixed BEFORE UPDATE OF session_pk, seq ON messages BEGIN
    SELECT RAISE(ABORT, 'messages.session_pk and messages.seq cannot be changed');
  END`,
];
