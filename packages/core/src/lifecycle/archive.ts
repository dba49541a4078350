import type { Transaction } from "../driver/index.js";
import { SCHEMA_VERSION } from "../schema/index.js";
import { chunkText } from "../sessions/parts.js";
import {
  MESSAGE_COPY_COLUMNS,
  type MessageRow,
  SESSION_COLUMNS,
  SESSION_MESSAGE_COLUMNS,
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
  sessionPk: number,
  now: number,
  activeBefore: number | null,
): Promise<boolean> {
  const found = await tx.get<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE pk = ?`, [
    sessionPk,
  ]);
  if (!found || found.status === "archived") return false;
  if (activeBefore !== null && Number(found.last_activity_at) > activeBefore) return false;
  // Snapshots hold rows in the form they have had since v1 (no internal
  // keys; messages name their session), so any version's snapshot restores.
  const { pk: _pk, ...session } = found;
  const rows = await tx.all<Omit<MessageRow, "session_id">>(
    `SELECT ${SESSION_MESSAGE_COLUMNS} FROM messages WHERE session_pk = ? ORDER BY seq`,
    [sessionPk],
  );
  const messages: MessageRow[] = rows.map(({ id, ...rest }) => ({
    id,
    session_id: session.id,
    ...rest,
  }));
  const { payload, checksum } = encodeSnapshot({
    format: 1,
    schemaVersion: SCHEMA_VERSION,
    createdAt: now,
    session,
    messages,
  });
  await tx.run(
    `INSERT INTO snapshots (tenant_id, session_id, schema_version, created_at, message_count, checksum, payload)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, session_id) DO UPDATE SET
       schema_version = excluded.schema_version, created_at = excluded.created_at,
       message_count = excluded.message_count, checksum = excluded.checksum, payload = excluded.payload`,
    [session.tenant_id, session.id, SCHEMA_VERSION, now, messages.length, checksum, payload],
  );
  await tx.run("DELETE FROM messages WHERE session_pk = ?", [sessionPk]);
  // The delete trigger counted the messages down; an archived session keeps its counters.
  await tx.run(
    `UPDATE sessions SET status = 'archived', archived_at = ?,
       message_count = ?, token_count = ?, last_seq = ?, input_tokens = ?, output_tokens = ?,
       cached_input_tokens = ?, reasoning_tokens = ?, cost_micros = ?, compacted_through = ?
     WHERE pk = ?`,
    [
      now,
      session.message_count,
      session.token_count,
      session.last_seq,
      session.input_tokens,
      session.output_tokens,
      session.cached_input_tokens,
      session.reasoning_tokens,
      session.cost_micros,
      // The delete trigger undid the compaction with its summary; the snapshot holds it.
      session.compacted_through,
      sessionPk,
    ],
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
export async function restoreInTx(tx: Transaction, sessionPk: number): Promise<boolean> {
  const current = await tx.get<{ status: string; id: string; tenant_id: string }>(
    "SELECT status, id, tenant_id FROM sessions WHERE pk = ?",
    [sessionPk],
  );
  if (current?.status !== "archived") return false;
  const snapshot = await readSnapshot(tx, current);
  const s = snapshot.session;
  if (snapshot.messages.length > 0) {
    // Parts that were kept in chunks go back to chunks (the snapshot holds them whole).
    const chunked = new Map<number, string[]>();
    const rows = snapshot.messages.map((m) => {
      if (m.parts_chunks == null || m.parts == null) return m;
      const chunks = chunkText(m.parts);
      chunked.set(Number(m.seq), chunks);
      return { ...m, parts: null, parts_chunks: chunks.length };
    });
    // One statement for all messages: fast locally, one round trip remotely.
    await tx.run(
      // A snapshot taken before v5 has no parts or usage keys: they read as NULL.
      `INSERT INTO messages (session_pk, parts_chunks, ${MESSAGE_COPY_COLUMNS.join(", ")})
       SELECT ?, value ->> 'parts_chunks', ${MESSAGE_COPY_COLUMNS.map((c) => `value ->> '${c}'`).join(", ")}
       FROM json_each(?) ORDER BY key`,
      [sessionPk, JSON.stringify(rows)],
    );
    for (const [seq, chunks] of chunked) {
      for (const [n, data] of chunks.entries()) {
        await tx.run(
          `INSERT INTO message_blobs (message_pk, chunk, data)
           VALUES ((SELECT pk FROM messages WHERE session_pk = ? AND seq = ?), ?, ?)`,
          [sessionPk, seq, n, data],
        );
      }
    }
  }
  // The row as it was; a parent deleted meanwhile is gone for good (a
  // parent is in the same tenant).
  await tx.run(
    `UPDATE sessions SET status = 'active', archived_at = NULL, title = ?, model = ?, metadata = ?,
       message_count = ?, token_count = ?, input_tokens = ?, output_tokens = ?,
       cached_input_tokens = ?, reasoning_tokens = ?, cost_micros = ?, cost_currency = ?,
       last_seq = ?, created_at = ?, updated_at = ?,
       last_activity_at = ?, expires_at = ?,
       parent_pk = (SELECT p.pk FROM sessions AS p WHERE p.id = ? AND p.tenant_id = ?), parent_seq = ?
     WHERE pk = ?`,
    [
      s.title,
      s.model,
      s.metadata,
      s.message_count,
      s.token_count,
      // Usage totals are absent from snapshots taken before v5 (there was no usage then).
      s.input_tokens ?? 0,
      s.output_tokens ?? 0,
      s.cached_input_tokens ?? 0,
      s.reasoning_tokens ?? 0,
      s.cost_micros ?? 0,
      s.cost_currency ?? null,
      s.last_seq,
      s.created_at,
      s.updated_at,
      s.last_activity_at,
      s.expires_at,
      s.parent_id,
      current.tenant_id,
      s.parent_seq,
      sessionPk,
    ],
  );
  await tx.run("DELETE FROM snapshots WHERE tenant_id = ? AND session_id = ?", [
    current.tenant_id,
    current.id,
  ]);
  return true;
}
