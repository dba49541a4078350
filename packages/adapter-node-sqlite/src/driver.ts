import { resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  createDriver,
  type DriverCapabilities,
  type SqliteDriver,
} from "@llm-sessions/core/driver";
import { NodeSqliteConnection } from "./connection.js";
import { mapError } from "./errors.js";
import { type NodeSqliteOptions, type ResolvedOptions, resolveOptions } from "./options.js";

/**
 * A driver for `@llm-sessions/core` on Node's own SQLite (`node:sqlite`, no
 * native build): every `connect()` opens a new `DatabaseSync` on
 * `options.filename`, and core applies the pragmas (`foreign_keys=ON`,
 * `busy_timeout`, and for files `journal_mode=WAL`, `synchronous`,
 * `journal_size_limit`). Throws a `SqliteError` with code `MISUSE` for an
 * unknown option or a value of the wrong type.
 */
export function nodeSqlite(options: NodeSqliteOptions): SqliteDriver {
  const resolved = resolveOptions(options);
  let capabilities: DriverCapabilities | undefined;
  return createDriver({
    name: "node:sqlite",
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
    open: (settings) =>
      new NodeSqliteConnection(
        new DatabaseSync(resolved.filename, {
          // A private database cannot be opened read-only: core's query_only pragma covers it.
          readOnly: settings.readonly && !resolved.memory,
          // The store's SQL quotes strings with '...'; "..." is always a name.
          enableDoubleQuotedStringLiterals: false,
        }),
      ),
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
    fts5: probeFts5(),
    walCheckpoint: true,
    vacuum: true,
  };
}

/** Node's SQLite is built with FTS5; asked all the same, on a private database. */
function probeFts5(): boolean {
  const db = new DatabaseSync(":memory:");
  try {
    const row = db.prepare("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS on_").get();
    return Number(row?.on_) === 1;
  } finally {
    db.close();
  }
}
