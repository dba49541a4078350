import type { ConnectionSettings } from "@llm-sessions/core/driver";
import Database from "libsql";
import type { ResolvedOptions } from "../options.js";
import { NativeConnection } from "./connection.js";

/** What the package's constructor reads (its type declarations omit `encryptionKey`). */
interface OpenOptions {
  readonly timeout: number;
  readonly encryptionKey?: string;
}

/**
 * Opens a local database through the `libsql` package as a raw connection
 * (core applies the pragmas). A file's connection can be reopened with the
 * same settings and pragmas (see `NativeConnection`).
 */
export function openNative(
  options: ResolvedOptions,
  settings: ConnectionSettings,
): NativeConnection {
  const path = options.localPath as string;
  const init: OpenOptions = {
    // As @libsql/client passes it; core's busy_timeout pragma says the same.
    timeout: settings.busyTimeoutMs,
    ...(options.encryptionKey === undefined ? {} : { encryptionKey: options.encryptionKey }),
  };
  const openBare = () => new Database(path, init as Database.Options);
  const reopen = (): Database.Database => {
    const db = openBare();
    try {
      db.exec(settings.pragmas.join(";\n"));
    } catch (error) {
      // A handle that failed its pragmas must not keep the file open.
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
    openBare(),
    options.kind === "file" ? { reopen, openAside: openBare } : undefined,
  );
}
