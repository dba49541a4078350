import { checkFilename, checkOptionKeys, SqliteError } from "@llm-sessions/core/driver";

/** Options of {@link betterSqlite}. Every field but `filename` is optional. */
export interface BetterSqliteOptions {
  /**
   * Path of the database file, created when missing (unless `fileMustExist`).
   * `":memory:"` (also `""` and `"file::memory:"`) opens a private in-memory
   * database: every connection then has its own, so the pool uses one.
   * URI filenames (`file:x.db?mode=ro`) are not supported: better-sqlite3
   * would create a file of that literal name, so a filename starting with
   * `file:` is refused with `MISUSE` (use `readonly` and `fileMustExist`; for
   * a file really named so, write `./file:...`). So are a NUL and ill-formed
   * UTF-16 (a lone surrogate), which would open a file of another name.
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
  readonly readonly: boolean;
  readonly fileMustExist: boolean;
  readonly nativeBinding: string | object | undefined;
  readonly verbose: ((message?: unknown, ...additionalArgs: unknown[]) => void) | undefined;
}

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
  checkOptionKeys("betterSqlite", options, KNOWN_KEYS);
  const { filename } = options;
  // "file::memory:" is the one URI accepted: better-sqlite3 would create a file of that name.
  if (filename !== "file::memory:") checkFilename("betterSqlite", filename);
  // statementCacheSize and journalSizeLimitBytes are checked by core (createDriver).
  if (options.verbose !== undefined && typeof options.verbose !== "function") {
    throw new SqliteError("MISUSE", "betterSqlite: verbose must be a function");
  }
  const memory = MEMORY_NAMES.has(filename);
  return {
    // "" stays "": SQLite's temporary database spills to a temp file when large.
    filename: filename === "file::memory:" ? ":memory:" : filename,
    memory,
    readonly: options.readonly === true,
    fileMustExist: options.fileMustExist === true,
    nativeBinding: options.nativeBinding,
    verbose: options.verbose,
  };
}
