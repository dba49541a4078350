import type { IntegrityReport } from "@llm-sessions/core";
import { EXIT } from "../errors.js";
import { count, duration, json, keyValues, table } from "../format.js";
import { newBackupFile } from "../new-file.js";
import { existingDatabase, withStore } from "../target.js";
import { type CommandContext, timestampedName } from "./context.js";

export interface DoctorOptions {
  readonly repair?: boolean;
  /** `quick_check` instead of `integrity_check`. */
  readonly quick?: boolean;
  readonly json?: boolean;
  /** Where repair writes its backup; `false` with `--no-backup`. */
  readonly backup?: boolean;
  readonly backupTo?: string;
}

function reportTable(report: IntegrityReport): string {
  const byCheck = new Map(report.findings.map((f) => [f.check, f]));
  const rows = report.checks.map((check) => {
    const f = byCheck.get(check);
    return f
      ? [check, "PROBLEM", count(f.count), `${f.message}: ${f.sample.slice(0, 3).join(", ")}`]
      : [check, "ok", "", ""];
  });
  // Findings of a check not in the list (there should be none) are still shown.
  for (const f of report.findings) {
    if (!report.checks.includes(f.check))
      rows.push([f.check, "PROBLEM", count(f.count), f.message]);
  }
  return table(["check", "status", "count", "detail"], rows, 90);
}

/** What to do next: repair fixes the store's rules; damaged pages need a backup or `.recover`. */
function advice(report: IntegrityReport, db: string): string {
  if (report.findings.some((f) => f.check === "sqlite")) {
    return "SQLite reports damaged pages, which no repair can fix: restore a backup (`llm-sessions restore`), or recover what is readable with the sqlite3 shell's `.recover` (see docs/operations.md).";
  }
  return `Run \`llm-sessions doctor --repair ${db}\` (it backs up first).`;
}

/**
 * `doctor <db>`: the full integrity check; with `--repair`, a backup then
 * the repair of what breaks the store's rules, then the check again.
 * Exit 0 when the database is sound at the end, 1 when problems remain.
 */
export async function doctor(
  db: string,
  opts: DoctorOptions,
  ctx: CommandContext,
): Promise<number> {
  const { io, globals } = ctx;
  const path = existingDatabase(db, globals.driver);
  const backupTo =
    !opts.repair || opts.backup === false
      ? false
      : newBackupFile(path, opts.backupTo ?? timestampedName(path, "before-repair"));
  // Opened without the quick_check on open: damage must become findings here, not a refusal.
  return withStore(
    path,
    { ...globals, verify: false },
    async (store) => {
      const full = !opts.quick;
      const report = await store.integrity.check({ full });
      if (!opts.repair || report.ok) {
        if (opts.json) io.out(json(report));
        else {
          io.out(reportTable(report));
          io.out(
            report.ok
              ? `\n${db}: sound (${full ? "integrity_check" : "quick_check"}, ${duration(report.durationMs)})${opts.repair ? "; nothing to repair" : ""}\n`
              : `\n${db}: ${report.findings.length} problem(s) found. ${advice(report, db)}\n`,
          );
        }
        return report.ok ? EXIT.ok : EXIT.problems;
      }
      const repaired = await store.integrity.repair({ backupTo, full });
      if (opts.json) {
        io.out(json(repaired));
      } else {
        io.out(`before the repair:\n${reportTable(repaired.before)}\n`);
        const a = repaired.actions;
        io.out(
          keyValues([
            ["backup", repaired.backup ?? "(none: --no-backup)"],
            ["orphans quarantined", count(a.orphansQuarantined)],
            ["parent links cleared", count(a.parentLinksCleared)],
            ["sessions renumbered", count(a.seqRenumbered)],
            ["counters fixed", count(a.countersFixed)],
            ["compaction points fixed", count(a.compactionFixed)],
            ["tool-call index rebuilt", a.toolCallsRebuilt ? "yes" : "no"],
            ["search index rebuilt", a.searchRebuilt ? "yes" : "no"],
            ["indexes rebuilt", a.reindexed ? "yes" : "no"],
          ]),
        );
        io.out(`\nafter the repair:\n${reportTable(repaired.after)}`);
        io.out(
          repaired.ok
            ? `\n${db}: repaired, now sound (${duration(repaired.durationMs)})\n`
            : `\n${db}: problems remain after the repair; restore a backup (see docs/operations.md)\n`,
        );
      }
      return repaired.ok ? EXIT.ok : EXIT.problems;
    },
    { verifyOnOpen: false },
  );
}
