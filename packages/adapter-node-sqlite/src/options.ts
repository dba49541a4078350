import { SqliteError } from "@llm-sessions/core/driver";

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

/** Checks the options that core does not (it checks the numbers and `readonly`). */
export function checkOptions(options: NodeSqliteOptions): { memory: boolean } {
  if (typeof options !== "object" || options === null) throw misuse("options must be an object");
  const unknown = Object.keys(options).find((key) => !KNOWN_KEYS.has(key));
  if (unknown !== undefined) throw misuse(`unknown option "${unknown}"`);
  const { filename } = options;
  if (typeof filename !== "string") throw misuse("filename must be a string");
  if (/^file:/i.test(filename))
    throw misuse(`URI filenames are not supported (a file named so: "./${filename}")`);
  if (filename.includes("\0")) throw misuse("filename must not contain a NUL character");
  // A UTF-16 code unit that is not half of a pair (in `u` mode a pair is one code point).
  if (/[\uD800-\uDFFF]/u.test(filename)) throw misuse("filename must be well-formed UTF-16");
  return { memory: filename === ":memory:" || filename === "" };
}

function misuse(message: string): SqliteError {
  return new SqliteError("MISUSE", `nodeSqlite: ${message}`);
}
