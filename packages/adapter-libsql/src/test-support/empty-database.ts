import type { SqliteDriver } from "@llm-sessions/core";

/**
 * Drops every table, view, trigger and index in the driver's database, so a
 * shared server database starts each conformance test empty (the suite wants
 * "an empty database of its own" per call; one server cannot give that).
 * Foreign keys cannot be switched off on a server, so tables that others
 * still reference are retried until nothing is left.
 */
export async function emptyDatabase(driver: SqliteDriver): Promise<void> {
  const conn = await driver.connect();
  try {
    for (let round = 0; round < 10; round++) {
      const objects = await conn.all<{ type: string; name: string }>(
        "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL ORDER BY type = 'table'",
      );
      if (objects.length === 0) return;
      for (const { type, name } of objects) {
        try {
          await conn.exec(`DROP ${type.toUpperCase()} IF EXISTS "${name.replaceAll('"', '""')}"`);
        } catch {
          // Referenced by another table, or gone with its virtual table: next round.
        }
      }
    }
    throw new Error(`could not empty ${driver.target} for the conformance suite`);
  } finally {
    await conn.close();
  }
}
