import { statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { OpenStoreOptions, SqliteDriver, Store } from "@llm-sessions/core";
import { openStore } from "@llm-sessions/core";
import type { DriverName } from "./drivers.js";
import { CliError, usageError } from "./errors.js";

/** Options every command takes. */
export interface GlobalOptions {
  readonly driver: DriverName;
  /** How long to wait on another process's lock before giving up. */
  readonly busyTimeout: number;
  /** Run the quick_check on open (`--no-verify` turns it off). */
  readonly verify: boolean;
}

/** Makes a driver for a path (or, with libsql, a URL). */
export type DriverFactory = (path: string) => SqliteDriver;

const REMOTE = /^(libsql|https?|wss?):\/\//i;

/** Whether `db` names a libSQL server rather than a file. */
export function isRemote(db: string): boolean {
  return REMOTE.test(db);
}

/**
 * The `file:` URL of a local path for libSQL. Built by `pathToFileURL`, not
 * by concatenation: in `file:${path}`, a `%41` in a file name would be read
 * as `A` (another file), and a `#` or `?` would end the path.
 */
export function fileUrl(path: string): string {
  return pathToFileURL(resolve(path)).href;
}

/**
 * The driver factory for `--driver`. Adapters are imported on first use, so
 * a command on better-sqlite3 never loads libSQL's native module (and the
 * reverse).
 */
export async function driverFactory(name: DriverName): Promise<DriverFactory> {
  if (name === "libsql") {
    const { libsql } = await import("@llm-sessions/adapter-libsql");
    return (path) =>
      isRemote(path)
        ? libsql({ url: path, authToken: process.env.LLM_SESSIONS_AUTH_TOKEN })
        : libsql({ url: fileUrl(path) });
  }
  const { betterSqlite } = await import("@llm-sessions/adapter-better-sqlite");
  return (path) => betterSqlite({ filename: path });
}

/**
 * Checks that `db` names an existing database file and returns its absolute
 * path. The CLI never creates a database: `openStore` would, so a missing
 * file is refused here (a usage error), before any driver sees the path.
 * A libSQL server URL passes through with `--driver libsql`.
 */
export function existingDatabase(db: string, driver: DriverName, what = "database"): string {
  if (isRemote(db)) {
    if (driver !== "libsql") throw usageError(`${db} is a server URL: add --driver libsql`);
    return db;
  }
  const path = resolve(db);
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(path);
  } catch {
    throw usageError(`no such ${what} file: ${db}`);
  }
  if (info.isDirectory()) throw usageError(`${db} is a directory, not a ${what} file`);
  return path;
}

/**
 * Refuses a file that SQLite opens but that is not an llm-sessions database:
 * opening a store on it would create the store's tables in it (an empty
 * file is an empty database to SQLite). The v0 layout passes (`openStore`
 * then says to migrate; `migrate` converts it). Asks SQLite on a read-only
 * connection rather than reading the header, because the schema of a WAL
 * database may still be only in its `-wal` file.
 */
export async function assertStoreDatabase(
  create: DriverFactory,
  path: string,
  busyTimeout: number,
): Promise<void> {
  if (isRemote(path)) return;
  const conn = await create(path).connect({ readonly: true, busyTimeoutMs: busyTimeout });
  try {
    const version = Number(
      (await conn.get<{ user_version: number }>("PRAGMA user_version"))?.user_version ?? 0,
    );
    if (version > 0) return;
    const tables = (
      await conn.all<{ name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
    ).map((r) => r.name);
    if (tables.includes("sessions")) return;
    throw new CliError(
      tables.length === 0
        ? `${path} is an empty database, not an llm-sessions one (the CLI never creates a database)`
        : `${path} is not an llm-sessions database (its tables: ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", ..." : ""})`,
    );
  } finally {
    await conn.close();
  }
}

/** Opens a store on an existing database, runs `fn`, and always closes it. */
export async function withStore<T>(
  db: string,
  globals: GlobalOptions,
  fn: (store: Store) => Promise<T>,
  options: Partial<Pick<OpenStoreOptions, "lifecycle" | "verifyOnOpen">> = {},
): Promise<T> {
  const create = await driverFactory(globals.driver);
  await assertStoreDatabase(create, db, globals.busyTimeout);
  const store = await openStore({
    driver: create(db),
    busyTimeoutMs: globals.busyTimeout,
    // One reader is plenty for a command; fewer connections, faster exit.
    pool: { readers: 1 },
    verifyOnOpen: globals.verify && !isRemote(db) ? "quick" : false,
    ...options,
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
