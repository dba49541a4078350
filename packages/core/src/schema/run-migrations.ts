import type { SqliteConnection, Transaction } from "../driver/index.js";
import { MigrationRequiredError, SchemaTooNewError } from "../errors.js";
import { MIGRATIONS, SCHEMA_VERSION, STORE_APPLICATION_ID } from "./migrations.js";

/** What opening did to the schema. */
export interface MigrationResult {
  /** Schema version (`user_version`) found on opening; 0 for a new database. */
  readonly from: number;
  /** Schema version afterwards. */
  readonly to: number;
  /** Versions of the migrations this call applied, in order (empty when another process got there first or none was due). */
  readonly applied: readonly number[];
}

async function userVersion(q: Pick<Transaction, "get">): Promise<number> {
  const row = await q.get<{ user_version: number }>("PRAGMA user_version");
  return Number(row?.user_version ?? 0);
}

/**
 * Refuses what it must not touch: a newer schema, the older v0 layout, or a
 * database that has tables of its own but no version.
 */
async function checkStartingPoint(tx: Transaction, version: number): Promise<void> {
  if (version > SCHEMA_VERSION) throw new SchemaTooNewError(version, SCHEMA_VERSION);
  if (version !== 0) return;
  const columns = await tx.all<{ name: string }>("SELECT name FROM pragma_table_info('sessions')");
  if (columns.some((c) => c.name === "session_id")) {
    throw new MigrationRequiredError(
      "this database has the older (v0) layout (sessions.session_id, no foreign keys or triggers): run `llm-sessions migrate <file>` or `migrateLegacy()` to bring it forward; nothing was changed",
    );
  }
  if (columns.length > 0) {
    throw new MigrationRequiredError(
      "this database has a `sessions` table that this library did not create (user_version is 0): refusing to touch it",
    );
  }
}

/** Options of {@link runMigrations}. */
export interface MigrationOptions {
  /**
   * Stamp `STORE_APPLICATION_ID` into the header. Default true; false on a
   * server (sqld refuses to set header pragmas, and the header there is not
   * a file anyone opens).
   */
  readonly stampApplicationId?: boolean;
}

/**
 * Brings the schema up to `SCHEMA_VERSION`, one migration per write
 * transaction, each recorded in `user_version` inside that transaction. Safe
 * when several processes open the same file at once: each migration re-reads
 * the version after taking the write lock.
 */
export async function runMigrations(
  conn: SqliteConnection,
  options: MigrationOptions = {},
): Promise<MigrationResult> {
  const stamp = options.stampApplicationId ?? true;
  const from = await userVersion(conn);
  if (from > SCHEMA_VERSION) throw new SchemaTooNewError(from, SCHEMA_VERSION);
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    await conn.transaction("immediate", async (tx) => {
      const current = await userVersion(tx);
      if (current >= migration.version) return;
      await checkStartingPoint(tx, current);
      for (const statement of migration.statements) await tx.exec(statement);
      // user_version lives in the header and is written by this transaction.
      await tx.exec(`PRAGMA user_version = ${migration.version}`);
      if (stamp) await tx.exec(`PRAGMA application_id = ${STORE_APPLICATION_ID}`);
      applied.push(migration.version);
    });
  }
  return { from, to: await userVersion(conn), applied };
}
