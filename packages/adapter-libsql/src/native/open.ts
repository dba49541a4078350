import Database from "libsql";
import type { ResolvedOptions } from "../options.js";
import { type PragmaSettings, pragmaScript } from "../pragmas.js";
import { NativeConnection } from "./connection.js";

/** What the package's constructor reads (its type declarations omit `encryptionKey`). */
interface OpenOptions {
  readonly timeout: number;
  readonly encryptionKey?: string;
}

/**
 * Opens a local database through the `libsql` package, with the pragmas
 * applied, as a raw connection. A file's connection can be reopened with the
 * same settings (see `NativeConnection`).
 */
export function openNative(options: ResolvedOptions, settings: PragmaSettings): NativeConnection {
  const path = options.localPath as string;
  const init: OpenOptions = {
    // As @libsql/client passes it; the busy_timeout pragma below says the same.
    timeout: settings.busyTimeoutMs,
    ...(options.encryptionKey === undefined ? {} : { encryptionKey: options.encryptionKey }),
  };
  const openBare = () => new Database(path, init as Database.Options);
  const open = (): Database.Database => {
    const db = openBare();
    try {
      db.exec(pragmaScript(settings));
    } catch (error) {
      // A handle that failed its pragmas (NOTADB, a wrong key) must not keep the file open.
      try {
        db.close();
      } catch {
        // The first error is the one to report.
      }
      throw error;
    }
    return db;
  };
  return new NativeConnection(
    open(),
    settings.file ? { reopen: open, openAside: openBare } : undefined,
    options.statementCacheSize,
    settings.busyTimeoutMs,
  );
}
