import type { Transaction } from "@llm-sessions/core/extension";

/**
 * Keeps the newest `keep` checkpoints of one (thread, namespace), inside the
 * put's transaction: older checkpoints go, with their pending writes, and
 * channel values no remaining checkpoint points at. Checkpoint ids are
 * time-ordered (uuid6), so "newest" is by id, across forked branches too.
 * Returns how many checkpoints were removed.
 */
export async function pruneThread(
  tx: Transaction,
  sessionPk: number,
  ns: string,
  keep: number,
): Promise<number> {
  const oldestKept = await tx.get<{ id: string }>(
    `SELECT checkpoint_id AS id FROM langgraph_checkpoints
     WHERE session_pk = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1 OFFSET ?`,
    [sessionPk, ns, keep - 1],
  );
  if (!oldestKept) return 0;
  const removed = await tx.run(
    "DELETE FROM langgraph_checkpoints WHERE session_pk = ? AND checkpoint_ns = ? AND checkpoint_id < ?",
    [sessionPk, ns, oldestKept.id],
  );
  if (Number(removed.changes) === 0) return 0;
  await tx.run(
    "DELETE FROM langgraph_writes WHERE session_pk = ? AND checkpoint_ns = ? AND checkpoint_id < ?",
    [sessionPk, ns, oldestKept.id],
  );
  // Values are shared between checkpoints (stored once per version): drop
  // only those that no kept checkpoint's channel_versions names.
  await tx.run(
    `DELETE FROM langgraph_blobs AS b
     WHERE b.session_pk = ? AND b.checkpoint_ns = ? AND NOT EXISTS (
       SELECT 1 FROM langgraph_checkpoints c CROSS JOIN json_each(c.channel_versions) cv
       WHERE c.session_pk = b.session_pk AND c.checkpoint_ns = b.checkpoint_ns
         AND cv.key = b.channel AND CAST(cv.value AS TEXT) = b.version)`,
    [sessionPk, ns],
  );
  return Number(removed.changes);
}
