import { resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createDriver, type SqliteDriver } from "@llm-sessions/core/driver";
import { NodeSqliteConnection } from "./connection.js";
import { mapError } from "./errors.js";
import { checkOptions, type NodeSqliteOptions } from "./options.js";
import { support } from "./support.js";

/**
 * A driver for `@llm-sessions/core` on Node's own SQLite (`node:sqlite`, no
 * native build): every `connect()` opens a new `DatabaseSync` on
 * `options.filename`, and core applies the pragmas (`foreign_keys=ON`,
 * `busy_timeout`, and for files `journal_mode=WAL`, `synchronous`,
 * `journal_size_limit`). Throws a `SqliteError` with code `MISUSE` for an
 * unknown option or a value of the wrong type.
 */
export function nodeSqlite(options: NodeSqliteOptions): SqliteDriver {
  const { memory } = checkOptions(options);
  const { filename } = options;
  return createDriver({
    name: "node:sqlite",
    target: filename,
    localPath: memory ? undefined : resolve(filename),
    capabilities: {
      local: true,
      remote: false,
      file: !memory,
      // Each handle on :memory: (or "") is a database of its own.
      sharedConnections: !memory,
      onlineBackup: true,
      // Node builds its SQLite with FTS5 on every supported release.
      fts5: true,
      walCheckpoint: true,
      vacuum: true,
      refusesTextWithNul: !support.textKeepsNul,
    },
    synchronous: true,
    // node:sqlite binds a missing parameter as NULL without a word.
    checkParameters: true,
    // readonly, statementCacheSize and journalSizeLimitBytes: core's own tuning, checked there.
    tuning: options,
    open: (settings) =>
      new NodeSqliteConnection(
        new DatabaseSync(filename, {
          // A private database cannot be opened read-only: core's query_only pragma covers it.
          readOnly: settings.readonly && !memory,
          // The store's SQL quotes strings with '...'; "..." is always a name.
          enableDoubleQuotedStringLiterals: false,
        }),
      ),
    mapError,
  });
}
