import { createHash } from "node:crypto";
import { type Queryable, SqliteError } from "../driver/index.js";
import { DatabaseCorruptError } from "../errors.js";
import type { StoreExtension } from "../extensions/types.js";
import { DiskFullError } from "../files/errors.js";
import { isCorruptionError } from "../pool/corruption.js";
import { indexQueued } from "../search/index-queue.js";
import type { Executor } from "../sessions/context.js";
import { joinChunksSql } from "../sessions/rows.js";

/** One problem an integrity check found. */
export interface IntegrityFinding {
  /** Which check: `sqlite`, `foreign-keys`, `counters`, `seq`, `orphans`, `tenants`, `tool-calls`, `blobs`, `compaction`, `fts`, `snapshots`. */
  readonly check: string;
  /** What is wrong, in words. */
  readonly message: string;
  /** How many rows or items are affected. */
  readonly count: number;
  /** Up to 10 examples (session ids, table names, SQLite's own lines). */
  readonly sample: readonly string[];
}

/** The outcome of `integrity.check`. */
export interface IntegrityReport {
  /** True when no check found a problem. */
  readonly ok: boolean;
  /** Which checks ran. */
  readonly checks: readonly string[];
  /** The problems found, one per check and kind of problem; empty when `ok`. */
  readonly findings: readonly IntegrityFinding[];
  /** Time the check took, in milliseconds. */
  readonly durationMs: number;
}

/** Options of `integrity.check`. */
export interface IntegrityCheckOptions {
  /** `integrity_check` (reads every page) instead of `quick_check`. Default false. */
  readonly full?: boolean;
}

const SAMPLE = 10;

/** Sessions whose counters differ from their rows (archived ones keep counters by design). */
export const COUNTERS_SQL = `
  SELECT s.id AS id, s.pk AS pk FROM sessions s
  LEFT JOIN (
    SELECT session_pk, count(*) AS n, coalesce(sum(tokens), 0) AS t, max(seq) AS last,
      coalesce(sum(input_tokens), 0) AS i, coalesce(sum(output_tokens), 0) AS o,
      coalesce(sum(cached_input_tokens), 0) AS c, coalesce(sum(reasoning_tokens), 0) AS r,
      coalesce(sum(cost_micros), 0) AS cost
    FROM messages GROUP BY session_pk
  ) m ON m.session_pk = s.pk
  WHERE s.status != 'archived'
    AND (s.message_count != coalesce(m.n, 0) OR s.token_count != coalesce(m.t, 0)
         OR s.last_seq != coalesce(m.last, 0)
         OR s.input_tokens != coalesce(m.i, 0) OR s.output_tokens != coalesce(m.o, 0)
         OR s.cached_input_tokens != coalesce(m.c, 0) OR s.reasoning_tokens != coalesce(m.r, 0)
         OR s.cost_micros != coalesce(m.cost, 0))`;

/** Sessions whose seq is not exactly 1..n (by id; an orphan's by its key). */
export const SEQ_SQL = `
  SELECT coalesce((SELECT s.id FROM sessions s WHERE s.pk = m.session_pk), '#' || m.session_pk) AS id,
    m.session_pk AS pk
  FROM messages m GROUP BY m.session_pk
  HAVING min(m.seq) != 1 OR max(m.seq) != count(*) OR count(DISTINCT m.seq) != count(*)`;

/**
 * Sessions whose compaction point is not their newest summary's (schema v5):
 * `compacted_through` must be the `summary_through` of the newest summary
 * (0 without one), and at most `last_seq` (archived sessions keep theirs
 * while their messages are in the snapshot).
 */
export const COMPACTION_SQL = `
  SELECT s.id AS id, s.pk AS pk FROM sessions s
  WHERE s.status != 'archived'
    AND (s.compacted_through > s.last_seq OR s.compacted_through != coalesce((
      SELECT m.summary_through FROM messages m
      WHERE m.session_pk = s.pk AND m.summary_through IS NOT NULL ORDER BY m.seq DESC LIMIT 1), 0))`;

/** A message `m` whose session does not exist. */
export const ORPHANS_CONDITION = "NOT EXISTS (SELECT 1 FROM sessions s WHERE s.pk = m.session_pk)";

