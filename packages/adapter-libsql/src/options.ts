import { checkOptionKeys, SqliteError } from "@llm-sessions/core/driver";
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
   * How many prepared statements each local connection keeps, least recently
   * used forgotten first. Default `200`. (A server prepares statements
   * itself: no effect there.)
   */
  readonly statementCacheSize?: number;
}

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
  /**
   * What the `libsql` package opens for a local target: the decoded path of
   * a `file:` URL, or `":memory:"`; undefined for a remote URL.
   */
  readonly localPath: string | undefined;
}

const KNOWN_KEYS = new Set([
  "url",
  "authToken",
  "encryptionKey",
  "journalSizeLimitBytes",
  "statementCacheSize",
]);

const REMOTE_SCHEMES = new Set(["http:", "https:", "ws:", "wss:", "libsql:"]);

/** Fills in defaults and rejects a typo or a wrong type with `MISUSE`. */
export function resolveOptions(options: LibsqlOptions): ResolvedOptions {
  checkOptionKeys("libsql", options, KNOWN_KEYS);
  const { url, authToken, encryptionKey } = options;
  if (typeof url !== "string" || url === "") throw misuse("url must be a non-empty string");
  if (authToken !== undefined && typeof authToken !== "string") {
    throw misuse("authToken must be a string");
  }
  if (encryptionKey !== undefined && (typeof encryptionKey !== "string" || encryptionKey === "")) {
    throw misuse("encryptionKey must be a non-empty string");
  }
  // journalSizeLimitBytes and statementCacheSize are checked by core (createDriver).
  const kind = kindOf(url);
  if (kind === "remote" && encryptionKey !== undefined) {
    throw misuse("encryptionKey is only supported for local files, not for a remote server");
  }
  return {
    url,
    kind,
    target: kind === "remote" ? redact(url) : url,
    authToken,
    encryptionKey,
    localPath: kind === "remote" ? undefined : localPath(url, kind),
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
