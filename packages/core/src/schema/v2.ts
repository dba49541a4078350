/**
 * Schema version 2: a place for messages that `integrity.repair` or
 * `migrateLegacy` took out of `messages` because they could not stay there
 * (their session does not exist, or a v0 role has no meaning here). They are
 * never silently deleted: an operator can read them back, re-attach or drop
 * them by hand.
 *
 * Why a migration of its own (rather than an edit of v1): a database made at
 * version 1 gets the table through the ordinary forward path, and v1 stays
 * what it was.
 *
 * Why it looks like this:
 * - No foreign key on `session_id`: the point is that the session is missing.
 * - `original` keeps every column of the row as JSON, whatever the layout it
 *   came from (a v1 `messages` row or a v0 one), so nothing is lost.
 * - `reason` is `orphan` (no such session) or `unknown-role` (a v0 role that
 *   maps to none of system/user/assistant/tool); `source` is `repair` or
 *   `legacy-v0`. Neither is a CHECK, so a later version can add values.
 */
export const V2_STATEMENTS: readonly string[] = [
  `CREATE TABLE quarantined_messages (
    pk             INTEGER PRIMARY KEY,
    reason         TEXT NOT NULL,
    source         TEXT NOT NULL,
    quarantined_at INTEGER NOT NULL,
    session_id     TEXT,
    message_id     TEXT,
    original       TEXT NOT NULL CHECK (json_valid(original))
  ) STRICT`,
  "CREATE INDEX quarantined_messages_by_session ON quarantined_messages (session_id)",
];