/**
 * Sessions with a message whose parts are in chunks (schema v5) that are
 * not all there (chunks 0..n-1) or do not join into JSON.
 */
export const BLOBS_SQL = `
  SELECT DISTINCT coalesce((SELECT s.id FROM sessions s WHERE s.pk = m.session_pk), '#' || m.session_pk) AS id
  FROM messages m
  WHERE m.parts_chunks IS NOT NULL AND (
    (SELECT count(*) FROM message_blobs b WHERE b.message_pk = m.pk) != m.parts_chunks
    OR (SELECT max(b.chunk) FROM message_blobs b WHERE b.message_pk = m.pk) != m.parts_chunks - 1
    OR NOT json_valid((${joinChunksSql("m.pk")})))`;

/** The rows `message_tool_calls` must hold: the tool-call parts of every message (schema v5). */
export const DERIVED_TOOL_CALLS_SQL = `
  SELECT m.session_pk AS session_pk, j.value ->> 'toolCallId' AS tool_call_id, m.pk AS message_pk
  FROM (SELECT pk, session_pk, CASE WHEN parts_chunks IS NULL THEN parts ELSE (
          ${joinChunksSql("messages.pk")})
        END AS joined FROM messages WHERE parts IS NOT NULL OR parts_chunks IS NOT NULL) AS m
    -- Chunks that do not join into JSON are the 'blobs' check's finding, not an error here.
    CROSS JOIN json_each(CASE WHEN json_valid(m.joined) THEN m.joined ELSE '[]' END) AS j
  WHERE j.value ->> 'type' = 'tool-call'`;

/** Sessions whose tool-call table differs from their messages' tool calls (either way). */
export const TOOL_CALLS_SQL = `
  SELECT DISTINCT coalesce((SELECT s.id FROM sessions s WHERE s.pk = d.session_pk), '#' || d.session_pk) AS id
  FROM (
    SELECT * FROM (${DERIVED_TOOL_CALLS_SQL}
                   EXCEPT SELECT session_pk, tool_call_id, message_pk FROM message_tool_calls)
    UNION ALL
    SELECT * FROM (SELECT session_pk, tool_call_id, message_pk FROM message_tool_calls
                   EXCEPT ${DERIVED_TOOL_CALLS_SQL})
  ) AS d`;

/** Orphans are named by the internal key of their missing session. */
const ORPHANS_SQL = `SELECT DISTINCT '#' || m.session_pk AS id FROM messages m WHERE ${ORPHANS_CONDITION}`;

/**
 * Forks whose parent is another tenant's session: the store forks within a
 * tenant only, so only a hand edit makes one, and it would show one
 * tenant another's session id (`parentId`).
 */
export const CROSS_TENANT_PARENTS_SQL = `
  SELECT s.id AS id, s.pk AS pk FROM sessions s JOIN sessions p ON p.pk = s.parent_pk
  WHERE p.tenant_id != s.tenant_id`;

/** The message of a finding whose check could not read what it needed: the pages are damaged. */
export const UNREADABLE = "could not be checked: SQLite reports the database as damaged";

/** Archived sessions whose messages left the table but whose snapshot is missing. */
const ARCHIVED_WITHOUT_SNAPSHOT_SQL = `
  SELECT s.id FROM sessions s
  WHERE s.status = 'archived' AND NOT EXISTS (
    SELECT 1 FROM snapshots p WHERE p.tenant_id = s.tenant_id AND p.session_id = s.id)`;

/** Snapshots are read a page at a time: a payload holds a whole conversation. */
const SNAPSHOT_PAGE = 50;

async function idsFinding(
  q: Queryable,
  check: string,
  message: string,
  sql: string,
): Promise<IntegrityFinding | undefined> {
  const rows = await q.all<{ id: string }>(sql);
  if (rows.length === 0) return undefined;
  return { check, message, count: rows.length, sample: rows.slice(0, SAMPLE).map((r) => r.id) };
}

