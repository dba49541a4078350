/**
 * Schema version 5: messages as LLM applications store them. A message may
 * carry ordered `parts` (text, reasoning, tool calls and results, files,
 * data) and per-message `usage`; the `developer` role joins the others.
 *
 * Why it looks like this:
 * - `parts` is one JSON array column, NULL for a plain text message: the
 *   common append writes what it wrote in v4, and a v4 text message needs
 *   no rewrite (it stays content-only). `content` keeps being the text
 *   search sees (for a message with parts: its text parts, see
 *   `sessions/parts.ts`).
 * - Parts larger than `limits.inlinePartsBytes` as stored are not kept in
 *   the message row: `parts` is NULL, `parts_chunks` says how many rows of
 *   `message_blobs` hold the JSON text in order (at most 128 Ki characters
 *   each, cut between code points), deleted with the message by its foreign
 *   key. Reads join the chunks back in SQL (`group_concat` over the chunks
 *   in index order), so every read path gives the parts whole, and no row or
 *   statement carries more than a chunk.
 * - Usage is one integer column per figure (not JSON): the counter triggers
 *   add integers without parsing, and CHECKs keep them non-negative. A cost
 *   is integer micro-units and a currency, both or neither.
 * - Session totals of usage are columns of `sessions`, kept by the same
 *   insert/delete triggers as `message_count` (one row write, no extra page).
 *   A session's costs are in one currency: the first cost fixes it, and a
 *   trigger refuses another (the API says so first, with a typed error).
 * - `messages_metered_by_time` indexes only messages that carry usage or
 *   `tokens`, by time: `stats({ since, until })` reads a window from it,
 *   and a plain text append (no usage) writes no page of it.
 * - `message_tool_calls` knows every tool call id of a session, so that an
 *   append checks that a tool result answers a call with one index lookup;
 *   triggers keep it, and fire only for messages with parts.
 * - The insert trigger updates the session in four statements: the
 *   counters (no index holds them), the last activity only when it moves,
 *   the status only when it was idle, the currency only when it is first set. SQLite rewrites the entries of every
 *   index on a column a SET names, even with the value unchanged, so one
 *   UPDATE naming all of them wrote a page of each activity and status
 *   index on every append (`bench/scripts/wal-pages.mjs`).
 * - `sessions_by_tenant_activity` is gone: a tenant's list by activity
 *   reads the three status runs of `sessions_by_tenant_status_activity`
 *   (as the all-tenants list reads `sessions_by_status_activity`), and an
 *   append no longer moves a key in it.
 * - `sessions_for_stats` no longer holds the counters: their keys moved on
 *   every append (a page written per append for an index only `stats()`
 *   reads); stats now read the session rows in its order (the currency
 *   changes once per session at most, so it may be a key).
 * - `parts` and usage are immutable like `seq`: the tool-call table and the
 *   session totals are derived from them.
 * - Compaction (`messages.compact`) is a message: a summary row whose
 *   `summary_through` says it stands for messages 1..n of its session (n
 *   below its own seq). `sessions.compacted_through` is the `summary_through`
 *   of the session's newest summary (0: none), kept by triggers, so marking
 *   messages 1..n as compacted writes nothing per message, and removing the
 *   summary (pop, tail replacement) undoes the compaction. The partial index
 *   `messages_summaries` holds summaries only (a plain append writes no page
 *   of it); the delete trigger finds the newest remaining one through it.
 *   `messages_pinned` (system and developer messages only) lets
 *   `messages.window` find the pinned messages of the compacted history
 *   without reading that history.
 *
 * - The search index's queue is a watermark: `search_index_state` holds
 *   one row, `indexed_through`; every message with a pk at or below it is
 *   indexed, those above wait (v3–v4 inserted a row per message into
 *   `messages_fts_pending`: a page per append). Indexing moves it up; the
 *   delete trigger moves it down to the newest pk left when the newest
 *   messages go, because SQLite gives the next row max(pk) + 1.
 *
 * How the data moves: `messages` is rebuilt (the role CHECK changes) the way
 * v4 did it: renamed aside, created anew, copied with the same `pk` (so the
 * search index stays valid), the old table dropped, indexes and
 * triggers created. Session columns are added in place.
 */
