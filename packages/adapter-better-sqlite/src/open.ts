import type { ConnectionSettings } from "@llm-sessions/core/driver";
import Database from "better-sqlite3";
import { BetterSqliteConnection } from "./connection.js";
import type { ResolvedOptions } from "./options.js";

/** better-sqlite3's `nativeBinding` option, when one was given. */
export function nativeOption(options: ResolvedOptions): Database.Options {
  if (options.nativeBinding === undefined) return {};
  // better-sqlite3 accepts a path or the loaded addon; @types/better-sqlite3 only knows the path.
  return { nativeBinding: options.nativeBinding as string };
}

/** Opens one better-sqlite3 handle (core applies the pragmas). */
export function openConnection(
  options: ResolvedOptions,
  settings: ConnectionSettings,
): BetterSqliteConnection {
  const db = new Database(options.filename, {
    ...nativeOption(options),
    // better-sqlite3 refuses readonly for private databases: core's query_only pragma covers them.
    readonly: settings.readonly && !options.memory,
    fileMustExist: options.fileMustExist,
    timeout: settings.busyTimeoutMs,
    ...(options.verbose ? { verbose: options.verbose } : {}),
  });
  return new BetterSqliteConnection(db);
}
