import type { RawConnection, SqliteAdapter } from "./adapter.js";
import { coreConnection } from "./connection.js";
import { SqliteError } from "./errors.js";
import { withBackupHold } from "./raw-backup.js";
import { connectionSettings, resolveTuning } from "./settings.js";
import { isThenable } from "./steps.js";
import type {
  ConnectOptions,
  DriverCapabilities,
  SqliteConnection,
  SqliteDriver,
} from "./types.js";

/**
 * Turns an adapter into the driver `openStore` takes. The tuning is checked
 * here (a bad value throws `MISUSE`); the connect options are checked at
 * every `connect`, which opens one raw connection, applies the pragmas to it
 * and wraps it (see `SqliteAdapter` for what core does around it).
 *
 * @example
 * ```ts
 * import { createDriver, type SqliteAdapter } from "@llm-sessions/core/driver";
 *
 * export function myDriver(options: MyOptions): SqliteDriver {
 *   const adapter: SqliteAdapter = { name: "my-sqlite", ... };
 *   return createDriver(adapter);
 * }
 * ```
 */
export function createDriver(adapter: SqliteAdapter): SqliteDriver {
  const name = adapter.name;
  const tuning = resolveTuning(name, adapter.tuning);
  return {
    name,
    target: adapter.target,
    ...(adapter.localPath === undefined ? {} : { localPath: adapter.localPath }),
    // Read when asked: an adapter may work a capability out lazily (a probe of its build).
    get capabilities(): DriverCapabilities {
      return adapter.capabilities;
    },
    async connect(options?: ConnectOptions): Promise<SqliteConnection> {
      const capabilities = adapter.capabilities;
      const settings = connectionSettings(name, capabilities, tuning, options);
      let raw: RawConnection | undefined;
      try {
        const opened = adapter.open(settings);
        raw = isThenable(opened) ? await opened : opened;
        checkBackup(name, raw, capabilities);
        if (settings.pragmas.length > 0) await raw.exec(settings.pragmas.join(";\n"));
      } catch (error) {
        // A connection that failed its pragmas (NOTADB, a wrong key) must not keep the file open.
        if (raw !== undefined) await closeQuietly(raw);
        throw adapter.mapError(error);
      }
      return coreConnection(withBackupHold(raw), {
        mapError: (error) => adapter.mapError(error),
        waitForLock: adapter.synchronous && capabilities.file,
        busyTimeoutMs: settings.busyTimeoutMs,
        statementCacheSize: tuning.statementCacheSize,
        checks: {
          parameters: adapter.checkParameters === true,
          refuseTextWithNul: capabilities.refusesTextWithNul === true,
        },
      });
    },
  };
}

/** A backup present without the capability, or the reverse, would silently change how backups are made. */
function checkBackup(name: string, raw: RawConnection, capabilities: DriverCapabilities): void {
  const has = typeof raw.backup === "function";
  if (has !== capabilities.onlineBackup) {
    throw new SqliteError(
      "MISUSE",
      `${name}: capabilities.onlineBackup is ${capabilities.onlineBackup} but the connection ${has ? "has" : "has no"} backup()`,
    );
  }
}

async function closeQuietly(raw: RawConnection): Promise<void> {
  try {
    await raw.close();
  } catch {
    // The first error is the one to report.
  }
}