/** Snapshots whose stored checksum is not the SHA-256 of their payload. */
async function snapshotFinding(q: Queryable): Promise<IntegrityFinding | undefined> {
  const bad: string[] = [];
  let after = 0;
  for (;;) {
    const rows = await q.all<{
      rowid: number;
      session_id: string;
      checksum: string;
      payload: Uint8Array;
    }>(
      `SELECT rowid, session_id, checksum, payload FROM snapshots WHERE rowid > ?
       ORDER BY rowid LIMIT ${SNAPSHOT_PAGE}`,
      [after],
    );
    for (const row of rows) {
      const actual = createHash("sha256").update(row.payload).digest("hex");
      if (actual !== row.checksum) bad.push(row.session_id);
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < SNAPSHOT_PAGE) break;
    after = Number(last.rowid);
  }
  if (bad.length === 0) return undefined;
  return {
    check: "snapshots",
    message: "snapshot payloads that do not match their checksum",
    count: bad.length,
    sample: bad.slice(0, SAMPLE),
  };
}

/**
 * Runs one check; when SQLite cannot even read what it needs (the file is
 * damaged), that is a finding of this check rather than an exception, so one
 * broken page does not hide what the other checks would say.
 */
async function guarded(
  findings: IntegrityFinding[],
  check: string,
  run: () => Promise<IntegrityFinding | undefined>,
): Promise<void> {
  try {
    const found = await run();
    if (found) findings.push(found);
  } catch (error) {
    if (!isCorruptionError(error) && !(error instanceof DatabaseCorruptError)) throw error;
    findings.push({
      check,
      message: UNREADABLE,
      count: 1,
      sample: [error.message],
    });
  }
}

/** Thrown to roll back the search index check's transaction: it must leave nothing behind. */
const ROLL_BACK = Symbol("roll back the check");

/**
 * The search index's watermark, when it is wrong: past the newest message
 * (the next append would count as indexed and never be found) or missing
 * (only damage makes either: the delete trigger keeps it at most the
 * newest pk).
 */
const WATERMARK_SQL = `
  SELECT CAST(indexed_through AS TEXT) AS id FROM search_index_state
  WHERE indexed_through > (SELECT coalesce(max(pk), 0) FROM messages)
  UNION ALL SELECT 'missing' AS id WHERE (SELECT count(*) FROM search_index_state) <> 1`;

const WATERMARK_MESSAGE =
  "the search index's watermark is past the newest message, or missing (messages above it would never be indexed)";

/** SQLite refused to write: the file or connection is read-only, or the disk is full. */
function isWriteRefused(error: unknown): boolean {
  if (error instanceof DiskFullError) return true;
  return error instanceof SqliteError && (error.code === "READONLY" || error.code === "FULL");
}

/**
 * Checks the database without changing anything: SQLite's own check,
 * foreign keys, session counters against their rows, gap-free seq, orphaned
 * messages, forks linked across tenants, the tool-call index against the
 * messages' tool calls, each session's compaction point against its newest
 * summary, snapshot checksums, and the search index against the table
 * (with the messages still queued for it indexed inside a transaction that
 * is rolled back). When the database cannot be written (a read-only file,
 * a full disk) that last check cannot run — FTS5 spells it as an INSERT —
 * and `fts-queue` (the index's watermark is sound) runs in its place; `checks`
 * says which ran. Damage that stops a check from reading is reported as a
 * finding of that check, never as a clean result.
 */
