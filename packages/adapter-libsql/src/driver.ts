import { resolve } from "node:path";
import {
  createDriver,
  type DriverCapabilities,
  type SqliteDriver,
} from "@llm-sessions/core/driver";
import { EmbeddedConnection } from "./embedded/connection.js";
import { mapLibsqlError } from "./errors.js";
import { openNative } from "./native/open.js";
import { type LibsqlOptions, resolveOptions, type TargetKind } from "./options.js";
import { RemoteConnection } from "./remote.js";

/**
 * A driver for `@llm-sessions/core` on libSQL: a local file, a private
 * `:memory:` database, or a remote libSQL server.
 *
 * Local databases run on the `libsql` package directly (synchronous,
 * prepared statements cached per connection); a remote server is reached
 * through `@libsql/client`. With `syncUrl` the local file is an embedded
 * replica of a server: reads run on the file, writes on the server, and the
 * file is synced after each commit (README, "Embedded replicas").
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
  return createDriver({
    name: "libsql",
    target: resolved.target,
    // An encrypted file's bytes are not SQLite's format: the core must not read them.
    localPath:
      resolved.kind === "file" && resolved.localPath && resolved.encryptionKey === undefined
        ? resolve(resolved.localPath)
        : undefined,
    capabilities: capabilitiesOf(resolved.kind),
    // The libsql package answers synchronously; @libsql/client (a server, a replica's primary) with promises.
    synchronous: resolved.kind === "file" || resolved.kind === "memory",
    tuning: {
      statementCacheSize: options.statementCacheSize,
      journalSizeLimitBytes: options.journalSizeLimitBytes,
    },
    open: (settings) =>
      resolved.kind === "remote"
        ? RemoteConnection.open(resolved, settings.readonly)
        : resolved.kind === "replica"
          ? EmbeddedConnection.open(resolved, settings)
          : openNative(resolved, settings),
    mapError: mapLibsqlError,
  });
}

function capabilitiesOf(kind: TargetKind): DriverCapabilities {
  // A replica is written on its primary, which owns pragmas, VACUUM and
  // checkpoints like any server; only its reads are local.
  const local = kind === "file" || kind === "memory";
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
    // libSQL reads TEXT back as a C string, cut at its first NUL: such text is
    // refused (MISUSE) when bound rather than stored and read back cut.
    refusesTextWithNul: true,
  });
}
