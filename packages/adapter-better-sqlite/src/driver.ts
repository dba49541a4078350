import { resolve } from "node:path";
import {
  createDriver,
  type DriverCapabilities,
  type SqliteDriver,
} from "@llm-sessions/core/driver";
import Database from "better-sqlite3";
import { mapError } from "./errors.js";
import { nativeOption, openConnection } from "./open.js";
import { type BetterSqliteOptions, type ResolvedOptions, resolveOptions } from "./options.js";

/**
 * A driver for `@llm-sessions/core` on better-sqlite3: every `connect()` opens
 * a new database handle on `options.filename` with the pragmas applied
 * (`foreign_keys=ON`, `busy_timeout`, and for files `journal_mode=WAL`,
 * `synchronous`, `journal_size_limit`). Throws a `SqliteError` with code
 * `MISUSE` for an unknown option or a value of the wrong type.
 */
export function betterSqlite(options: BetterSqliteOptions): SqliteDriver {
  const resolved = resolveOptions(options);
  let capabilities: DriverCapabilities | undefined;
  return createDriver({
    name: "better-sqlite3",
    target: resolved.filename,
    localPath: resolved.memory ? undefined : resolve(resolved.filename),
    get capabilities(): DriverCapabilities {
      capabilities ??= capabilitiesOf(resolved);
      return capabilities;
    },
    synchronous: true,
    tuning: {
      readonly: resolved.readonly,
      statementCacheSize: options.statementCacheSize,
      journalSizeLimitBytes: options.journalSizeLimitBytes,
    },
    open: (settings) => openConnection(resolved, settings),
    mapError,
  });
}

function capabilitiesOf(options: ResolvedOptions): DriverCapabilities {
  const file = !options.memory;
  return {
    local: true,
    remote: false,
    file,
    // Each handle on :memory: (or "") is a database of its own.
    sharedConnections: file,
    onlineBackup: true,
    fts5: probeFts5(options),
    walCheckpoint: true,
    vacuum: true,
  };
}

/**
 * The bundled SQLite has FTS5; a custom `nativeBinding` may not. One private
 * in-memory handle answers it (well under a millisecond).
 */
function probeFts5(options: ResolvedOptions): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(":memory:", nativeOption(options));
    return db.prepare("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS on_").pluck().get() === 1;
  } catch {
    // The addon does not load: connect() will say so; claim nothing here.
    return false;
  } finally {
    db?.close();
  }
}
