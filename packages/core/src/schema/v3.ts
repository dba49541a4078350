/**
 * Schema version 3: messages are indexed for search just after they commit,
 * in small batches, instead of inside every append.
 *
 * Why: the FTS5 insert was most of an append's cost (measured on better-sqlite3
 * with 100k messages stored: 79 µs per append with the v1 trigger, 45–48 µs
 * when appends only queue their message and a pass indexes the queue every
 * 8–32 appends; `npm run bench -- --fts-study`). FTS5's own options
 * (`columnsize=0`, `detail=column`, `automerge`) gained 0–5%.
 *
 * How search stays exact: the insert trigger puts the message's `pk` in
 * `messages_fts_pending`; `search` matches whatever is queued in a temp index
 * of its own connection, in the same read snapshot (it never writes), so
 * every message committed before a search began is found by it. The store runs the same pass in the
 * background shortly after appends commit (see `search/index-queue.ts`).
 *
 * - A queued message was never in the index: deleting it (or its session)
 *   only drops it from the queue, and a content update needs nothing (the
 *   pass reads the content when it runs). FTS5 external-content tables must
 *   never get a 'delete' for a row they do not hold.
 */
export const V3_STATEMENTS: readonly string[] = [
  "CREATE TABLE messages_fts_pending (pk INTEGER PRIMARY KEY) STRICT",

  "DROP TRIGGER messages_after_insert",
  `CREATE TRIGGER messages_after_insert AFTER INSERT ON messages BEGIN
    UPDATE sessions SET
      message_count    = message_count + 1,
      token_count      = token_count + coalesce(new.tokens, 0),
      last_seq         = max(last_seq, new.seq),
      last_activity_at = max(last_activity_at, new.created_at),
      status           = CASE WHEN status = 'idle' THEN 'active' ELSE status END
    WHERE id = new.session_id;
    INSERT INTO messages_fts_pending (pk) VALUES (new.pk);
  END`,

  "DROP TRIGGER messages_after_delete",
  `CREATE TRIGGER messages_after_delete AFTER DELETE ON messages BEGIN
    UPDATE sessions SET
      message_count = message_count - 1,
      token_count   = token_count - coalesce(old.tokens, 0),
      last_seq      = coalesce((SELECT max(seq) FROM messages WHERE session_id = old.session_id), 0)
    WHERE id = old.session_id;
    INSERT INTO messages_fts (messages_fts, rowid, content)
      SELECT 'delete', old.pk, old.content
      WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE pk = old.pk);
    DELETE FROM messages_fts_pending WHERE pk = old.pk;
  END`,

  "DROP TRIGGER messages_after_update_content",
  `CREATE TRIGGER messages_after_update_content AFTER UPDATE OF content ON messages
    WHEN NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE pk = new.pk)
  BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pk, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.pk, new.content);
  END`,
];
