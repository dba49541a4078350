import { z } from "zod";
import type { Transaction } from "../driver/index.js";
import { DatabaseCorruptError } from "../errors.js";
import type { Executor } from "../sessions/context.js";
import { filePath, parse } from "../sessions/validation.js";
import type { BackupFn } from "./backup.js";
import {
  COMPACTION_SQL,
  COUNTERS_SQL,
  checkIntegrity,
  DERIVED_TOOL_CALLS_SQL,
  type IntegrityFinding,
  type IntegrityReport,
  ORPHANS_CONDITION,
  SEQ_SQL,
  TOOL_CALLS_SQL,
  UNREADABLE,
} from "./check.js";

/** Options of `integrity.repair`. */
export interface IntegrityRepairOptions {
  /**
   * Where to write a copy of the database before anything changes (a new
   * file), or `false` to skip the backup. Required: skipping it is a choice
   * the caller makes out loud.
   */
  readonly backupTo: string | false;
  /** Run `integrity_check` (every page) instead of `quick_check`, before and after. Default false. */
  readonly full?: boolean;
}

/** What `integrity.repair` changed. */
export interface RepairActions {
  /** Messages whose session does not exist, moved to `quarantined_messages`. */
  readonly orphansQuarantined: number;
  /**
   * Sessions whose parent link named a missing session (cleared, as ON
   * DELETE SET NULL would have) or another tenant's session (cleared).
   */
  readonly parentLinksCleared: number;
  /** Sessions whose messages were renumbered 1..n (in their existing order). */
  readonly seqRenumbered: number;
  /** Sessions whose counters were recomputed from their messages. */
  readonly countersFixed: number;
  /** Sessions whose `compactedThrough` was set back to their newest summary's (schema v5). */
  readonly compactionFixed: number;
  /** Whether the tool-call index was rebuilt from the messages' tool calls (it differed). */
  readonly toolCallsRebuilt: boolean;
  /** Whether the search index was rebuilt from the messages table. */
  readonly searchRebuilt: boolean;
  /** Whether the table indexes were rebuilt (`REINDEX`: `integrity_check` found an index out of step). */
  readonly reindexed: boolean;
}

/** The outcome of `integrity.repair`. */
export interface IntegrityRepairReport {
  /** True when the check after the repair is clean. */
  readonly ok: boolean;
  /** The backup written first, or `null` when `backupTo` was `false`. */
  readonly backup: string | null;
  /** The check run before any change; it decides what is repaired. */
  readonly before: IntegrityReport;
  /** What the repair changed (all zero and false when `before` was clean). */
  readonly actions: RepairActions;
  /** The check run after the repair. */
  readonly after: IntegrityReport;
  /** Time the check, backup and repair took together, in milliseconds. */
  readonly durationMs: number;
}

/** What repair needs besides the database. */
export interface RepairDeps {
  /** The database, for error messages. */
  readonly target: string;
  readonly backup: BackupFn;
  /** Throws `UnsupportedOperationError` when `backup` cannot work here: checked before anything runs. */
  readonly refuseBackup: () => void;
  /** Stamps `quarantined_messages.quarantined_at`. */
  readonly clock: () => number;
}

const optionsSchema = z.strictObject({
  backupTo: z.union([filePath(), z.literal(false)], {
    error: "must be a new file's path, or false to skip the backup",
  }),
  full: z.boolean().optional(),
});

/**
 * `integrity_check` lines that a rebuild cures: an index out of step with
 * its table (REINDEX) or an FTS5 index (rebuild). Any other line means
 * damaged pages, which no SQL can repair.
 */