export const V5_STATEMENTS: readonly string[] = [
  "ALTER TABLE messages RENAME TO messages_v4",
  "DROP INDEX IF EXISTS messages_by_idempotency_key",
  "DROP TRIGGER IF EXISTS messages_after_insert",
  "DROP TRIGGER IF EXISTS messages_after_delete",
  "DROP TRIGGER IF EXISTS messages_after_update_content",
  "DROP TRIGGER IF EXISTS messages_after_update_tokens",
  "DROP TRIGGER IF EXISTS messages_identity_is_fixed",

  "ALTER TABLE sessions ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE sessions ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE sessions ADD COLUMN cached_input_tokens INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE sessions ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE sessions ADD COLUMN cost_micros INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE sessions ADD COLUMN cost_currency TEXT",
  "ALTER TABLE sessions ADD COLUMN compacted_through INTEGER NOT NULL DEFAULT 0",

  `CREATE TABLE messages (
    pk                  INTEGER PRIMARY KEY,
    session_pk          INTEGER NOT NULL REFERENCES sessions (pk) ON DELETE CASCADE,
    id                  TEXT NOT NULL,
    seq                 INTEGER NOT NULL CHECK (seq > 0),
    role                TEXT NOT NULL CHECK (role IN ('system', 'developer', 'user', 'assistant', 'tool')),
    content             TEXT NOT NULL,
    parts               TEXT CHECK (parts IS NULL OR json_valid(parts)),
    parts_chunks        INTEGER CHECK (parts_chunks IS NULL OR (parts_chunks > 0 AND parts IS NULL)),
    name                TEXT,
    model               TEXT,
    tokens              INTEGER CHECK (tokens >= 0),
    latency_ms          INTEGER CHECK (latency_ms >= 0),
    input_tokens        INTEGER CHECK (input_tokens >= 0),
    output_tokens       INTEGER CHECK (output_tokens >= 0),
    cached_input_tokens INTEGER CHECK (cached_input_tokens >= 0),
    reasoning_tokens    INTEGER CHECK (reasoning_tokens >= 0),
    cost_micros         INTEGER CHECK (cost_micros >= 0),
    cost_currency       TEXT CHECK ((cost_micros IS NULL) = (cost_currency IS NULL)),
    metadata            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    idempotency_key     TEXT,
    created_at          INTEGER NOT NULL,
    summary_through     INTEGER CHECK (summary_through IS NULL OR (summary_through > 0 AND summary_through < seq)),
    UNIQUE (session_pk, seq),
    UNIQUE (session_pk, id)
  ) STRICT`,

  `INSERT INTO messages (pk, session_pk, id, seq, role, content, name, model, tokens, latency_ms,
      metadata, idempotency_key, created_at)
    SELECT pk, session_pk, id, seq, role, content, name, model, tokens, latency_ms,
      metadata, idempotency_key, created_at
    FROM messages_v4 ORDER BY pk`,
  "DROP TABLE messages_v4",

  // The search index's queue becomes a watermark: every message with a pk
  // at or below it is indexed, those above wait. An append then writes no
  // page for the queue (v4 inserted a row into messages_fts_pending). The
  // messages v4 left queued are indexed here, so the watermark starts at the
  // newest message.
  `INSERT INTO messages_fts (rowid, content)
    SELECT m.pk, m.content FROM messages_fts_pending AS p JOIN messages AS m ON m.pk = p.pk`,
  "DROP TABLE messages_fts_pending",
  `CREATE TABLE search_index_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_through INTEGER NOT NULL CHECK (indexed_through >= 0)
  ) STRICT`,
  "INSERT INTO search_index_state (id, indexed_through) SELECT 1, coalesce(max(pk), 0) FROM messages",

  `CREATE TABLE message_blobs (
    message_pk INTEGER NOT NULL REFERENCES messages (pk) ON DELETE CASCADE,
    chunk      INTEGER NOT NULL CHECK (chunk >= 0),
    data       TEXT NOT NULL,
    PRIMARY KEY (message_pk, chunk)
  ) STRICT`,

  `CREATE TABLE message_tool_calls (
    session_pk   INTEGER NOT NULL,
    tool_call_id TEXT NOT NULL,
    message_pk   INTEGER NOT NULL,
    PRIMARY KEY (session_pk, tool_call_id)
  ) STRICT, WITHOUT ROWID`,

  // The operations applied to a session's history (messages.applyOperation),
  // so that a retried change is a no-op; they go with their session.
  `CREATE TABLE message_operations (
    session_pk  INTEGER NOT NULL REFERENCES sessions (pk) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (session_pk, id)
  ) STRICT, WITHOUT ROWID`,

  `CREATE UNIQUE INDEX messages_by_idempotency_key ON messages (session_pk, idempotency_key)
    WHERE idempotency_key IS NOT NULL`,
  `CREATE INDEX messages_metered_by_time ON messages (created_at)
    WHERE tokens IS NOT NULL OR input_tokens IS NOT NULL OR output_tokens IS NOT NULL
      OR cached_input_tokens IS NOT NULL OR reasoning_tokens IS NOT NULL OR cost_micros IS NOT NULL`,

  `CREATE INDEX messages_summaries ON messages (session_pk, seq) WHERE summary_through IS NOT NULL`,
  `CREATE INDEX messages_pinned ON messages (session_pk, seq) WHERE role IN ('system', 'developer')`,

  "DROP INDEX sessions_by_tenant_activity",
  "DROP INDEX sessions_for_stats",
  "CREATE INDEX sessions_for_stats ON sessions (tenant_id, model, status, cost_currency)",

  `CREATE TRIGGER messages_one_currency BEFORE INSERT ON messages
    WHEN new.cost_currency IS NOT NULL
  BEGIN
    SELECT RAISE(ABORT, 'a session''s costs are in one currency')
    WHERE EXISTS (SELECT 1 FROM sessions WHERE pk = new.session_pk AND cost_currency <> new.cost_currency);
  END`,
  `CREATE TRIGGER messages_after_insert AFTER INSERT ON messages BEGIN
    UPDATE sessions SET
      message_count       = message_count + 1,
      token_count         = token_count + coalesce(new.tokens, 0),
      input_tokens        = input_tokens + coalesce(new.input_tokens, 0),
      output_tokens       = output_tokens + coalesce(new.output_tokens, 0),
      cached_input_tokens = cached_input_tokens + coalesce(new.cached_input_tokens, 0),
      reasoning_tokens    = reasoning_tokens + coalesce(new.reasoning_tokens, 0),
      cost_micros         = cost_micros + coalesce(new.cost_micros, 0),
      last_seq            = max(last_seq, new.seq)
    WHERE pk = new.session_pk;
    UPDATE sessions SET cost_currency = new.cost_currency
    WHERE pk = new.session_pk AND cost_currency IS NULL AND new.cost_currency IS NOT NULL;
    UPDATE sessions SET last_activity_at = new.created_at
    WHERE pk = new.session_pk AND last_activity_at < new.created_at;
    UPDATE sessions SET status = 'active' WHERE pk = new.session_pk AND status = 'idle';
  END`,
  `CREATE TRIGGER messages_tool_calls_after_insert AFTER INSERT ON messages
    WHEN new.parts IS NOT NULL
  BEGIN
    INSERT INTO message_tool_calls (session_pk, tool_call_id, message_pk)
      SELECT new.session_pk, value ->> 'toolCallId', new.pk FROM json_each(new.parts)
      WHERE value ->> 'type' = 'tool-call';
  END`,
  // A message whose parts are in chunks has its tool calls indexed when its
  // last chunk is written (append, fork and restore write chunks in order).
  `CREATE TRIGGER message_blobs_complete AFTER INSERT ON message_blobs
    WHEN new.chunk + 1 = (SELECT parts_chunks FROM messages WHERE pk = new.message_pk)
  BEGIN
    INSERT INTO message_tool_calls (session_pk, tool_call_id, message_pk)
      SELECT m.session_pk, j.value ->> 'toolCallId', m.pk
      FROM messages AS m CROSS JOIN json_each((
        SELECT group_concat(c.data, '') FROM (
          SELECT data FROM message_blobs WHERE message_pk = new.message_pk ORDER BY chunk) AS c)) AS j
      WHERE m.pk = new.message_pk AND j.value ->> 'type' = 'tool-call';
  END`,
  `CREATE TRIGGER messages_after_delete AFTER DELETE ON messages BEGIN
    UPDATE sessions SET
      message_count       = message_count - 1,
      token_count         = token_count - coalesce(old.tokens, 0),
      input_tokens        = input_tokens - coalesce(old.input_tokens, 0),
      output_tokens       = output_tokens - coalesce(old.output_tokens, 0),
      cached_input_tokens = cached_input_tokens - coalesce(old.cached_input_tokens, 0),
      reasoning_tokens    = reasoning_tokens - coalesce(old.reasoning_tokens, 0),
      cost_micros         = cost_micros - coalesce(old.cost_micros, 0),
      last_seq            = coalesce((SELECT max(seq) FROM messages WHERE session_pk = old.session_pk), 0)
    WHERE pk = old.session_pk;
    INSERT INTO messages_fts (messages_fts, rowid, content)
      SELECT 'delete', old.pk, old.content
      WHERE old.pk <= (SELECT indexed_through FROM search_index_state);
    -- A new row takes max(pk) + 1: with the newest rows gone, that pk may be
    -- at or below the watermark, so the watermark comes down to what is left.
    UPDATE search_index_state SET indexed_through = (SELECT coalesce(max(pk), 0) FROM messages)
    WHERE indexed_through > (SELECT coalesce(max(pk), 0) FROM messages);
  END`,
  // A compaction summary moves the session's compaction point (never back:
  // the API refuses a throughSeq below the current one).
  `CREATE TRIGGER messages_summary_after_insert AFTER INSERT ON messages
    WHEN new.summary_through IS NOT NULL
  BEGIN
    UPDATE sessions SET compacted_through = new.summary_through
    WHERE pk = new.session_pk AND compacted_through < new.summary_through;
  END`,
  // A summary removed (pop, replaceTail, archive) undoes its compaction: the
  // newest summary left, if any, decides again.
  `CREATE TRIGGER messages_summary_after_delete AFTER DELETE ON messages
    WHEN old.summary_through IS NOT NULL
  BEGIN
    UPDATE sessions SET compacted_through = coalesce((
      SELECT summary_through FROM messages
      WHERE session_pk = old.session_pk AND summary_through IS NOT NULL ORDER BY seq DESC LIMIT 1), 0)
    WHERE pk = old.session_pk;
  END`,
  `CREATE TRIGGER messages_tool_calls_after_delete AFTER DELETE ON messages
    WHEN old.parts IS NOT NULL
  BEGIN
    DELETE FROM message_tool_calls WHERE session_pk = old.session_pk AND message_pk = old.pk
      AND tool_call_id IN (SELECT value ->> 'toolCallId' FROM json_each(old.parts)
                           WHERE value ->> 'type' = 'tool-call');
  END`,
  `CREATE TRIGGER messages_chunked_tool_calls_after_delete AFTER DELETE ON messages
    WHEN old.parts_chunks IS NOT NULL
  BEGIN
    DELETE FROM message_tool_calls WHERE session_pk = old.session_pk AND message_pk = old.pk;
  END`,
  `CREATE TRIGGER messages_after_update_content AFTER UPDATE OF content ON messages
    WHEN new.pk <= (SELECT indexed_through FROM search_index_state)
  BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pk, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.pk, new.content);
  END`,
  `CREATE TRIGGER messages_after_update_tokens AFTER UPDATE OF tokens ON messages BEGIN
    UPDATE sessions SET token_count = token_count - coalesce(old.tokens, 0) + coalesce(new.tokens, 0)
    WHERE pk = new.session_pk;
  END`,
  // session_pk and seq are the identity of a message within its session;
  // parts and usage feed the tool-call table and the session totals;
  // summary_through feeds sessions.compacted_through.
  `CREATE TRIGGER messages_identity_is_fixed BEFORE UPDATE OF session_pk, seq, parts, parts_chunks, input_tokens,
      output_tokens, cached_input_tokens, reasoning_tokens, cost_micros, cost_currency, summary_through ON messages
  BEGIN
    SELECT RAISE(ABORT, 'messages.session_pk, seq, parts, usage and summary_through cannot be changed');
  END`,
];
