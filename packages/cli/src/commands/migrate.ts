import { migrateLegacy } from "@llm-sessions/core";
import { EXIT } from "../errors.js";
import { count, duration, json, keyValues } from "../format.js";
import { newBackupFile } from "../new-file.js";
import { assertStoreDatabase, driverFactory, existingDatabase } from "../target.js";
import { type CommandContext, timestampedName } from "./context.js";

export interface MigrateOptions {
  readonly json?: boolean;
  readonly backup?: boolean;
  readonly backupTo?: string;
}

/**
 * `migrate <db>`: brings an older database (the v0 layout, or an older
 * schema version) to the current schema, after a backup. Exit 0 when the
 * result checks clean, 1 otherwise.
 */
export async function migrate(
  db: string,
  opts: MigrateOptions,
  ctx: CommandContext,
): Promise<number> {
  const { io, globals } = ctx;
  const path = existingDatabase(db, globals.driver);
  const create = await driverFactory(globals.driver);
  await assertStoreDatabase(create, path, globals.busyTimeout);
  const backupTo =
    opts.backup === false
      ? false
      : newBackupFile(path, opts.backupTo ?? timestampedName(path, "before-migrate"));
  const report = await migrateLegacy({ driver: create(path), backupTo });
  if (opts.json) {
    io.out(json(report));
    return report.check.ok ? EXIT.ok : EXIT.problems;
  }
  const l = report.legacy;
  const pairs: [string, string][] = [
    ["found", report.found === "v0" ? "the older v0 layout" : report.found],
    [
      "schema",
      `${report.schema.from} -> ${report.schema.to}${report.schema.applied.length === 0 ? " (nothing to do)" : ""}`,
    ],
    ["backup", report.backup ?? "(none written)"],
  ];
  if (report.found === "v0") {
    pairs.push(
      ["sessions", count(l.sessions)],
      ["messages", count(l.messages)],
      ["quarantined (orphans)", count(l.orphansQuarantined)],
      ["quarantined (unknown roles)", count(l.unknownRolesQuarantined)],
      ["roles mapped", count(l.rolesMapped)],
      ["counters fixed", count(l.countersFixed)],
      ["times filled in", count(l.timesFilledIn)],
    );
  }
  pairs.push(["check", report.check.ok ? "sound" : `${report.check.findings.length} problem(s)`]);
  pairs.push(["took", duration(report.durationMs)]);
  io.out(keyValues(pairs));
  if (!report.check.ok) {
    io.out("\nthe migrated database has problems: run `llm-sessions doctor` on it for details\n");
  }
  return report.check.ok ? EXIT.ok : EXIT.problems;
}
