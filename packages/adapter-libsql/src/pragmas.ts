import type { Client } from "@libsql/client";

/** What one local connection's pragmas depend on. */
export interface PragmaSettings {
  /** The target is a file (not `:memory:`). */
  readonly file: boolean;
  /** The connection should refuse writes (`query_only`). */
  readonly readonly: boolean;
  /** Validated non-negative integer (it is interpolated into SQL). */
  readonly busyTimeoutMs: number;
  readonly durability: "normal" | "full";
  /** Validated integer >= -1. */
  readonly journalSizeLimitBytes: number;
  /** Validated positive integer, or undefined for libSQL's default (2 MiB). */
  readonly cacheSizeKiB: number | undefined;
  /** Validated non-negative integer, or undefined for SQLite's default (0, no mapping). */
  readonly mmapSizeBytes: number | undefined;
}

/**
 * The pragmas every local connection must have, as one script. With a
 * `marker`, the connection is also tagged in `temp.user_version` (per
 * connection, never in the file) so that a connection @libsql/client opened
 * on its own is recognized later (see `LocalConnection.inTransaction`); the
 * native engine owns its connections and needs no tag.
 *
 * Per-connection pragmas are lost when a connection closes, so this runs on
 * every connection the adapter opens and again after a reconnect.
 */
export function pragmaScript(settings: PragmaSettings, marker?: number): string {
  const pragmas = [
    // First, so that switching to WAL below waits for another process's lock instead of failing.
    `PRAGMA busy_timeout = ${settings.busyTimeoutMs}`,
    "PRAGMA foreign_keys = ON",
  ];
  if (settings.cacheSizeKiB !== undefined)
    pragmas.push(`PRAGMA cache_size = -${settings.cacheSizeKiB}`);
  if (settings.file) {
    // Reads the header: a file that is not a database (or has another key) fails here, at connect.
    pragmas.push("PRAGMA schema_version");
    if (settings.mmapSizeBytes !== undefined)
      pragmas.push(`PRAGMA mmap_size = ${settings.mmapSizeBytes}`);
    // Persistent in the file; a read-only connection leaves it to the writer.
    if (!settings.readonly) pragmas.push("PRAGMA journal_mode = WAL");
    // Explicit: libSQL is built with synchronous=FULL for every journal mode.
    pragmas.push(`PRAGMA synchronous = ${settings.durability === "full" ? "FULL" : "NORMAL"}`);
    // Truncate the WAL after checkpoints so one burst does not leave a huge file behind.
    pragmas.push(`PRAGMA journal_size_limit = ${settings.journalSizeLimitBytes}`);
  }
  if (marker !== undefined) pragmas.push(`PRAGMA temp.user_version = ${marker}`);
  // Last: query_only would refuse the marker above.
  if (settings.readonly) pragmas.push("PRAGMA query_only = ON");
  return pragmas.join(";\n");
}

/** Applies `pragmaScript` through @libsql/client, tagging the connection with `marker`. */
export async function applyPragmas(
  client: Client,
  settings: PragmaSettings,
  marker: number,
): Promise<void> {
  await client.executeMultiple(pragmaScript(settings, marker));
}

/** Reads the tag `applyPragmas` left on the connection the client is using now. */
export async function readMarker(client: Client): Promise<number> {
  const result = await client.execute("PRAGMA temp.user_version");
  return Number(result.rows[0]?.[0] ?? 0);
}

/** A fresh tag: a positive 31-bit integer (user_version is a signed 32-bit value). */
export function newMarker(): number {
  return 1 + Math.floor(Math.random() * 0x7ffffffe);
}
