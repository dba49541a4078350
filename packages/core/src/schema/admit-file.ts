import type { SqliteDriver } from "../driver/index.js";
import { MigrationRequiredError, SchemaTooNewError } from "../errors.js";
import { ForeignDatabaseError } from "../files/errors.js";
import type { SqliteHeader } from "../files/sqlite-header.js";
import { detectLegacyV0 } from "./legacy-v0.js";
import { SCHEMA_VERSION, STORE_APPLICATION_ID } from "./migrations.js";

const V0_MESSAGE =
  "this database has the older (v0) layout (sessions.session_id, no foreign keys or triggers): run `llm-sessions migrate <file>` or `migrateLegacy()` to bring it forward; nothing was changed";

/**
 * Decides from the header SQLite will read (see `inspectDatabaseFile`)
 * whether the store may open the file, before any connection that applies
 * pragmas does (switching to WAL rewrites bytes 18-19 of the header). Only
 * a file with a schema but no store version needs a look inside: that look
 * goes through a read-only connection, which applies no journal mode.
 *
 * @throws SchemaTooNewError for a newer schema; MigrationRequiredError for the v0 layout;
 *   ForeignDatabaseError for another application's database.
 */
export async function admitFile(
  header: SqliteHeader | undefined,
  driver: SqliteDriver,
  target: string,
): Promise<void> {
  if (!header) return;
  const { userVersion, applicationId } = header;
  if (applicationId !== 0 && applicationId !== STORE_APPLICATION_ID) {
    throw new ForeignDatabaseError(target, `its application_id is ${applicationId}`);
  }
  if (userVersion < 0) {
    throw new ForeignDatabaseError(
      target,
      `its user_version is ${userVersion}, not a schema version of this library`,
    );
  }
  if (userVersion > SCHEMA_VERSION) throw new SchemaTooNewError(userVersion, SCHEMA_VERSION);
  // A new file, or one whose schema was never changed: the migrations make it a store.
  if (userVersion !== 0 || header.schemaCookie === 0) return;
  const conn = await driver.connect({ readonly: true });
  try {
    if (await detectLegacyV0(conn)) throw new MigrationRequiredError(V0_MESSAGE);
    const objects = await conn.all<{ type: string; name: string }>(
      "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name LIMIT 5",
    );
    if (objects.length > 0) {
      const names = objects.map((o) => `${o.type} ${o.name}`).join(", ");
      throw new ForeignDatabaseError(target, `it has ${names} and no store schema version`);
    }
  } finally {
    await conn.close();
  }
}
