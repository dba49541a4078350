import type { Transaction } from "../driver/index.js";
import { hasQueued, QUEUED_ROWS_SQL } from "./index-queue.js";

/**
 * The connection's own in-memory FTS5 table for messages still queued for
 * the search index (above the watermark, see `index-queue.ts`). Search matches them here instead
 * of indexing the queue first, so it never writes the database: it answers
 * on a read-only file, a full disk, or while another process holds the write
 * lock. A TEMP table belongs to one connection and lives in its temp
 * database, which a read-only file does not prevent.
 *
 * The tokenizer must be the one of `messages_fts` (schema v1), so that a
 * queued message matches exactly when it will once indexed.
 */
export const QUEUE_FTS = "llm_sessions_search_queue";

const CREATE = `CREATE VIRTUAL TABLE IF NOT EXISTS temp.${QUEUE_FTS} USING fts5 (
  content,
  tokenize = 'unicode61 remove_diacritics 2'
)`;

/** The temp table could not be written (a `query_only` connection): search must index the queue instead. */
export class QueueNotLoadable extends Error {
  constructor(cause: unknown) {
    super("search: the queued messages could not be loaded into a temp index", { cause });
  }
}

/**
 * In the caller's read transaction: loads the queued messages (as of its
 * snapshot) into the temp table, replacing what it held. Returns whether any
 * message is queued; with none, nothing is written at all.
 */
export async function loadQueued(tx: Transaction): Promise<boolean> {
  if (!(await hasQueued(tx))) return false;
  try {
    await tx.exec(CREATE);
    await tx.run(`DELETE FROM temp.${QUEUE_FTS}`);
    await tx.run(`INSERT INTO temp.${QUEUE_FTS} (rowid, content) ${QUEUED_ROWS_SQL}`);
  } catch (error) {
    throw new QueueNotLoadable(error);
  }
  return true;
}

/** Empties the temp table, so no message text stays in the connection's memory after the search. */
export async function clearQueued(tx: Transaction): Promise<void> {
  await tx.run(`DELETE FROM temp.${QUEUE_FTS}`);
}
