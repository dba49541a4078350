import { SqliteError } from "@llm-sessions/core";
import { localPath } from "./local-path.js";

/** Options of {@link libsql}. Every field but `url` is optional. */
export interface LibsqlOptions {
  /**
   * Where the database is:
   * - `"file:router.db"`, `"file:/abs/path.db"`, `"file:///abs/path.db"`: a
   *   local file, created when missing;
   * - `":memory:"` (or `"file::memory:"`): a private in-memory database.
   *   Every connection has its own, so the pool uses a single connection;
   * - `"http://"`, `"https://"`, `"ws://"`, `"wss://"`, `"libsql://"`: a
   *   remote libSQL server (sqld, Turso).
   *
   * A bare path without `file:` is rejected, so that a typo never becomes a
   * remote URL or a file with a surprising name.
   */
  readonly url: string;
  /** Token for a remote server. Default none. Ignored for local targets. */
  readonly authToken?: string;
  /**
   * Encrypts a local file with libSQL's built-in cipher (aes256cbc). Default
   * none. The same key is needed to open the file again; a wrong key or none
   * fails with `NOTADB`. Not supported for remote servers.
   */
  readonly encryptionKey?: string;
  /**
   * `journal_size_limit` for local files: the size the WAL file is truncated
   * to after a checkpoint, so it does not stay at its high-water mark.
   * Default `67108864` (64 MiB); `-1` means no limit.
   */
  readonly journalSizeLimitBytes?: number;
  /**
   * What drives a local database (`file:` or `:memory:`):
   * - `"native"` (the default for local URLs): the `libsql` package directly,
   *   synchronously, with a bounded cache of prepared statements per
   *   connection. 2.4–10× less overhead than `"client"`.
   * - `"client"`: `@libsql/client`, which prepares every statement on every
   *   call. Kept as a fallback and for comparison.
   *
   * A remote server is always reached through `@libsql/client`: `"client"` is
   * the only engine for remote URLs (and their default); `"native"` with a
   * remote URL is rejected.
   */
  readonly engine?: LibsqlEngine;
  /**
   * How many prepared statements each local connection of the `"native"`
   * engine keeps, least recently used forgotten first. Default `200`.
   * (`@libsql/client` prepares every statement itself: no effect there.)
   */
  readonly statementCacheSize?: number;
}

/** What runs a local database: see {@link LibsqlOptions.engine}. */
export type LibsqlEngine = "native" | "client";

/** What kind of database the URL names. */
export type TargetKind = "file" | "memory" | "remote";

/** The options with every default filled in, checked once at the factory. */
export interface ResolvedOptions {
  readonly url: string;
  readonly kind: TargetKind;
  /** The URL without credentials, for messages and metrics. */
  readonly target: string;
  readonly authToken: string | undefined;
  readonly encryptionKey: string | undefined;
  readonly journalSizeLimitBytes: number;
  /** `"client"` for every remote URL. */
  readonly engine: LibsqlEngine;
  /**
   * What the `libsql` package opens for a local target: the decoded path of
   * a `file:` URL, or `":memory:"`; undefined for a remote URL.
   */
  readonly localPath: string | undefined;
  readonly statementCacheSize: number;
}

/** Default of `journalSizeLimitBytes`: 64 MiB. */
export const DEFAULT_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** Default of `statementCacheSize`. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 200;

const KNOWN_KEYS = new Set([
  "url",
  "authToken",
  "encryptionKey",
  "journalSizeLimitBytes",
  "engine",
  "statementCacheSize",
]);

const REMOTE_SCHEMES = new Set(["http:", "https:", "ws:", "wss:", "libsql:"]);

/** Fills in defaults and rejects a typo or a wrong type with `MISUSE`. */
export function resolveOptions(options: LibsqlOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw misuse("options must be an object with a url");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw misuse(`unknown option "${key}"`);
  }
  const { url, authToken, encryptionKey } = options;
  if (typeof url !== "string" || url === "") throw misuse("url must be a non-empty string");
  if (authToken !== undefined && typeof authToken !== "string") {
    throw misuse("authToken must be a string");
  }
  if (encryptionKey !== undefined && (typeof encryptionKey !== "string" || encryptionKey === "")) {
    throw misuse("encryptionKey must be a non-empty string");
  }
  const journalSizeLimitBytes = options.journalSizeLimitBytes ?? DEFAULT_JOURNAL_SIZE_LIMIT;
  // It is interpolated into a pragma, so it must be an integer; -1 is SQLite's "no limit".
  if (!Number.isSafeInteger(journalSizeLimitBytes) || journalSizeLimitBytes < -1) {
    throw misuse("journalSizeLimitBytes must be an integer >= -1");
  }
  const statementCacheSize = options.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE;
  if (!Number.isSafeInteger(statementCacheSize) || statementCacheSize < 1) {
    throw misuse("statementCacheSize must be an integer >= 1");
  }
  const kind = kindOf(url);
  if (kind === "remote" && encryptionKey !== undefined) {
    throw misuse("encryptionKey is only supported for local files, not for a remote server");
  }
  const { engine = kind === "remote" ? "client" : "native" } = options;
  if (engine !== "native" && engine !== "client") {
    throw misuse(`engine must be "native" or "client", got ${JSON.stringify(engine)}`);
  }
  if (kind === "remote" && engine === "native") {
    throw misuse('engine "native" drives local databases only; a remote URL needs "client"');
  }
  return {
    url,
    kind,
    target: kind === "remote" ? redact(url) : url,
    authToken,
    encryptionKey,
    journalSizeLimitBytes,
    engine,
    // Checked for both engines, so that a URL is accepted or refused the same way by either.
    localPath: kind === "remote" ? undefined : localPath(url, kind),
    statementCacheSize,
  };
}

function kindOf(url: string): TargetKind {
  if (url === ":memory:" || url.startsWith("file::memory:")) return "memory";
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  if (scheme === "file:") return "file";
  if (scheme !== undefined && REMOTE_SCHEMES.has(scheme)) return "remote";
  throw misuse(
    `url must be "file:<path>", ":memory:" or an http(s)://, ws(s):// or libsql:// URL, got ${JSON.stringify(url)}`,
  );
}

/** Drops user info and the query (which may carry `authToken`) from a remote URL. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    throw misuse(`url is not a valid URL: ${JSON.stringify(url.split("?")[0])}`);
  }
}

function misuse(message: string): SqliteError {
  return new SqliteError("MISUSE", `libsql: ${message}`);
}
