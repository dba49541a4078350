import type { Queryable, SqliteConnection, Transaction } from "../driver/index.js";
import { ExtensionSchemaTooNewError, ValidationError } from "../errors.js";
import { latestVersion } from "./define.js";
import type { ExtensionMigrationResult, StoreExtension } from "./types.js";

/**
 * Created by the first extension migration, in its transaction, not by a
 * core migration: a store without extensions keeps the exact core schema,
 * and the core schema version is not spent on a table only extensions use.
 */
const CREATE_PACKAGE_SCHEMAS = `CREATE TABLE IF NOT EXISTS package_schemas (
  name       TEXT PRIMARY KEY,
  version    INTEGER NOT NULL CHECK (version >= 0),
  updated_at INTEGER NOT NULL
) STRICT`;

/** The version of `name` in `package_schemas`; 0 when it (or the table) is absent. */
export async function extensionVersion(q: Pick<Queryable, "get">, name: string): Promise<number> {
  const table = await q.get(
    "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'package_schemas'",
  );
  if (!table) return 0;
  const row = await q.get<{ version: number }>(
    "SELECT version FROM package_schemas WHERE name = ?",
    [name],
  );
  return Number(row?.version ?? 0);
}

async function objectNames(tx: Transaction): Promise<Set<string>> {
  const rows = await tx.all<{ name: string }>("SELECT name FROM sqlite_master");
  return new Set(rows.map((r) => r.name));
}

/**
 * Brings one extension's tables up to its newest version, one migration per
 * write transaction (`BEGIN IMMEDIATE`, the version re-read under the lock,
 * like the core chain), each recorded in `package_schemas` in the same
 * transaction. A migration that creates an object not named
 * `<name>_…` is rolled back with a `ValidationError`: extensions cannot
 * shadow the store's tables or each other's.
 *
 * @throws ExtensionSchemaTooNewError when the file has a newer version.
 */
export async function runExtensionMigrations(
  conn: SqliteConnection,
  extension: StoreExtension,
  now: number,
): Promise<ExtensionMigrationResult> {
  const { name } = extension;
  const latest = latestVersion(extension);
  const from = await extensionVersion(conn, name);
  if (from > latest) throw new ExtensionSchemaTooNewError(name, from, latest);
  const applied: number[] = [];
  for (const migration of extension.migrations) {
    if (migration.version <= from) continue;
    await conn.transaction("immediate", async (tx) => {
      const current = await extensionVersion(tx, name);
      if (current > latest) throw new ExtensionSchemaTooNewError(name, current, latest);
      if (current >= migration.version) return;
      await tx.exec(CREATE_PACKAGE_SCHEMAS);
      const before = await objectNames(tx);
      for (const statement of migration.statements) await tx.exec(statement);
      const foreign = [...(await objectNames(tx))].filter(
        (n) => !before.has(n) && !n.startsWith(`${name}_`),
      );
      if (foreign.length > 0) {
        throw new ValidationError("attachExtension", [
          {
            path: `migrations.${migration.version - 1}`,
            message: `creates ${foreign.join(", ")}: an extension's objects must be named "${name}_…"`,
          },
        ]);
      }
      await tx.run(
        `INSERT INTO package_schemas (name, version, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
        [name, migration.version, now],
      );
      applied.push(migration.version);
    });
  }
  return { name, from, to: await extensionVersion(conn, name), applied };
}