export async function checkIntegrity(
  db: Executor,
  options: IntegrityCheckOptions = {},
  extensions: readonly StoreExtension[] = [],
): Promise<IntegrityReport> {
  const started = performance.now();
  const findings: IntegrityFinding[] = [];
  const checks = [
    "sqlite",
    "foreign-keys",
    "counters",
    "seq",
    "orphans",
    "tenants",
    "tool-calls",
    "blobs",
    "compaction",
    "snapshots",
    "fts",
  ];
  await guarded(findings, "sqlite", async () => {
    await db.readSnapshot(async (tx) => {
      // SQLite 3.53's quick_check also checks FTS5 indexes, but on a connection
      // whose cached FTS5 structure is older than another connection's commit it
      // reports "fts5: corruption found reading blob" where there is none (seen
      // with two plain better-sqlite3 connections). Any FTS5 query in the same
      // read transaction refreshes that cache first.
      await guarded(findings, "fts", async () => {
        await tx.get("SELECT rowid FROM messages_fts WHERE messages_fts MATCH '\"x\"' LIMIT 1");
        return undefined;
      });
      const pragma = options.full ? "integrity_check" : "quick_check";
      await guarded(findings, "sqlite", async () => {
        const lines = (await tx.all<Record<string, string>>(`PRAGMA ${pragma}`)).map(
          (r) => Object.values(r)[0] ?? "",
        );
        if (lines.length === 1 && lines[0] === "ok") return undefined;
        return {
          check: "sqlite",
          message: `PRAGMA ${pragma} reported problems`,
          count: lines.length,
          sample: lines.slice(0, SAMPLE),
        };
      });
      await guarded(findings, "foreign-keys", async () => {
        const fk = await tx.all<{ table: string; parent: string }>("PRAGMA foreign_key_check");
        if (fk.length === 0) return undefined;
        return {
          check: "foreign-keys",
          message: "rows reference missing parents",
          count: fk.length,
          sample: fk.slice(0, SAMPLE).map((r) => `${r.table} -> ${r.parent}`),
        };
      });
      for (const [check, message, sql] of [
        ["counters", "session counters differ from their messages", COUNTERS_SQL],
        ["seq", "message seq is not gap-free 1..n", SEQ_SQL],
        ["orphans", "messages whose session does not exist", ORPHANS_SQL],
        ["tenants", "forks whose parent is another tenant's session", CROSS_TENANT_PARENTS_SQL],
        [
          "tool-calls",
          "sessions whose tool-call index differs from their messages' tool calls",
          TOOL_CALLS_SQL,
        ],
        ["blobs", "messages whose parts are in chunks that are missing or do not join", BLOBS_SQL],
        [
          "compaction",
          "sessions whose compactedThrough is not their newest summary's summaryThrough",
          COMPACTION_SQL,
        ],
        ["snapshots", "archived sessions without a snapshot", ARCHIVED_WITHOUT_SNAPSHOT_SQL],
      ] as const) {
        await guarded(findings, check, () => idsFinding(tx, check, message, sql));
      }
      await guarded(findings, "snapshots", () => snapshotFinding(tx));
      // Checks that attached extensions contribute, in the same read snapshot.
      for (const ext of extensions) {
        for (const c of ext.checks ?? []) {
          const check = `${ext.name}:${c.check}`;
          checks.push(check);
          await guarded(findings, check, () => idsFinding(tx, check, c.message, c.sql));
        }
      }
    });
    return undefined;
  });
  // FTS5's integrity-check is spelled as an INSERT, so it runs on the writer,
  // in a transaction that is always rolled back: the check keeps nothing it
  // wrote. A drifted index makes it fail with SQLITE_CORRUPT_VTAB, which the
  // pool raises as DatabaseCorruptError; the catch below makes it this finding.
  await guarded(findings, "fts", async () => {
    const watermark = await db.read((q) => idsFinding(q, "fts", WATERMARK_MESSAGE, WATERMARK_SQL));
    if (watermark) return watermark;
    try {
      await db.write(async (tx) => {
        // Messages above the watermark are not in the index yet by design:
        // index them first, or the comparison would report them.
        await indexQueued(tx, Number.MAX_SAFE_INTEGER);
        await tx.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
        throw ROLL_BACK;
      });
      return undefined;
    } catch (error) {
      if (error === ROLL_BACK) return undefined;
      if (isWriteRefused(error)) {
        // A read-only file or a full disk: check what can be read instead.
        checks.splice(checks.indexOf("fts"), 1, "fts-queue");
        return db.read((q) => idsFinding(q, "fts-queue", WATERMARK_MESSAGE, WATERMARK_SQL));
      }
      // Some builds report the mismatch as a plain SQLITE_ERROR.
      const plain = error instanceof SqliteError && error.code === "ERROR";
      if (!(error instanceof DatabaseCorruptError) && !plain) throw error;
      return {
        check: "fts",
        message: "the search index differs from the messages table",
        count: 1,
        sample: [error.message],
      };
    }
  });
  return { ok: findings.length === 0, checks, findings, durationMs: performance.now() - started };
}
