import { z } from "zod";
import type { Pool } from "../pool/index.js";
import { indexQueued } from "../search/index-queue.js";
import { parse } from "../sessions/validation.js";
import {
  freedBytes,
  type MaintenanceUnsupported,
  type OptimizeReport,
  type VacuumReport,
} from "./reports.js";
import { readSpace } from "./space.js";
import { vacuumDatabase } from "./vacuum.js";

/** Options of `maintenance.optimize`. */
export interface OptimizeOptions {
  /**
   * Also vacuum: `false` (default; a vacuum holds up every reader and writer
   * while it runs), `true`, or `"auto"`: only when at least
   * `AUTO_VACUUM_FREE_RATIO` of the pages (and `AUTO_VACUUM_MIN_FREE_PAGES`
   * pages) are free.
   */
  readonly vacuum?: boolean | "auto";
}

/** `vacuum: "auto"` vacuums when this share of the pages is free... */
export const AUTO_VACUUM_FREE_RATIO = 0.25;
/** ...and at least this many pages (4 MiB at 4 KiB pages): small files are not worth a stall. */
export const AUTO_VACUUM_MIN_FREE_PAGES = 1024;

const optionsSchema = z.strictObject({
  vacuum: z.union([z.boolean(), z.literal("auto")]).optional(),
});

/**
 * Routine upkeep, cheap enough to run daily:
 * 1. `PRAGMA optimize` with every table considered (`0x10002`): ANALYZE
 *    where the statistics are missing or stale, so the planner keeps
 *    choosing the indexes (skipped on a server, which takes pragmas only as
 *    reads);
 * 2. the messages still queued for the search index indexed (schema v3),
 *    then the index's segments merged into one (FTS5 `'optimize'`), which
 *    makes searches read fewer b-trees;
 * 3. a TRUNCATE checkpoint, since the merge went through the WAL (local files);
 * 4. a vacuum when asked (see `OptimizeOptions.vacuum`).
 */
export async function optimizeDatabase(
  pool: Pool,
  file: string | undefined,
  options: OptimizeOptions = {},
): Promise<OptimizeReport> {
  const opts = parse("maintenance.optimize", optionsSchema, options);
  const caps = pool.driver.capabilities;
  const started = performance.now();
  const before = await pool.read((q) => readSpace(q, file));
  const analyzed = !caps.remote;
  await pool.withWriter(async (conn) => {
    if (analyzed) await conn.exec("PRAGMA optimize = 0x10002");
    await conn.transaction("immediate", async (tx) => {
      // Queued messages go into the index before the merge, not after it.
      await indexQueued(tx, Number.MAX_SAFE_INTEGER);
      await tx.run("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')");
    });
  });
  const checkpointed = caps.walCheckpoint && caps.file;
  if (checkpointed) await pool.checkpoint("TRUNCATE");
  let vacuum: VacuumReport | MaintenanceUnsupported | null = null;
  const mid = await pool.read((q) => readSpace(q, file));
  const wantVacuum =
    opts.vacuum === true ||
    (opts.vacuum === "auto" &&
      mid.freePages >= AUTO_VACUUM_MIN_FREE_PAGES &&
      mid.freePages >= AUTO_VACUUM_FREE_RATIO * mid.pages);
  if (wantVacuum) vacuum = await vacuumDatabase(pool, file);
  const after = vacuum?.status === "done" ? vacuum.after : mid;
  return {
    status: "done",
    analyzed,
    searchIndexMerged: true,
    checkpointed,
    vacuum: vacuum?.status === "done" ? vacuum : null,
    before,
    after,
    freedBytes: freedBytes(before, after),
    durationMs: performance.now() - started,
  };
}
