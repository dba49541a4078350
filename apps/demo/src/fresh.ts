import { closeSync, existsSync, lstatSync, openSync, readSync, rmSync } from "node:fs";
import { type SqliteDriver, ValidationError } from "@llm-sessions/core";

/** The tables every llm-sessions store has; another application's database lacks some. */
const STORE_TABLES = ["leases", "messages", "sessions", "snapshots"];

const SQLITE_MAGIC = "SQLite format 3\0";

function refuse(file: string, why: string): ValidationError {
  return new ValidationError("demo --fresh", [
    {
      path: "db",
      message: `${file} ${why}; --fresh deletes only an llm-sessions store (delete the file yourself if you mean to)`,
    },
  ]);
}

/**
 * Refuses `file` unless it has the store's tables. SQLite's read-only look
 * at a WAL database creates its `-wal` and `-shm` when they are missing;
 * those it created are removed again, so a refused file is left as it was.
 */
async function assertStore(file: string, driver: SqliteDriver): Promise<void> {
  if (header(file) !== SQLITE_MAGIC) throw refuse(file, "is not a SQLite database");
  const sides = [`${file}-wal`, `${file}-shm`].filter((side) => !existsSync(side));
  let tables: string[] | undefined;
  try {
    const conn = await driver.connect({ readonly: true });
    try {
      tables = (
        await conn.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")
      ).map((r) => r.name);
    } finally {
      await conn.close();
    }
  } catch {
    // Unreadable as a database: refused below.
  }
  const missing = STORE_TABLES.filter((t) => !tables?.includes(t));
  if (missing.length === 0) return;
  for (const side of sides) rmSync(side, { force: true });
  throw refuse(
    file,
    tables === undefined
      ? "cannot be read as a SQLite database"
      : `is not an llm-sessions store (no ${missing.join(", ")} table)`,
  );
}

function header(file: string): string {
  const fd = openSync(file, "r");
  try {
    const bytes = Buffer.alloc(SQLITE_MAGIC.length);
    const read = readSync(fd, bytes, 0, bytes.length, 0);
    return bytes.subarray(0, read).toString("latin1");
  } finally {
    closeSync(fd);
  }
}

/**
 * What `--fresh` deletes: `file` (with its `-wal` and `-shm`) only when it is
 * an llm-sessions store, an empty file, or absent. Any other file — a text
 * file, another application's SQLite database, a store too damaged to read —
 * is refused and left as it is: `--db` may point anywhere, and a typo must
 * not cost someone a file.
 *
 * @param driver opens `file` read-only to look at its tables.
 * @throws ValidationError naming the file when it is not one `--fresh` may delete.
 */
export async function removeForFresh(file: string, driver: SqliteDriver): Promise<void> {
  let size: number;
  try {
    const info = lstatSync(file);
    if (!info.isFile()) throw refuse(file, "is not a regular file");
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    size = -1;
  }
  if (size > 0) await assertStore(file, driver);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
}
