import type Database from "better-sqlite3";

/** What one connection's pragmas depend on. */
export interface PragmaSettings {
  /** The target is a file (not `:memory:` or `""`). */
  readonly file: boolean;
  /** The connection was opened read-only. */
  readonly readonly: boolean;
  /** Validated non-negative integer (it is interpolated into SQL). */
  readonly busyTimeoutMs: number;
  readonly durability: "normal" | "full";
  /** Validated integer >= -1. */
  readonly journalSizeLimitBytes: number;
  /** Validated positive integer, or undefined for better-sqlite3's default (16 MiB). */
  readonly cacheSizeKiB: number | undefined;
  /** Validated non-negative integer, or undefined for SQLite's default (0, no mapping). */
  readonly mmapSizeBytes: number | undefined;
}

/**
 * Applies the settings every connection must have. Per-connection pragmas
 * (everything but journal_mode) are lost when a connection closes, so this
 * runs on every connection the adapter opens, never once per file.
 */
export function applyPragmas(db: Database.Database, settings: PragmaSettings): void {
  // First, so that switching to WAL below waits for another process's lock instead of failing.
  db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
  db.pragma("foreign_keys = ON");
  if (settings.cacheSizeKiB !== undefined) db.pragma(`cache_size = -${settings.cacheSizeKiB}`);
  if (!settings.file) {
    if (settings.readonly) {
      // A private in-memory database cannot be opened read-only; honour the request this way.
      db.pragma("query_only = ON");
    }
    return;
  }
  // Reads the header: a file that is not a database fails here (NOTADB), at connect.
  db.pragma("schema_version");
  if (settings.mmapSizeBytes !== undefined) db.pragma(`mmap_size = ${settings.mmapSizeBytes}`);
  if (!settings.readonly) {
    // Persistent in the file; a read-only connection cannot switch and reads what the writer set.
    db.pragma("journal_mode = WAL");
  }
  // Explicit, and after journal_mode: the connection that switched the file to
  // WAL keeps reporting FULL although better-sqlite3 is built to default WAL to NORMAL.
  db.pragma(`synchronous = ${settings.durability === "full" ? "FULL" : "NORMAL"}`);
  // Truncate the WAL after checkpoints so one burst does not leave a huge file behind.
  db.pragma(`journal_size_limit = ${settings.journalSizeLimitBytes}`);
}
