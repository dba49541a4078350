import { restoreBackup } from "@llm-sessions/core";
import {
  copyDatabase,
  damageHeader,
  fileSize,
  overwritePage,
  pageCount,
  pagesInUse,
  readPageSize,
  truncateFile,
} from "../faults/index.js";
import type { Ledger } from "../invariants/index.js";
import type { SuiteContext } from "../suite/context.js";
import { detectElsewhere } from "./detect-process.js";

/** A kind of damage to the main database file. */
export type MainFileDamage = "truncate" | "page" | "header";

/** One damaged copy: what was done, and how the store took it. */
export interface DamageCase {
  readonly kind: MainFileDamage;
  readonly what: string;
  readonly detectedBy: string;
  readonly detail: string;
}

/**
 * Copies the database, damages the copy, expects the store to detect it,
 * then restores the latest backup over the copy and expects the result to
 * pass the invariant check with every acknowledged message.
 */
export async function damageAndRestore(
  ctx: SuiteContext,
  kind: MainFileDamage,
  source: string,
  backup: string,
  ledger: Ledger,
  index: number,
): Promise<DamageCase> {
  const rng = ctx.rng.derive(`${kind}-${index}`);
  const path = ctx.newPath(`damaged-${kind}-${index}.db`);
  await copyDatabase(source, path);
  let what: string;
  if (kind === "truncate") {
    const size = (await fileSize(path)) ?? 0;
    const pageSize = await readPageSize(path);
    // Keep at least the header page; cut on or off a page boundary.
    const cut = Math.max(pageSize, Math.floor(size * (0.1 + 0.8 * rng.next())));
    const at = rng.chance(0.5) ? cut - (cut % pageSize) : cut;
    await truncateFile(path, at);
    what = `cut from ${size} to ${at} bytes`;
  } else if (kind === "page") {
    // Only pages that hold data: a page freed after the vacuum (the search index's
    // merges free some) can be overwritten without harm, and must not count as missed.
    const page = rng.pick(await pagesInUse(path));
    await overwritePage(path, page, { rng, fill: rng.chance(0.8) ? "random" : "zeros" });
    what = `page ${page} of ${await pageCount(path)} overwritten`;
  } else {
    await damageHeader(path, { rng, fill: rng.chance(0.5) ? "zeros" : "random" });
    what = "the 100-byte header overwritten";
  }
  const found = await detectElsewhere(ctx, path);
  if (!found.detected) ctx.fail(`${kind} (${what}) was not detected: ${found.detail}`);
  if (found.unclear) {
    ctx.fail(
      `${kind} (${what}) surfaced as an error that does not name the damage: ${found.detail}`,
    );
  }
  await restoreBackup(backup, path, { createDriver: (p) => ctx.driver(p) });
  const store = await ctx.open(path);
  await ctx.verify(store, ledger, `backup restored over ${kind} (${what})`);
  await ctx.close(store);
  return { kind, what, detectedBy: found.by, detail: found.detail };
}
