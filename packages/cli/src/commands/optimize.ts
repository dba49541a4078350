import { EXIT, usageError } from "../errors.js";
import { bytes, duration, json } from "../format.js";
import { Progress } from "../progress.js";
import { existingDatabase, withStore } from "../target.js";
import type { CommandContext } from "./context.js";
import { spaceTable } from "./vacuum.js";

export interface OptimizeCommandOptions {
  readonly json?: boolean;
  /** `auto`, `always` or `never` (default). */
  readonly vacuum?: string;
}

/** `optimize <db>`: ANALYZE where useful, search index merge, checkpoint; vacuum when asked. */
export async function optimize(
  db: string,
  opts: OptimizeCommandOptions,
  ctx: CommandContext,
): Promise<number> {
  const { io, globals } = ctx;
  const modes = { never: false, always: true, auto: "auto" } as const;
  const vacuum = modes[(opts.vacuum ?? "never") as keyof typeof modes];
  if (vacuum === undefined)
    throw usageError(`--vacuum must be never, auto or always (got "${opts.vacuum}")`);
  const path = existingDatabase(db, globals.driver);
  const progress = new Progress(io, "optimize", !opts.json);
  const report = await withStore(path, globals, async (store) => {
    progress.step("analyze, merge the search index, checkpoint");
    try {
      return await store.maintenance.optimize({ vacuum });
    } finally {
      progress.finish();
    }
  });
  if (opts.json) {
    io.out(json(report));
    return EXIT.ok;
  }
  io.out(spaceTable(report.before, report.after));
  const done = [
    report.analyzed ? "analyzed" : "analyze skipped (server)",
    "search index merged",
    report.checkpointed ? "WAL truncated" : "no checkpoint (no local WAL)",
    report.vacuum ? "vacuumed" : "not vacuumed",
  ];
  const change =
    report.freedBytes >= 0
      ? `freed ${bytes(report.freedBytes)}`
      : `grew by ${bytes(-report.freedBytes)}`;
  io.out(`\n${done.join("; ")}; ${change} in ${duration(report.durationMs)}\n`);
  return EXIT.ok;
}
