import { resolve } from "node:path";
import { restoreBackup } from "@llm-sessions/core";
import { EXIT, usageError } from "../errors.js";
import { bytes, count, duration, json, keyValues } from "../format.js";
import { blameTarget } from "../new-file.js";
import { Progress } from "../progress.js";
import { driverFactory, existingDatabase, isRemote } from "../target.js";
import type { CommandContext } from "./context.js";

export interface RestoreOptions {
  readonly json?: boolean;
}

const STEPS = {
  copy: "copying the backup",
  verify: "checking the copy (integrity_check and the store's rules)",
  probe: "making sure nothing has the database open",
  replace: "putting it in place",
} as const;

/**
 * `restore <backup> <db>`: checks the backup, refuses a database that is in
 * use, keeps the current file as `<db>.pre-restore`, and replaces it
 * atomically. `<db>` may be missing (it is then created from the backup).
 */
export async function restore(
  from: string,
  db: string,
  opts: RestoreOptions,
  ctx: CommandContext,
): Promise<number> {
  const { io, globals } = ctx;
  if (isRemote(db))
    throw usageError("restore replaces a database file; a server is restored with its own tools");
  const source = existingDatabase(from, globals.driver, "backup");
  const create = await driverFactory(globals.driver);
  const progress = new Progress(io, "restore", !opts.json);
  const target = resolve(db);
  let result: Awaited<ReturnType<typeof restoreBackup>>;
  try {
    result = await restoreBackup(source, target, {
      createDriver: create,
      onProgress: (step) => progress.step(STEPS[step]),
    });
  } catch (error) {
    throw blameTarget(error, target);
  } finally {
    progress.finish();
  }
  if (opts.json) {
    io.out(json(result));
    return EXIT.ok;
  }
  io.out(
    keyValues([
      ["restored", result.path],
      ["from", result.from],
      ["previous file kept as", result.preRestorePath ?? "(there was none)"],
      ["size", bytes(result.bytes)],
      ["sessions", count(result.sessions)],
      ["messages", count(result.messages)],
      ["schema", String(result.schemaVersion)],
      ["check", "sound"],
      ["took", duration(result.durationMs)],
    ]),
  );
  return EXIT.ok;
}
