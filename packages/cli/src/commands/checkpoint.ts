import { EXIT } from "../errors.js";
import { bytes, duration, json, keyValues } from "../format.js";
import { existingDatabase, withStore } from "../target.js";
import type { CommandContext } from "./context.js";

export interface CheckpointOptions {
  readonly json?: boolean;
}

/**
 * `checkpoint <db>`: a TRUNCATE checkpoint — the WAL folded into the file and
 * cut to zero. Run from a shell while the application serves, a reader of the
 * application's can keep it from finishing (`busy`): exit 1 then.
 */
export async function checkpoint(
  db: string,
  opts: CheckpointOptions,
  ctx: CommandContext,
): Promise<number> {
  const { io, globals } = ctx;
  const path = existingDatabase(db, globals.driver);
  const report = await withStore(path, globals, (store) => store.maintenance.checkpoint());
  if (opts.json) {
    io.out(json(report));
    return report.status === "done" && !report.busy ? EXIT.ok : EXIT.problems;
  }
  if (report.status === "unsupported") {
    io.err(`llm-sessions: ${report.reason}\n`);
    return EXIT.problems;
  }
  io.out(
    keyValues([
      ["WAL before", bytes(report.walBytesBefore)],
      ["WAL after", bytes(report.walBytesAfter)],
      [
        "finished",
        report.busy ? "no: another connection still reads an old snapshot; try again later" : "yes",
      ],
      ["took", duration(report.durationMs)],
    ]),
  );
  return report.busy ? EXIT.problems : EXIT.ok;
}
