import { checkFilename, checkOptionKeys } from "@llm-sessions/core/driver";

/** Options of {@link nodeSqlite}. Every field but `filename` is optional. */
export interface NodeSqliteOptions {
  /**
   * Path of the database file, created when missing. `":memory:"` (or `""`)
   * is a private in-memory database: each connection has its own, so the pool
   * uses one. URI filenames (`file:...`), a NUL and a lone surrogate are
   * refused (`MISUSE`): each would open another file than the one named.
   */
  readonly filename: string;
  /** Open every connection read-only (writes fail with `READONLY`). Default `false`. */
  readonly readonly?: boolean;
  /** Prepared statements kept per connection, least recently used dropped first. Default `200`. */
  readonly statementCacheSize?: number;
  /** The size the WAL is truncated to after a checkpoint. Default 64 MiB; `-1` is no limit. */
  readonly journalSizeLimitBytes?: number;
}

const KNOWN_KEYS = new Set(["filename", "readonly", "statementCacheSize", "journalSizeLimitBytes"]);

/** Checks the options that core's tuning does not (it checks the numbers and `readonly`). */
export function checkOptions(options: NodeSqliteOptions): { memory: boolean } {
  checkOptionKeys("nodeSqlite", options, KNOWN_KEYS);
  checkFilename("nodeSqlite", options.filename);
  return { memory: options.filename === ":memory:" || options.filename === "" };
}
