import { SqliteError } from "@llm-sessions/core";

/** Options of {@link betterSqlite}. Every field but `filename` is optional. */
export interface BetterSqliteOptions {
  /**
   * Path of the database file, created when missing (unless `fileMustExist`).
   * `":memory:"` (also `""` and `"file::memory:"`) opens a private in-memory
   * database: every connection then has its own, so the pool uses one.
   * URI filenames (`file:...?mode=ro`) are not supported.
   */
  readonly filename: string;
  /**
   * How many prepared statements each connection keeps, least recently used
   * forgotten first. Default `200`.
   */
  readonly statementCacheSize?: number;
  /**
   * Open every connection read-only (writes fail with `READONLY`). Default
   * `false`. The pool also asks for read-only reader connections per call.
   */
  readonly readonly?: boolean;
  /** Fail with `CANTOPEN` instead of creating a missing file. Default `false`. */
  readonly fileMustExist?: boolean;
  /**
   * better-sqlite3's `nativeBinding`: a path to, or the loaded object of, the
   * compiled addon (for bundlers and custom builds). Default: the addon
   * better-sqlite3 finds itself.
   */
  readonly nativeBinding?: string | object;
  /** better-sqlite3's `verbose`: called with every SQL statement it runs. Default none. */
  readonly verbose?: (message?: unknown, ...additionalArgs: unknown[]) => void;
  /**
   * `journal_size_limit` for file databases: the size the WAL file is
   * truncated to after a checkpoint, so it does not stay at its high-water
   * mark. Default `67108864` (64 MiB).
   */
  readonly journalSizeLimitBytes?: number;
}

/** The options with every default filled in, checked once at the factory. */
export interface ResolvedOptions {
  readonly filename: string;
  /** True for a private in-memory (or temporary) database. */
  readonly memory: boolean;
  readonly statementCacheSize: number;
  readonly readonly: boolean;
  readonly fileMustExist: boolean;
  readonly nativeBinding: string | object | undefined;
  readonly verbose: ((message?: unknown, ...additionalArgs: unknown[]) => void) | undefined;
  readonly journalSizeLimitBytes: number;
}

/** Default of `statementCacheSize`. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 200;
/** Default of `journalSizeLimitBytes`: 64 MiB. */
export const DEFAULT_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

const KNOWN_KEYS = new Set([
  "filename",
  "statementCacheSize",
  "readonly",
  "fileMustExist",
  "nativeBinding",
  "verbose",
  "journalSizeLimitBytes",
]);

/**
 * Names that mean a private in-memory database. `""` is SQLite's private
 * temporary database; `"file::memory:"` is accepted because better-sqlite3
 * does not parse URIs and would otherwise create a file of that name.
 */
const MEMORY_NAMES = new Set([":memory:", "", "file::memory:"]);

/** Fills in defaults and rejects a typo or a wrong type with `MISUSE`. */
export function resolveOptions(options: BetterSqliteOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw misuse("options must be an object with a filename");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw misuse(`unknown option "${key}"`);
  }
  const { filename } = options;
  if (typeof filename !== "string") throw misuse("filename must be a string");
  const statementCacheSize = options.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE;
  if (!Number.isInteger(statementCacheSize) || statementCacheSize < 1) {
    throw misuse("statementCacheSize must be an integer >= 1");
  }
  const journalSizeLimitBytes = options.journalSizeLimitBytes ?? DEFAULT_JOURNAL_SIZE_LIMIT;
  // -1 is SQLite's "no limit"; the value is interpolated into a pragma, so it must be an integer.
  if (!Number.isSafeInteger(journalSizeLimitBytes) || journalSizeLimitBytes < -1) {
    throw misuse("journalSizeLimitBytes must be an integer >= -1");
  }
  if (options.verbose !== undefined && typeof options.verbose !== "function") {
    throw misuse("verbose must be a function");
  }
  const memory = MEMORY_NAMES.has(filename);
  return {
    // "" stays "": SQLite's temporary database spills to a temp file when large.
    filename: filename === "file::memory:" ? ":memory:" : filename,
    memory,
    statementCacheSize,
    readonly: options.readonly === true,
    fileMustExist: options.fileMustExist === true,
    nativeBinding: options.nativeBinding,
    verbose: options.verbose,
    journalSizeLimitBytes,
  };
}

function misuse(message: string): SqliteError {
  return new SqliteError("MISUSE", `betterSqlite: ${message}`);
}
