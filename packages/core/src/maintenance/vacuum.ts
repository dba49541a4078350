import type { SqliteConnection } from "../driver/index.js";
import { walCheckpoint } from "../pool/checkpoint.js";
import type { Pool } from "../pool/index.js";
import { freedBytes, type MaintenanceUnsupported, type VacuumReport } from "./reports.js";
import { readSpace } from "./space.js";

/**
 * Rebuilds the database file without its free pages. It runs on the writer
 * with every reader of the pool released and held back (VACUUM rewrites
 * every page; a reader would keep the old WAL alive and the file could not
 * shrink), and is checked afterwards: the journal mode must still be WAL
 * (set back if not) and `quick_check` must pass. In WAL mode the rebuilt
 * pages go through the WAL, so a TRUNCATE checkpoint follows; only then does
 * the file shrink. Writes and reads wait while it runs.
 */
export async function vacuumDatabase(
  pool: Pool,
  file: string | undefined,
): Promise<VacuumReport | MaintenanceUnsupported> {
  const caps = pool.driver.capabilities;
  if (!caps.vacuum) {
    return {
      status: "unsupported",
      operation: "maintenance.vacuum",
      reason: `${pool.driver.name} (${pool.driver.target}) does not allow VACUUM (a server manages its own storage)`,
    };
  }
  const started = performance.now();
  return pool.withWriter(
    async (conn) => {
      const before = await readSpace(conn, file);
      await conn.exec("VACUUM");
      let journalMode = await readJournalMode(conn);
      if (caps.file && journalMode !== "wal") {
        // VACUUM keeps the journal mode; this is the check the design asks for, and the cure.
        await conn.get("PRAGMA journal_mode = WAL");
        journalMode = await readJournalMode(conn);
      }
      if (caps.file && caps.walCheckpoint) await walCheckpoint(conn, "TRUNCATE");
      const check = await quickCheck(conn);
      const after = await readSpace(conn, file);
      return {
        status: "done" as const,
        before,
        after,
        freedBytes: freedBytes(before, after),
        journalMode,
        check,
        durationMs: performance.now() - started,
      };
    },
    { drainReaders: true },
  );
}

async function readJournalMode(conn: SqliteConnection): Promise<string> {
  const row = await conn.get<{ journal_mode: string }>("PRAGMA journal_mode");
  return String(row?.journal_mode ?? "").toLowerCase();
}

async function quickCheck(conn: SqliteConnection): Promise<{ ok: boolean; problems: string[] }> {
  return conn.transaction("deferred", async (tx) => {
    // See integrity/check.ts: an FTS5 query first, or SQLite 3.53's quick_check
    // may report a stale cached FTS5 structure as corruption.
    await tx.get("SELECT rowid FROM messages_fts WHERE messages_fts MATCH '\"x\"' LIMIT 1");
    const lines = (await tx.all<Record<string, string>>("PRAGMA quick_check")).map((r) =>
      String(Object.values(r)[0] ?? ""),
    );
    const ok = lines.length === 1 && lines[0] === "ok";
    return { ok, problems: ok ? [] : lines };
  });
}