const INDEX_LINE =
  /^(row \d+ missing from index|wrong # of entries in index|non-unique entry in index)/i;
const FTS_LINE = /fts5|malformed inverted index/i;

const NO_ACTIONS: RepairActions = {
  orphansQuarantined: 0,
  parentLinksCleared: 0,
  seqRenumbered: 0,
  countersFixed: 0,
  compactionFixed: 0,
  toolCallsRebuilt: false,
  searchRebuilt: false,
  reindexed: false,
};

/**
 * Repairs what breaks the store's own rules, after a check and a backup, in
 * one write transaction, then checks again:
 *
 * 1. orphaned messages (their session is gone, possible only when something
 *    wrote with foreign keys off) move to `quarantined_messages`, whole, with
 *    the reason `orphan`; they are never deleted silently;
 * 2. parent links to missing sessions, or to another tenant's, are cleared;
 * 3. sessions whose seq is not 1..n are renumbered in their existing order
 *    (by seq, then insertion);
 * 4. counters (message_count, token_count, usage totals, last_seq) are recomputed for
 *    sessions where they differ (archived sessions keep theirs by design);
 * 5. a session's compaction point is set to its newest summary's (0 without one);
 * 6. the tool-call index (schema v5) is rebuilt from the messages' parts
 *    when it differs from them;
 * 7. the search index is rebuilt, and table indexes re-indexed, when the
 *    check found them out of step.
 *
 * Damaged pages are not something SQL can repair: when the check finds any,
 * nothing is changed and `DatabaseCorruptError` says to restore a backup (or
 * recover with the sqlite3 shell's `.recover`). Snapshot checksum mismatches
 * are reported in `after` but not changed: the snapshot is the only copy.
 *
 * @throws ValidationError for bad options (nothing changed).
 * @throws DatabaseCorruptError when the file has damaged pages (nothing changed).
 * @throws UnsupportedOperationError when a backup is asked for where none can be written (a server: pass `backupTo: false`); nothing ran.
 */
export async function repairIntegrity(
  db: Executor,
  deps: RepairDeps,
  options: IntegrityRepairOptions,
): Promise<IntegrityRepairReport> {
  const opts = parse("integrity.repair", optionsSchema, options);
  if (opts.backupTo !== false) deps.refuseBackup();
  const started = performance.now();
  const before = await checkIntegrity(db, { full: opts.full ?? false });
  const plan = planRepair(deps.target, before.findings);
  if (opts.backupTo !== false) await deps.backup(opts.backupTo);
  const now = deps.clock();
  const actions = before.ok
    ? NO_ACTIONS
    : await db.write((tx) => repairInTx(tx, now, plan.rebuildSearch, plan.reindex));
  const after = await checkIntegrity(db, { full: opts.full ?? false });
  return {
    ok: after.ok,
    backup: opts.backupTo === false ? null : opts.backupTo,
    before,
    actions,
    after,
    durationMs: performance.now() - started,
  };
}

/** Decides the rebuilds, or refuses when pages are damaged. */
function planRepair(
  target: string,
  findings: readonly IntegrityFinding[],
): {
  rebuildSearch: boolean;
  reindex: boolean;
} {
  let rebuildSearch = false;
  let reindex = false;
  for (const f of findings) {
    if (f.message === UNREADABLE) throw damaged(target, f.sample);
    if (f.check === "fts") rebuildSearch = true;
    if (f.check !== "sqlite") continue;
    // Only `count` lines exist; `sample` holds the first few. Decide on all
    // of them only when all were seen.
    if (f.sample.length < f.count) throw damaged(target, f.sample);
    for (const line of f.sample) {
      if (INDEX_LINE.test(line)) reindex = true;
      else if (FTS_LINE.test(line)) rebuildSearch = true;
      else throw damaged(target, f.sample);
    }
  }
  return { rebuildSearch, reindex };
}

function damaged(target: string, lines: readonly string[]): DatabaseCorruptError {
  return new DatabaseCorruptError(
    target,
    "repairing",
    `pages are damaged (${lines.slice(0, 3).join("; ")}); nothing was changed: restore a backup, or recover the file with the sqlite3 shell's .recover`,
  );
}

const pks = (rows: readonly { pk: number }[]): string => JSON.stringify(rows.map((r) => r.pk));

async function repairInTx(
  tx: Transaction,
  now: number,
  rebuildSearch: boolean,
  reindex: boolean,
): Promise<RepairActions> {
  // Index first, so that every step below reads through sound indexes.
  if (reindex) await tx.exec("REINDEX");
  // The whole row goes to quarantine as JSON; the delete trigger then takes
  // it out of the search index (its session no longer exists, so the counter
  // update inside the trigger touches nothing).
  const quarantined = await tx.run(
    `INSERT INTO quarantined_messages (reason, source, quarantined_at, session_id, message_id, original)
     SELECT 'orphan', 'repair', ?, NULL, m.id, json_object(
       'pk', m.pk, 'id', m.id, 'session_pk', m.session_pk, 'seq', m.seq, 'role', m.role,
       'content', m.content, 'name', m.name, 'model', m.model, 'tokens', m.tokens,
       'latency_ms', m.latency_ms, 'parts', m.parts, 'input_tokens', m.input_tokens,
       'output_tokens', m.output_tokens, 'cached_input_tokens', m.cached_input_tokens,
       'reasoning_tokens', m.reasoning_tokens, 'cost_micros', m.cost_micros,
       'cost_currency', m.cost_currency, 'metadata', m.metadata,
       'idempotency_key', m.idempotency_key, 'created_at', m.created_at)
     FROM messages m WHERE ${ORPHANS_CONDITION} ORDER BY m.pk`,
    [now],
  );
  if (quarantined.changes > 0) await tx.run(`DELETE FROM messages AS m WHERE ${ORPHANS_CONDITION}`);
  // A link to a missing session, or to another tenant's: cleared.
  const parents = await tx.run(
    `UPDATE sessions SET parent_pk = NULL
     WHERE parent_pk IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM sessions p WHERE p.pk = sessions.parent_pk AND p.tenant_id = sessions.tenant_id)`,
  );
  const seqRenumbered = await renumberSeq(tx);
  const wrong = await tx.all<{ pk: number }>(COUNTERS_SQL);
  if (wrong.length > 0) {
    await tx.run(
      `UPDATE sessions SET
         message_count = (SELECT count(*) FROM messages WHERE session_pk = sessions.pk),
         token_count = (SELECT coalesce(sum(tokens), 0) FROM messages WHERE session_pk = sessions.pk),
         input_tokens = (SELECT coalesce(sum(input_tokens), 0) FROM messages WHERE session_pk = sessions.pk),
         output_tokens = (SELECT coalesce(sum(output_tokens), 0) FROM messages WHERE session_pk = sessions.pk),
         cached_input_tokens = (SELECT coalesce(sum(cached_input_tokens), 0) FROM messages WHERE session_pk = sessions.pk),
         reasoning_tokens = (SELECT coalesce(sum(reasoning_tokens), 0) FROM messages WHERE session_pk = sessions.pk),
         cost_micros = (SELECT coalesce(sum(cost_micros), 0) FROM messages WHERE session_pk = sessions.pk),
         last_seq = (SELECT coalesce(max(seq), 0) FROM messages WHERE session_pk = sessions.pk),
         last_activity_at = max(last_activity_at,
           coalesce((SELECT max(created_at) FROM messages WHERE session_pk = sessions.pk), 0))
       WHERE pk IN (SELECT value FROM json_each(?))`,
      [pks(wrong)],
    );
  }
  const uncompacted = await tx.all<{ pk: number }>(COMPACTION_SQL);
  if (uncompacted.length > 0) {
    await tx.run(
      `UPDATE sessions SET compacted_through = coalesce((
         SELECT m.summary_through FROM messages m
         WHERE m.session_pk = sessions.pk AND m.summary_through IS NOT NULL ORDER BY m.seq DESC LIMIT 1), 0)
       WHERE pk IN (SELECT value FROM json_each(?))`,
      [pks(uncompacted)],
    );
  }
  // Derived data: rebuilt whole from the parts (a call id twice in a session,
  // which only damage makes, keeps its first message).
  const toolCallsRebuilt = (await tx.get(`${TOOL_CALLS_SQL} LIMIT 1`)) !== undefined;
  if (toolCallsRebuilt) {
    await tx.run("DELETE FROM message_tool_calls");
    await tx.run(
      `INSERT OR IGNORE INTO message_tool_calls (session_pk, tool_call_id, message_pk)
       SELECT * FROM (${DERIVED_TOOL_CALLS_SQL}) ORDER BY message_pk`,
    );
  }
  if (rebuildSearch) {
    await tx.run("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
    // 'rebuild' indexed every message, queued ones included: the watermark
    // moves to the newest (indexing them again would corrupt the index).
    await tx.run(
      `INSERT OR REPLACE INTO search_index_state (id, indexed_through)
       SELECT 1, coalesce(max(pk), 0) FROM messages`,
    );
  }
  return {
    orphansQuarantined: quarantined.changes,
    parentLinksCleared: parents.changes,
    seqRenumbered,
    countersFixed: wrong.length,
    compactionFixed: uncompacted.length,
    toolCallsRebuilt,
    searchRebuilt: rebuildSearch,
    reindexed: reindex,
  };
}

/**
 * Renumbers the messages of sessions whose seq is not 1..n, keeping their
 * order (seq, then pk: insertion order breaks ties).
 *
 * `messages_identity_is_fixed` forbids changing seq, for good reason in
 * ordinary use; here it is dropped and re-created from its own stored SQL
 * inside this transaction, so no other connection ever sees the table
 * without it. Rows are updated in place rather than deleted and re-inserted,
 * which would fire the counter and search-index triggers for every row and
 * change the rowids the search index points at.
 *
 * UNIQUE (session_pk, seq) is checked row by row, so a direct renumbering
 * could collide with a row not yet moved; two passes avoid that: first every
 * affected row goes above the table's highest seq, then down to its place.
 */
async function renumberSeq(tx: Transaction): Promise<number> {
  const broken = await tx.all<{ pk: number }>(SEQ_SQL);
  if (broken.length === 0) return 0;
  const trigger = await tx.get<{ sql: string }>(
    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'messages_identity_is_fixed'",
  );
  const top = await tx.get<{ top: number }>("SELECT coalesce(max(seq), 0) AS top FROM messages");
  const offset = Number(top?.top ?? 0);
  const list = pks(broken);
  if (trigger) await tx.exec("DROP TRIGGER messages_identity_is_fixed");
  await tx.run(
    `UPDATE messages SET seq = ranked.n + ?
     FROM (SELECT pk, row_number() OVER (PARTITION BY session_pk ORDER BY seq, pk) AS n
           FROM messages WHERE session_pk IN (SELECT value FROM json_each(?))) AS ranked
     WHERE messages.pk = ranked.pk`,
    [offset, list],
  );
  await tx.run(
    "UPDATE messages SET seq = seq - ? WHERE session_pk IN (SELECT value FROM json_each(?))",
    [offset, list],
  );
  if (trigger) await tx.exec(trigger.sql);
  return broken.length;
}
