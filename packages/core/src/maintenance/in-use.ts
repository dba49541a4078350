import type { SqliteConnection, SqliteDriver } from "../driver/index.js";
import { SqliteError } from "../driver/index.js";
import { DatabaseInUseError } from "./errors.js";
import { exists } from "./files.js";
import { collectGarbage } from "./gc.js";
import { isOpenInThisProcess } from "./open-files.js";

/**
 * What the probe found: no file, a file nobody has open, or a file SQLite
 * cannot read (damaged, or not a database: no store can be serving it).
 */
export type ProbeOutcome = "absent" | "idle" | "unreadable";

/**
 * Refuses when a database file is in use, before it is replaced.
 *
 * - In this process: stores register the files they open (see
 *   `registerOpenFile`), so a store that is open is named at once.
 * - Anywhere else: a connection with `busy_timeout = 0` asks to leave WAL
 *   mode (`PRAGMA journal_mode = DELETE`). SQLite allows that only to the one
 *   connection that has the file open — every other connection, idle or not,
 *   in any process, holds a shared lock on the WAL index — so a refusal
 *   (BUSY) means someone else has it open. `BEGIN EXCLUSIVE` would not do:
 *   in WAL mode it only waits for writers, and an idle store goes unseen.
 *   When the probe succeeds it has also folded the WAL into the file, so the
 *   file kept as `.pre-restore` is complete on its own. (It changes the
 *   journal mode of a file that is about to be replaced; a store switches it
 *   back to WAL whenever it opens the file.)
 *
 * Between the probe and the rename a new process could still open the old
 * file; stop the processes first and the window stays empty.
 *
 * @throws DatabaseInUseError when the file is open.
 */
export async function assertNotInUse(
  path: string,
  createDriver: (path: string) => SqliteDriver | Promise<SqliteDriver>,
): Promise<ProbeOutcome> {
  if (isOpenInThisProcess(path)) {
    throw new DatabaseInUseError(path, "a store in this process has it open: close it first");
  }
  if (!(await exists(path))) return "absent";
  const driver = await createDriver(path);
  const first = await probe(driver);
  // A refusal may come from connections this process closed but the driver has
  // not released yet (see collectGarbage): collect once, then ask again.
  if (first === "busy" && collectGarbage()) {
    await new Promise((resolve) => setImmediate(resolve));
    return outcomeOf(path, await probe(driver));
  }
  return outcomeOf(path, first);
}

/** One attempt: "idle", or what stopped it. */
async function probe(driver: SqliteDriver): Promise<"idle" | "busy" | unknown> {
  let conn: SqliteConnection;
  try {
    conn = await driver.connect({ busyTimeoutMs: 0 });
  } catch (error) {
    return isBusy(error) ? "busy" : error;
  }
  try {
    await conn.get("PRAGMA journal_mode = DELETE");
    return "idle";
  } catch (error) {
    return isBusy(error) ? "busy" : error;
  } finally {
    await conn.close().catch(() => {});
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof SqliteError && (error.code === "BUSY" || error.code === "LOCKED");
}

function outcomeOf(path: string, result: "idle" | "busy" | unknown): ProbeOutcome {
  if (result === "idle") return "idle";
  if (result === "busy") {
    throw new DatabaseInUseError(
      path,
      "another connection (maybe in another process) has it open: stop every process that uses it first",
    );
  }
  if (result instanceof SqliteError && (result.code === "NOTADB" || result.code === "CORRUPT")) {
    return "unreadable";
  }
  throw result;
}
