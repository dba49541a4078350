import { resolve } from "node:path";
import {
  type ConnectOptions,
  type DriverCapabilities,
  type LegacyRawConnection as RawConnection,
  type SqliteConnection,
  type SqliteDriver,
  SqliteError,
  wrapConnection,
} from "@llm-sessions/core";
import { mapLibsqlError } from "./errors.js";
import { LocalConnection } from "./local.js";
import { openNative } from "./native/open.js";
import {
  type LibsqlOptions,
  type ResolvedOptions,
  resolveOptions,
  type TargetKind,
} from "./options.js";
import type { PragmaSettings } from "./pragmas.js";
import { RemoteConnection } from "./remote.js";

/** Default of `ConnectOptions.busyTimeoutMs`. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** SQLite takes the busy timeout as a C int. */
const MAX_BUSY_TIMEOUT_MS = 0x7fffffff;

/**
 * A driver for `@llm-sessions/core` on libSQL: a local file, a private
 * `:memory:` database, or a remote libSQL server.
 *
 * Local databases run on the `libsql` package directly (`engine: "native"`,
 * the default: synchronous, prepared statements cached per connection), or
 * through `@libsql/client` with `engine: "client"`. A remote server is always
 * reached through `@libsql/client`.
 *
 * Every `connect()` opens one native connection (or, remotely, a client
 * with its own streams), so the pool above owns the connections. Local
 * connections get `foreign_keys=ON`, `busy_timeout`, and for files
 * `journal_mode=WAL`, `synchronous` (per `durability`) and
 * `journal_size_limit`. Throws a `SqliteError` with code `MISUSE` for an
 * unknown option, a value of the wrong type or an unsupported URL.
 *
 * @example
 * ```ts
 * const driver = libsql({ url: "file:router.db" });
 * const conn = await driver.connect();
 * await conn.exec("CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, body TEXT) STRICT");
 * await conn.run("INSERT INTO notes(body) VALUES (:body)", { body: "hello" });
 * await conn.close();
 * ```
 */
export function libsql(options: LibsqlOptions): SqliteDriver {
  const resolved = resolveOptions(options);
  const capabilities = capabilitiesOf(resolved.kind);
  return {
    name: "libsql",
    target: resolved.target,
    // An encrypted file's bytes are not SQLite's format: the core must not read them.
    ...(resolved.kind === "file" && resolved.localPath && resolved.encryptionKey === undefined
      ? { localPath: resolve(resolved.localPath) }
      : {}),
    capabilities,
    connect: (connectOptions?: ConnectOptions) => connect(resolved, connectOptions),
  };
}

function capabilitiesOf(kind: TargetKind): DriverCapabilities {
  const local = kind !== "remote";
  return Object.freeze({
    local,
    remote: !local,
    file: kind === "file",
    // Each connection to :memory: is a database of its own.
    sharedConnections: kind !== "memory",
    // Neither @libsql/client nor the libsql package (0.5.29: backup() throws
    // "not implemented") has SQLite's backup API: VACUUM INTO is used locally.
    onlineBackup: false,
    // libSQL's bundled SQLite and sqld are built with ENABLE_FTS5 (a test probes the local build).
    fts5: true,
    // A server rejects wal_checkpoint and VACUUM.
    walCheckpoint: local,
    vacuum: local,
    // sqld queues a second writer instead of answering BUSY, and the client
    // sends BEGIN with the transaction's first statement (README: "On a server").
    ...(local ? {} : { queuesWriters: true, beginsLazily: true }),
  });
}

async function connect(
  options: ResolvedOptions,
  connectOptions: ConnectOptions = {},
): Promise<SqliteConnection> {
  const settings = pragmaSettings(options, connectOptions);
  let raw: RawConnection;
  try {
    if (options.kind === "remote") raw = await RemoteConnection.open(options, settings.readonly);
    else if (options.engine === "client") raw = await LocalConnection.open(options, settings);
    else raw = openNative(options, settings);
  } catch (error) {
    throw mapLibsqlError(error);
  }
  return wrapConnection(raw);
}

/** Checks the pool's options (also for a server, which ignores them, so that mistakes surface). */
function pragmaSettings(options: ResolvedOptions, connectOptions: ConnectOptions): PragmaSettings {
  const busyTimeoutMs = connectOptions.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (
    !Number.isInteger(busyTimeoutMs) ||
    busyTimeoutMs < 0 ||
    busyTimeoutMs > MAX_BUSY_TIMEOUT_MS
  ) {
    throw new SqliteError(
      "MISUSE",
      `libsql: busyTimeoutMs must be an integer from 0 to ${MAX_BUSY_TIMEOUT_MS}`,
    );
  }
  const durability = connectOptions.durability ?? "normal";
  if (durability !== "normal" && durability !== "full") {
    throw new SqliteError(
      "MISUSE",
      `libsql: durability must be "normal" or "full", got ${String(durability)}`,
    );
  }
  const { cacheSizeKiB } = connectOptions;
  if (cacheSizeKiB !== undefined && (!Number.isSafeInteger(cacheSizeKiB) || cacheSizeKiB < 1)) {
    throw new SqliteError("MISUSE", "libsql: cacheSizeKiB must be a positive integer");
  }
  const { mmapSizeBytes } = connectOptions;
  if (mmapSizeBytes !== undefined && (!Number.isSafeInteger(mmapSizeBytes) || mmapSizeBytes < 0)) {
    throw new SqliteError("MISUSE", "libsql: mmapSizeBytes must be a non-negative integer");
  }
  return {
    file: options.kind === "file",
    readonly: connectOptions.readonly === true,
    busyTimeoutMs,
    durability,
    journalSizeLimitBytes: options.journalSizeLimitBytes,
    cacheSizeKiB,
    mmapSizeBytes,
  };
}
