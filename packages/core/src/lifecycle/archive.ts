import type { Transaction } from "../driver/index.js";
import { SCHEMA_VERSION } from "../schema/index.js";
import {
  MESSAGE_COLUMNS,
  type MessageRow,
  SESSION_COLUMNS,
  type SessionRow,
} from "../sessions/rows.js";
import { encodeSnapshot, readSnapshot } from "./snapshot.js";

/**
 * Archives one session inside the caller's write transaction: snapshot first,
 * then the messages leave the hot tables (the delete trigger also takes
 * them out of the search index, or out of its queue), then the session is marked archived with its
 * counters put back to what they were.
 *
 * `activeBefore`: archive only when the last activity is at or before this
 * time, re-checked here inside the transaction so an append that committed
 * after the sweep chose this session keeps it out. Returns whether it archived.
 */
export async function archiveInTx(
  tx: Transaction,
  sessionId: string,
  now: number,
  activeBefore: number | null,
): Promise<boolean> {
  const session = await tx.get<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`, [
    sessionId,
  ]);
  if (!session || session.status === "archived") return false;
  if (activeBefore !== null && Number(session.last_activity_at) > activeBefore) return false;
  const messages = await tx.all<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY seq`,
    [sessionId],
  );
  const { payload, checksum } = encodeSnapshot({
    format: 1,
    schemaVersion: SCHEMA_VERSION,
    createdAt: now,
    session,
    messages,
  });
  await tx.run(
    `INSERT INTO snapshots (session_id, tenant_id, schema_version, created_at, message_count, checksum, payload)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (session_id) DO UPDATE SET tenant_id = excluded.tenant_id,
       schema_version = excluded.schema_version, created_at = excluded.created_at,
       message_count = excluded.message_count, checksum = excluded.checksum, payload = excluded.payload`,
    [sessionId, session.tenant_id, SCHEMA_VERSION, now, messages.length, checksum, payload],
  );
  await tx.run("DELETE FROM messages WHERE session_id = ?", [sessionId]);
  // The delete trigger counted the messages down; an archived session keeps its counters.
  await tx.run(
    `UPDATE sessions SET status = 'archived', archived_at = ?,
       message_count = ?, token_count = ?, last_seq = ?
     WHERE id = ?`,
    [now, session.message_count, session.token_count, session.last_seq, sessionId],
  );
  return true;
}

/**
 * Restores an archived session inside the caller's write transaction: the
 * snapshot's checksum is verified before anything changes (a mismatch throws
 * `SnapshotCorruptError` and the transaction rolls back), the messages go back
 * with their ids, seq, times and metadata (queued for the search index by the insert trigger),
 * and the session row becomes what it was, with status `active`. Returns
 * false when the session is not archived.
 */
export async function restoreInTx(tx: Transaction, sessionId: string): Promise<boolean> {
  const current = await tx.get<{ status: string }>("SELECT status FROM sessions WHERE id = ?", [
    sessionId,
  ]);
  if (current?.status !== "archived") return false;
  const snapshot = await readSnapshot(tx, sessionId);
  const s = snapshot.session;
  if (snapshot.messages.length > 0) {
    // One statement for all messages: fast locally, one round trip remotely.
    await tx.run(
      `INSERT INTO messages (id, session_id, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at)
       SELECT value ->> 'id', ?, value ->> 'seq', value ->> 'role', value ->> 'content', value ->> 'name',
              value ->> 'model', value ->> 'tokens', value ->> 'latency_ms', value ->> 'metadata',
              value ->> 'idempotency_key', value ->> 'created_at'
       FROM json_each(?) ORDER BY key`,
      [sessionId, JSON.stringify(snapshot.messages)],
    );
  }
  // The row as it was; a parent deleted meanwhile is gone for good.
  await tx.run(
    `UPDATE sessions SET status = 'active', archived_at = NULL, title = ?, model = ?, metadata = ?,
       message_count = ?, token_count = ?, last_seq = ?, created_at = ?, updated_at = ?,
       last_activity_at = ?, expires_at = ?,
       parent_id = (SELECT id FROM sessions WHERE id = ?), parent_seq = ?
     WHERE id = ?`,
    [
      s.title,
      s.model,
      s.metadata,
      s.message_count,
      s.token_count,
      s.last_seq,
      s.created_at,
      s.updated_at,
      s.last_activity_at,
      s.expires_at,
      s.parent_id,
      s.parent_seq,
      sessionId,
    ],
  );
  await tx.run("DELETE FROM snapshots WHERE session_id = ?", [sessionId]);
  return true;
}
