import type { Queryable, SqliteDriver } from "../driver/index.js";

/**
 * The absolute path of the database file behind a connection, as SQLite
 * knows it (`PRAGMA database_list`), or `undefined` for `:memory:`, a
 * temporary database or a remote server. Asking SQLite means no adapter has
 * to expose how it spells its target (`file:` URLs, relative paths).
 */
export async function locateDatabaseFile(
  driver: SqliteDriver,
  q: Pick<Queryable, "all">,
): Promise<string | undefined> {
  const caps = driver.capabilities;
  if (!caps.file || !caps.local) return undefined;
  const rows = await q.all<{ name: string; file: string | null }>("PRAGMA database_list");
  const main = rows.find((r) => r.name === "main");
  return main?.file ? main.file : undefined;
}
