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
  /**
   * Makes the local file of `url` an embedded replica of this libSQL server
   * (`http://`, `https://` or `libsql://`; sqld's HTTP port): the file is
   * synced from the server when the store opens and after each of its own
   * writes, writes and write transactions run on the server (the primary),
   * and reads are served by the local file. `authToken` is the server's.
   * Default none (a plain local file). See the README, "Embedded replicas".
   */
  readonly syncUrl?: string;
  /**
   * With `syncUrl`: also sync the replica every this many milliseconds, so
   * that it catches up with other writers' commits without writing. Default
   * none: it syncs only at open and after its own writes.
   */
  readonly syncIntervalMs?: number;
}

/** What kind of database the URL names. */
export type TargetKind = "file" | "memory" | "remote" | "replica";

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
   * a `file:` URL (a replica's too), or `":memory:"`; undefined for a remote URL.
   */
  readonly localPath: string | undefined;
  /** The primary of an embedded replica (`syncUrl`), else undefined. */
  readonly syncUrl: string | undefined;
  /** `syncUrl` without credentials, for messages. */
  readonly syncTarget: string | undefined;
  /** How often a replica syncs on its own (ms), else undefined. */
  readonly syncIntervalMs: number | undefined;
}

const KNOWN_KEYS = new Set([
  "url",
  "authToken",
  "encryptionKey",
  "journalSizeLimitBytes",
  "statementCacheSize",
  "syncUrl",
  "syncIntervalMs",
]);

/** What a replica may sync from: the libsql package syncs over HTTP only. */
const SYNC_SCHEMES = new Set(["http:", "https:", "libsql:"]);

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
  const urlKind = kindOf(url);
  if (urlKind === "remote" && encryptionKey !== undefined) {
    throw misuse("encryptionKey is only supported for local files, not for a remote server");
  }
  const sync = syncOptions(options, urlKind);
  const kind = sync.syncUrl === undefined ? urlKind : "replica";
  return {
    url,
    kind,
    target:
      urlKind === "remote"
        ? redact(url)
        : sync.syncTarget === undefined
          ? url
          : `${url} (replica of ${sync.syncTarget})`,
    authToken,
    encryptionKey,
    localPath: urlKind === "remote" ? undefined : localPath(url, urlKind),
    ...sync,
  };
}

/** Checks `syncUrl` and `syncIntervalMs`: only a local file can be a replica. */
function syncOptions(
  options: LibsqlOptions,
  urlKind: Exclude<TargetKind, "replica">,
): Pick<ResolvedOptions, "syncUrl" | "syncTarget" | "syncIntervalMs"> {
  const { syncUrl, syncIntervalMs, encryptionKey } = options;
  if (syncUrl === undefined) {
    if (syncIntervalMs !== undefined) throw misuse("syncIntervalMs needs syncUrl");
    return { syncUrl: undefined, syncTarget: undefined, syncIntervalMs: undefined };
  }
  if (typeof syncUrl !== "string") throw misuse("syncUrl must be a string");
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(syncUrl)?.[0].toLowerCase();
  if (scheme === undefined || !SYNC_SCHEMES.has(scheme)) {
    // Not echoed: it may carry credentials.
    throw misuse("syncUrl must be an http://, https:// or libsql:// URL of the primary");
  }
  if (urlKind !== "file") {
    throw misuse('syncUrl needs a local file as url ("file:<path>"): the replica is kept there');
  }
  if (encryptionKey !== undefined) {
    throw misuse("encryptionKey is not supported for an embedded replica (syncUrl)");
  }
  if (
    syncIntervalMs !== undefined &&
    (!Number.isSafeInteger(syncIntervalMs) || syncIntervalMs < 1)
  ) {
    throw misuse("syncIntervalMs must be a positive integer");
  }
  return { syncUrl, syncTarget: redact(syncUrl), syncIntervalMs };
}

function kindOf(url: string): Exclude<TargetKind, "replica"> {
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
