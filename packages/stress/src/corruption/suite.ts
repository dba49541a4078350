import { fileSize, WAL_SUFFIX } from "../faults/index.js";
import type { StressSuite } from "../suite/context.js";
import { fill } from "./build.js";
import { type DamageCase, damageAndRestore, type MainFileDamage } from "./main-file.js";
import { damageWal, writeWalHistory } from "./wal.js";

/**
 * Corruption: copies of a filled database are damaged the ways
 * disks and copies do (file truncated, a whole page overwritten, the header
 * overwritten); the store must detect every one (on open, or in its full
 * integrity check), and restoring the latest backup over the damaged file
 * must give a database that checks clean with every acknowledged message.
 * A WAL torn inside its last transaction, or with garbage after its last
 * frame (what a crash leaves), must open clean with exactly the committed
 * transactions that were whole.
 */
export const corruptionSuite: StressSuite = {
  id: "corruption",
  title: "damaged files are detected, backups restore, torn WALs recover",
  requires: (caps) =>
    caps.file && caps.local
      ? undefined
      : "needs a local database file to damage (capabilities.file/local)",
  async run(ctx) {
    const repeats = ctx.pick(2, 12);
    const source = ctx.newPath("source.db");
    const backup = ctx.newPath("backup.db");
    const store = await ctx.open(source);
    const ledger = await fill(ctx, store, ctx.pick(6, 12));
    // Few free pages (later writes free some; the page case skips those).
    if (ctx.capabilities.vacuum) await store.maintenance.vacuum();
    await store.maintenance.backup(backup);
    await ctx.close(store);
    if (((await fileSize(`${source}${WAL_SUFFIX}`)) ?? 0) > 0) {
      ctx.fail("closing the store left a non-empty WAL behind");
    }

    const cases: DamageCase[] = [];
    const kinds: MainFileDamage[] = ["truncate", "page", "header"];
    const walKinds = ["torn", "garbage"] as const;
    const total = 2 * (repeats + 1) + Math.ceil(repeats / 2) + walKinds.length * repeats;
    let done = 0;
    for (const kind of kinds) {
      for (let i = 0; i < (kind === "header" ? Math.ceil(repeats / 2) : repeats + 1); i++) {
        cases.push(await damageAndRestore(ctx, kind, source, backup, ledger, i));
        ctx.progress(++done, total);
      }
    }

    const walPath = ctx.newPath("wal.db");
    const live = await ctx.open(walPath, { pool: { checkpoint: false } });
    const history = await writeWalHistory(ctx, live, walPath, ctx.pick(12, 40));
    const walCases: string[] = [];
    for (const kind of walKinds) {
      for (let i = 0; i < repeats; i++) {
        walCases.push(await damageWal(ctx, history, kind, i));
        ctx.progress(++done, total);
      }
    }
    await ctx.close(live);
    ctx.details.damaged = cases;
    ctx.details.wal = walCases;
    ctx.progress(total, total);
  },
};
