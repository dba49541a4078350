import type { BackupMethod } from "@llm-sessions/core";
import { blameWrittenFile, EXIT } from "../errors.js";
import { bytes, count, duration, json, keyValues } from "../format.js";
import { assertCreatable } from "../new-file.js";
import { Progress } from "../progress.js";
import { existingDatabase, withStore } from "../target.js";
import type { CommandContext } from "./context.js";

export interface BackupOptions {
  readonly json?: boolean;
  readonly method?: "auto" | BackupMethod;
}

/**
 * `backup <db> <out>`: a checked copy written while the database stays in
 * use, with a progress bar. `<out>` must not exist.
 */
export async function backup(
  db: string,
  out: string,
  opts: BackupOptions,
  ctx: CommandContext,
): Promise<number> {
  const { io, globals } = ctx;
  const path = existingDatabase(db, globals.driver);
  const destination = assertCreatable(out, "backup");
  const progress = new Progress(io, "backup", !opts.json);
  const result = await withStore(path, globals, async (store) => {
    try {
      return await store.maintenance.backup(destination, {
        method: opts.method ?? "auto",
        onProgress: (p) => progress.update(p.phase, p.totalPages - p.remainingPages, p.totalPages),
      });
    } catch (error) {
      // The database is open by now: a file that cannot be created or written is the backup.
      throw blameWrittenFile(error, destination);
    } finally {
      progress.finish();
    }
  });
  if (opts.json) {
    io.out(json(result));
    return EXIT.ok;
  }
  io.out(
    keyValues([
      ["backup", result.path],
      ["method", result.method],
      ["size", bytes(result.bytes)],
      ["pages", count(result.pages)],
      ["sessions", count(result.sessions)],
      // The check counts the rows of the messages table; an archived
      // session's messages are in its snapshot, which `stats` counts too.
      ["messages (not archived)", count(result.messages)],
      ["schema", String(result.schemaVersion)],
      ["check", "integrity_check ok"],
      ["took", duration(result.durationMs)],
    ]),
  );
  return EXIT.ok;
}
