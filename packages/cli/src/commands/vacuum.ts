import type { SpaceFigures } from "@llm-sessions/core";
import { EXIT } from "../errors.js";
import { bytes, count, duration, json, table } from "../format.js";
import { Progress } from "../progress.js";
import { existingDatabase, withStore } from "../target.js";
import type { CommandContext } from "./context.js";

export interface VacuumOptions {
  readonly json?: boolean;
}

/** Before/after rows for a maintenance report. */
export function spaceTable(before: SpaceFigures, after: SpaceFigures): string {
  const row = (name: string, f: (s: SpaceFigures) => string): string[] => [
    name,
    f(before),
    f(after),
  ];
  return table(
    ["", "before", "after"],
    [
      row("pages", (s) => count(s.pages)),
      row("free pages", (s) => count(s.freePages)),
      row("file", (s) => bytes(s.fileBytes)),
      row("WAL", (s) => bytes(s.walBytes)),
    ],
  );
}

/**
 * `vacuum <db>`: rebuilds the file without its free pages (everything waits
 * meanwhile), checks it, and shows what it freed.
 */
export async function vacuum(
  db: string,
  opts: VacuumOptions,
  ctx: CommandContext,
): Promise<number> {
  const { io, globals } = ctx;
  const path = existingDatabase(db, globals.driver);
  const progress = new Progress(io, "vacuum", !opts.json);
  const report = await withStore(path, globals, async (store) => {
    progress.step("rebuilding the file (readers and writers wait)");
    try {
      return await store.maintenance.vacuum();
    } finally {
      progress.finish();
    }
  });
  if (opts.json) {
    io.out(json(report));
    return report.status === "done" && report.check.ok ? EXIT.ok : EXIT.problems;
  }
  if (report.status === "unsupported") {
    io.err(`llm-sessions: ${report.reason}\n`);
    return EXIT.problems;
  }
  io.out(spaceTable(report.before, report.after));
  io.out(
    `\nfreed ${bytes(report.freedBytes)} in ${duration(report.durationMs)}; journal mode ${report.journalMode}; quick_check ${report.check.ok ? "ok" : "FAILED"}\n`,
  );
  for (const line of report.check.problems) io.out(`  ${line}\n`);
  return report.check.ok ? EXIT.ok : EXIT.problems;
}
