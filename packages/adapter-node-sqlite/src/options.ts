import { SqliteError } from "@llm-sessions/core/driver";

/** Options of {@link nodeSqlite}. Every field but `filename` is optional. */
export interface NodeSqliteOptions {
  /**
   * Path of the database file, created when missing. `":memory:"` (also
   * `""`) opens a private in-memory database: every connection then has its
   * own, so the pool uses one. URI filenames (`file:...`) are refused with
   * `MISUSE`, so that the store always knows the file it opened (for a file
   * really named so, write `./file:...`); so are a NUL and ill-formed UTF-16
   * (a lone surrogate), which would open a file of another name.
   */
  readonly filename: string;
  /**
   * Open every connection read-only (writes fail with `READONLY`). Default
   * `false`. The pool also asks for read-only reader connections per call.
   */
  readonly readonly?: boolean;
  /**
   * How many prepared statements each connection keeps, least recently used
   * forgotten first. Default `200`.
   */
  readonly statementCacheSize?: number;
  /**
   * `journal_size_limit` for file databases: the size the WAL file is
   * truncated to after a checkpoint. Default `67108864` (64 MiB); `-1` is no limit.
   */
  readonly journalSizeLimitBytes?: number;
}

/** The options checked once at the factory (core checks the numbers). */
export interface ResolvedOptions {
  readonly filename: string;
  /** True for a private in-memory (or temporary) database. */
  readonly memory: boolean;
  readonly readonly: boolean;
}

const KNOWN_KEYS = new Set(["filename", "readonly", "statementCacheSize", "journalSizeLimitBytes"]);
/** A UTF-16 code unit that is not half of a pair (in `u` mode a pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Rejects a typo, a wrong type or a filename SQLite would read otherwise with `MISUSE`. */
export function resolveOptions(options: NodeSqliteOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw misuse("options must be an object with a filename");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw misuse(`unknown option "${key}"`);
  }
  const { filename } = options;
  if (typeof filename !== "string") throw misuse("filename must be a string");
  if (/^file:/i.test(filename)) {
    throw misuse(
      `URI filenames are not supported, got ${JSON.stringify(filename)}: pass a path (a file really named so: "./${filename}")`,
    );
  }
  if (filename.includes("\0")) throw misuse("filename must not contain a NUL character");
  if (LONE_SURROGATE.test(filename)) {
    throw misuse("filename must be well-formed UTF-16 (it has a lone surrogate)");
  }
  if (options.readonly !== undefined && typeof options.readonly !== "boolean") {
    throw misuse("readonly must be a boolean");
  }
  return {
    filename,
    memory: filename === ":memory:" || filename === "",
    readonly: options.readonly === true,
  };
}

function misuse(message: string): SqliteError {
  return new SqliteError("MISUSE", `nodeSqlite: ${message}`);
}
