import {
  type ConnectOptions,
  type SqliteConnection,
  SqliteError,
  wrapConnection,
} from "@llm-sessions/core";
import Database from "better-sqlite3";
import { BetterSqliteConnection } from "./connection.js";
import { mapError } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import { applyPragmas } from "./pragmas.js";

/** Default of `ConnectOptions.busyTimeoutMs`. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** better-sqlite3 rejects a larger `timeout`. */
const MAX_BUSY_TIMEOUT_MS = 0x7fffffff;

/** better-sqlite3's `nativeBinding` option, when one was given. */
export function nativeOption(options: ResolvedOptions): Database.Options {
  if (options.nativeBinding === undefined) return {};
  // better-sqlite3 accepts a path or the loaded addon; @types/better-sqlite3 only knows the path.
  return { nativeBinding: options.nativeBinding as string };
}

/**
 * Opens one better-sqlite3 handle with the pragmas applied and wraps it into
 * the contract. Every failure, at open or in a pragma, is a `SqliteError`.
 */
export async function connect(
  options: ResolvedOptions,
  connectOptions: ConnectOptions = {},
): Promise<SqliteConnection> {
  const busyTimeoutMs = connectOptions.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (
    !Number.isInteger(busyTimeoutMs) ||
    busyTimeoutMs < 0 ||
    busyTimeoutMs > MAX_BUSY_TIMEOUT_MS
  ) {
    throw new SqliteError(
      "MISUSE",
      `busyTimeoutMs must be an integer from 0 to ${MAX_BUSY_TIMEOUT_MS}`,
    );
  }
  const durability = connectOptions.durability ?? "normal";
  if (durability !== "normal" && durability !== "full") {
    throw new SqliteError(
      "MISUSE",
      `durability must be "normal" or "full", got ${String(durability)}`,
    );
  }
  const { cacheSizeKiB } = connectOptions;
  if (cacheSizeKiB !== undefined && (!Number.isSafeInteger(cacheSizeKiB) || cacheSizeKiB < 1)) {
    throw new SqliteError("MISUSE", "cacheSizeKiB must be a positive integer");
  }
  const { mmapSizeBytes } = connectOptions;
  if (mmapSizeBytes !== undefined && (!Number.isSafeInteger(mmapSizeBytes) || mmapSizeBytes < 0)) {
    throw new SqliteError("MISUSE", "mmapSizeBytes must be a non-negative integer");
  }
  const readonly = options.readonly || connectOptions.readonly === true;
  let db: Database.Database | undefined;
  try {
    db = new Database(options.filename, {
      ...nativeOption(options),
      // better-sqlite3 refuses readonly for private databases; pragmas.ts uses query_only instead.
      readonly: readonly && !options.memory,
      fileMustExist: options.fileMustExist,
      timeout: busyTimeoutMs,
      ...(options.verbose ? { verbose: options.verbose } : {}),
    });
    applyPragmas(db, {
      file: !options.memory,
      readonly,
      busyTimeoutMs,
      durability,
      journalSizeLimitBytes: options.journalSizeLimitBytes,
      cacheSizeKiB,
      mmapSizeBytes,
    });
    return wrapConnection(
      new BetterSqliteConnection(db, options.statementCacheSize, busyTimeoutMs),
    );
  } catch (error) {
    // A handle that failed its pragmas (e.g. NOTADB) must not leak its file descriptor.
    try {
      db?.close();
    } catch {
      // Closing a half-open handle can fail too; the first error is the one to report.
    }
    throw mapError(error);
  }
}
