import { SqliteError } from "@llm-sessions/core/driver";

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
  if (typeof options !== "object" || options === null) {
    throw misuse("options must be an object with a filename");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw misuse(`unknown option "${key}"`);
  }
  const { filename } = options;
  if (typeof filename !== "string") throw misuse("filename must be a string");
  checkFilename(filename);
  // statementCacheSize and journalSizeLimitBytes are checked by core (createDriver).
  if (options.verbose !== undefined && typeof options.verbose !== "function") {
    throw misuse("verbose must be a function");
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

/** A URI: SQLite's `file:` prefix, in any case (better-sqlite3 reads neither as one). */
const URI = /^file:/i;
/** A UTF-16 code unit that is not half of a pair (in `u` mode a pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Refuses a filename that better-sqlite3 would open under another name than
 * the one written: a URI (opened as a file of that literal name, its
 * `?mode=ro` ignored), a NUL (the name is cut there) or a lone surrogate
 * (replaced by U+FFFD).
 */
function checkFilename(filename: string): void {
  if (URI.test(filename) && filename !== "file::memory:") {
    throw misuse(
      `URI filenames are not supported, got ${JSON.stringify(filename)}: pass a path, with the options readonly and fileMustExist instead of URI parameters (a file really named so: "./${filename}")`,
    );
  }
  if (filename.includes("\0")) throw misuse("filename must not contain a NUL character");
  if (LONE_SURROGATE.test(filename)) {
    throw misuse("filename must be well-formed UTF-16 (it has a lone surrogate)");
  }
}

function misuse(message: string): SqliteError {
  return new SqliteError("MISUSE", `betterSqlite: ${message}`);
}
