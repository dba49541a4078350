import type { Queryable } from "../driver/index.js";
import { SqliteError } from "../driver/index.js";
import type { Executor } from "../sessions/context.js";

/** One problem an integrity check found. */
export interface IntegrityFinding {
  /** Which check: `sqlite`, `foreign-keys`, `counters`, `seq`, `orphans`, `fts`. */
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
  readonly ok: boolean;
  /** Which checks ran. */
  readonly checks: readonly string[];
  readonly findings: readonly IntegrityFinding[];
  readonly durationMs: number;
}

/** Options of `integrity.check`. */
export interface IntegrityCheckOptions {
  /** `integrity_check` (reads every page) instead of `quick_check`. Default false. */
  readonly full?: boolean;
}

const SAMPLE = 10;

/** Sessions whose counters differ from their rows (archived ones keep counters by design). */
const COUNTERS_SQL = `
  SELECT s.id FROM sessions s
  LEFT JOIN (
    SELECT session_id, count(*) AS n, coalesce(sum(tokens), 0) AS t, max(seq) AS last
    FROM messages GROUP BY session_id
  ) m ON m.session_id = s.id
  WHERE s.status != 'archived'
    AND (s.message_count != coalesce(m.n, 0) OR s.token_count != coalesce(m.t, 0)
         OR s.last_seq != coalesce(m.last, 0))`;

/** Sessions whose seq is not exactly 1..n. */
const SEQ_SQL = `
  SELECT session_id AS id FROM messages GROUP BY session_id
  HAVING min(seq) != 1 OR max(seq) != count(*) OR count(DISTINCT seq) != count(*)`;

const ORPHANS_SQL = `
  SELECT DISTINCT m.session_id AS id FROM messages m
  WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = m.session_id)`;

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

/**
 * Checks the database without changing it: SQLite's own check, foreign keys,
 * session counters against their rows, gap-free seq, orphaned messages, and
 * the search index against the table.
 */
export async function checkIntegrity(
  db: Executor,
  options: IntegrityCheckOptions = {},
): Promise<IntegrityReport> {
  const started = performance.now();
  const findings: IntegrityFinding[] = [];
  const checks = ["sqlite", "foreign-keys", "counters", "seq", "orphans", "fts"];
  await db.readSnapshot(async (tx) => {
    // SQLite 3.53's quick_check also checks FTS5 indexes, but on a connection
    // whose cached FTS5 structure is older than another connection's commit it
    // reports "fts5: corruption found reading blob" where there is none (seen
    // with two plain better-sqlite3 connections). Any FTS5 query in the same
    // read transaction refreshes that cache first.
    await tx.get("SELECT rowid FROM messages_fts WHERE messages_fts MATCH '\"x\"' LIMIT 1");
    const pragma = options.full ? "integrity_check" : "quick_check";
    const lines = (await tx.all<Record<string, string>>(`PRAGMA ${pragma}`)).map(
      (r) => Object.values(r)[0] ?? "",
    );
    if (!(lines.length === 1 && lines[0] === "ok")) {
      findings.push({
        check: "sqlite",
        message: `PRAGMA ${pragma} reported problems`,
        count: lines.length,
        sample: lines.slice(0, SAMPLE),
      });
    }
    const fk = await tx.all<{ table: string; parent: string }>("PRAGMA foreign_key_check");
    if (fk.length > 0) {
      findings.push({
        check: "foreign-keys",
        message: "rows reference missing parents",
        count: fk.length,
        sample: fk.slice(0, SAMPLE).map((r) => `${r.table} -> ${r.parent}`),
      });
    }
    for (const [check, message, sql] of [
      ["counters", "session counters differ from their messages", COUNTERS_SQL],
      ["seq", "message seq is not gap-free 1..n", SEQ_SQL],
      ["orphans", "messages whose session does not exist", ORPHANS_SQL],
    ] as const) {
      const finding = await idsFinding(tx, check, message, sql);
      if (finding) findings.push(finding);
    }
  });
  // FTS5's integrity-check is spelled as an INSERT, so it runs on the writer.
  try {
    await db.write((tx) =>
      tx.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"),
    );
  } catch (error) {
    if (!(error instanceof SqliteError) || !["CORRUPT", "ERROR"].includes(error.code)) throw error;
    findings.push({
      check: "fts",
      message: "the search index differs from the messages table",
      count: 1,
      sample: [error.message],
    });
  }
  return { ok: findings.length === 0, checks, findings, durationMs: performance.now() - started };
}
