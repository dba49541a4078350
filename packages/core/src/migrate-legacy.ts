import { z } from "zod";
import type { SqliteDriver } from "./driver/index.js";
import {
  checkIntegrity,
  type IntegrityReport,
  vacuumInto,
  verifyOnOpen,
} from "./integrity/index.js";
import { Pool } from "./pool/index.js";
import {
  detectLegacyV0,
  type LegacyV0Counts,
  MIGRATIONS,
  type MigrationResult,
  migrateLegacyV0InTx,
  runMigrations,
  SCHEMA_VERSION,
} from "./schema/index.js";
import { filePath, parse } from "./sessions/validation.js";

/** Options of `migrateLegacy`. Unknown keys are rejected. */
export interface MigrateLegacyOptions {
  /** The adapter, on the database to migrate (it must not be open elsewhere meanwhile). */
  readonly driver: SqliteDriver;
  /**
   * Where to write a copy of the database before changing it (a new file),
   * or `false` to skip the backup. Required. No backup is written when there
   * is nothing to migrate.
   */
  readonly backupTo: string | false;
  /** Time source for `quarantined_at` and for times a v0 row lacks. Default `Date.now`. */
  readonly clock?: () => number;
}

/** What `migrateLegacy` found and did. */
export interface LegacyMigrationReport {
  /** `v0` when the older layout was found and brought forward; otherwise the schema was versioned (or empty). */
  readonly found: "v0" | "versioned" | "empty";
  /** The backup written first, or `null` (skipped, or nothing to migrate). */
  readonly backup: string | null;
  /** The schema versions before and after; `applied` lists the migrations run. */
  readonly schema: MigrationResult;
  /** What the v0 conversion did (all zero when the database was not v0). */
  readonly legacy: LegacyV0Counts;
  /** The integrity check run afterwards. */
  readonly check: IntegrityReport;
  /** Time the whole migration took, in milliseconds. */
  readonly durationMs: number;
}

const optionsSchema = z.strictObject({
  driver: z.custom<SqliteDriver>(
    (d) => typeof d === "object" && d !== null && typeof (d as SqliteDriver).connect === "function",
    "must be a driver (e.g. betterSqlite({ filename }))",
  ),
  backupTo: z.union([filePath(), z.literal(false)], {
    error: "must be a new file's path, or false to skip the backup",
  }),
  clock: z.custom<() => number>((f) => typeof f === "function", "must be a function").optional(),
});

const NOTHING: LegacyV0Counts = {
  sessions: 0,
  sessionsSkipped: 0,
  messages: 0,
  orphansQuarantined: 0,
  unknownRolesQuarantined: 0,
  rolesMapped: 0,
  countersFixed: 0,
  timesFilledIn: 0,
};

/**
 * Brings a database made before this library (the v0 layout, see
 * `LegacyV0Layout`) to the current schema, which `openStore` refuses to do
 * on its own. A database already versioned is simply migrated forward, so
 * this is also what `llm-sessions migrate` runs.
 *
 * In order: a quick_check (a damaged file is refused, unchanged), a backup
 * (unless `backupTo: false`), then one write transaction that converts
 * everything or nothing, then an integrity check of the result.
 *
 * - Every message whose session exists comes over, in v0 insertion order
 *   (`message_id`), numbered seq 1..n; its public id is `v0-<message_id>`.
 * - Messages whose session does not exist (orphans), and messages whose role
 *   is not one of `LEGACY_ROLES`, move to `quarantined_messages` with their
 *   whole v0 row as JSON: nothing is dropped.
 * - Counters come from the rows (the v0 `message_count` is ignored and
 *   reported when it was wrong).
 * - Times: ISO-8601 text, or epoch seconds / milliseconds (numbers or
 *   numeric text; below 1e11 means seconds). A missing or unreadable message
 *   time becomes its session's creation time; a missing session creation
 *   time becomes its first message's time, else its last activity, else now.
 * - v0 `metadata` that is a JSON object is kept; anything else is kept as a
 *   string under `v0Metadata`. `user_id` goes to `metadata.v0UserId`.
 *   Sessions come over `active`: the lifecycle policy idles and archives
 *   them by their last activity.
 *
 * @throws ValidationError for bad options; `DatabaseCorruptError` for a
 *   damaged file; `MigrationRequiredError` for a layout it does not know. In
 *   every case nothing was changed.
 */
export async function migrateLegacy(options: MigrateLegacyOptions): Promise<LegacyMigrationReport> {
  const opts = parse("migrateLegacy", optionsSchema, options);
  const clock = opts.clock ?? Date.now;
  const started = performance.now();
  const pool = await Pool.open(opts.driver);
  try {
    if (opts.driver.capabilities.file) await verifyOnOpen(pool, "quick");
    const before = await pool.read(async (q) => ({
      layout: await detectLegacyV0(q),
      version: Number(
        (await q.get<{ user_version: number }>("PRAGMA user_version"))?.user_version ?? 0,
      ),
    }));
    const found = before.layout ? "v0" : before.version > 0 ? "versioned" : "empty";
    const pending = found === "v0" || (found === "versioned" && before.version < SCHEMA_VERSION);
    const backup = pending && opts.backupTo !== false ? opts.backupTo : null;
    if (backup !== null) await vacuumInto(pool, backup, "migrateLegacy");
    let legacy = NOTHING;
    if (found === "v0") {
      legacy = (await pool.write((tx) => migrateLegacyV0InTx(tx, clock()))) ?? NOTHING;
    }
    // Brings a versioned database forward (and refuses foreign layouts, unchanged).
    const after = await pool.withWriter((conn) =>
      runMigrations(conn, { stampApplicationId: opts.driver.capabilities.local }),
    );
    const schema: MigrationResult = {
      from: before.version,
      to: after.to,
      // The v0 conversion creates the whole current schema itself.
      applied: found === "v0" ? MIGRATIONS.map((m) => m.version) : after.applied,
    };
    const check = await checkIntegrity(pool);
    return { found, backup, schema, legacy, check, durationMs: performance.now() - started };
  } finally {
    await pool.close();
  }
}
