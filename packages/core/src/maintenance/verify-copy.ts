import type { Queryable } from "../driver/index.js";

/** The alias a copy is attached under while it is checked; unlikely to clash with a user's. */
const ALIAS = "llm_sessions_copy";

/** What checking a copy found. */
export interface CopyInspection {
  /** `PRAGMA user_version` of the copy. */
  readonly schemaVersion: number;
  readonly pages: number;
  readonly sessions: number;
  readonly messages: number;
  /** Empty when the copy is sound: SQLite's `integrity_check` lines, foreign key breaks, missing tables. */
  readonly problems: readonly string[];
}

/**
 * Checks a database file through `ATTACH` on a connection the caller holds:
 * `integrity_check` (every page, every index, FTS5 structure),
 * `foreign_key_check`, and that it has the store's tables. It needs no
 * driver for the copy's path (the core has none) and works read-only.
 * The copy must be in rollback-journal mode so that a read-only connection
 * can attach it without creating `-wal`/`-shm` files beside it.
 */
export async function inspectCopy(q: Queryable, path: string): Promise<CopyInspection> {
  await q.run(`ATTACH DATABASE ? AS ${ALIAS}`, [path]);
  try {
    const problems: string[] = [];
    const lines = (await q.all<Record<string, string>>(`PRAGMA ${ALIAS}.integrity_check`)).map(
      (r) => String(Object.values(r)[0] ?? ""),
    );
    if (!(lines.length === 1 && lines[0] === "ok")) problems.push(...lines);
    const fk = await q.all<{ table: string; parent: string }>(`PRAGMA ${ALIAS}.foreign_key_check`);
    if (fk.length > 0) {
      problems.push(
        `${fk.length} row(s) reference a missing parent (first: ${fk[0]?.table} -> ${fk[0]?.parent})`,
      );
    }
    const version = await q.get<{ user_version: number | bigint }>(`PRAGMA ${ALIAS}.user_version`);
    const pages = await q.get<{ page_count: number | bigint }>(`PRAGMA ${ALIAS}.page_count`);
    const tables = new Set(
      (
        await q.all<{ name: string }>(
          `SELECT name FROM ${ALIAS}.sqlite_schema WHERE type = 'table' AND name IN ('sessions', 'messages')`,
        )
      ).map((r) => r.name),
    );
    let sessions = 0;
    let messages = 0;
    if (tables.size === 2) {
      const counts = await q.get<{ s: number | bigint; m: number | bigint }>(
        `SELECT (SELECT count(*) FROM ${ALIAS}.sessions) AS s, (SELECT count(*) FROM ${ALIAS}.messages) AS m`,
      );
      sessions = Number(counts?.s ?? 0);
      messages = Number(counts?.m ?? 0);
    } else {
      problems.push("the copy has no sessions/messages tables: it is not an llm-sessions store");
    }
    return {
      schemaVersion: Number(version?.user_version ?? 0),
      pages: Number(pages?.page_count ?? 0),
      sessions,
      messages,
      problems,
    };
  } finally {
    await q.exec(`DETACH DATABASE ${ALIAS}`);
  }
}

/** Switches a copy that carries WAL in its header to a rollback journal, so it is one self-contained file. */
export async function toRollbackJournal(q: Queryable, path: string): Promise<void> {
  await q.run(`ATTACH DATABASE ? AS ${ALIAS}`, [path]);
  try {
    await q.get(`PRAGMA ${ALIAS}.journal_mode = DELETE`);
  } finally {
    await q.exec(`DETACH DATABASE ${ALIAS}`);
  }
}
