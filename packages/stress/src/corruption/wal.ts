import type { Message, Store } from "@llm-sessions/core";
import {
  appendGarbage,
  copyDatabase,
  fileSize,
  readPageSize,
  tearWal,
  WAL_SUFFIX,
} from "../faults/index.js";
import { Ledger, listAll, parseContent, TagMaker, taggedContent } from "../invariants/index.js";
import type { SuiteContext } from "../suite/context.js";

/** Transactions committed into the WAL (none checkpointed). */
export interface WalHistory {
  /** The live database (its store still open: nothing was checkpointed). */
  readonly path: string;
  readonly sessionId: string;
  /** Messages of each transaction, in commit order. */
  readonly transactions: Message[][];
  /** The WAL's size after each transaction committed. */
  readonly walSizes: number[];
  readonly pageSize: number;
}

/** WAL damage a crash leaves. */
export type WalDamage = "torn" | "garbage";

/**
 * Commits `count` appends (1–3 messages each) with every checkpoint off,
 * recording the WAL size after each. The store stays open, so the WAL is
 * what a crash right now would leave.
 */
export async function writeWalHistory(
  ctx: SuiteContext,
  store: Store,
  path: string,
  count: number,
): Promise<WalHistory> {
  const rng = ctx.rng.derive("wal-history");
  const tags = new TagMaker("w");
  const session = await ctx.timed(() => store.sessions.create({ title: "wal" }));
  const transactions: Message[][] = [];
  const walSizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const size = rng.int(1, 3);
    const batch = size > 1 ? tags.batch(size) : null;
    const stored = await ctx.timed(() =>
      store.messages.append(
        session.id,
        Array.from({ length: size }, () => ({
          role: "user" as const,
          content: taggedContent(tags.tag(), batch, "x".repeat(rng.int(10, 3000))),
        })),
      ),
    );
    transactions.push(stored);
    walSizes.push((await fileSize(`${path}${WAL_SUFFIX}`)) ?? 0);
  }
  return {
    path,
    sessionId: session.id,
    transactions,
    walSizes,
    pageSize: await readPageSize(path),
  };
}

/**
 * Copies the crash image, damages its WAL, opens it: the store must open
 * clean with exactly the transactions that were whole in the WAL — all of
 * them after a garbage tail, all but the torn last one after a tear.
 */
export async function damageWal(
  ctx: SuiteContext,
  history: WalHistory,
  kind: WalDamage,
  index: number,
): Promise<string> {
  const rng = ctx.rng.derive(`wal-${kind}-${index}`);
  const path = ctx.newPath(`wal-${kind}-${index}.db`);
  await copyDatabase(history.path, path);
  const n = history.transactions.length;
  const sizes = history.walSizes;
  let keep: number;
  let what: string;
  if (kind === "torn") {
    const from = sizes[n - 2] ?? 0;
    const to = sizes[n - 1] ?? 0;
    const at = rng.int(from + 1, to - 1);
    await tearWal(`${path}${WAL_SUFFIX}`, at);
    keep = n - 1;
    what = `WAL torn at byte ${at} (last commit spans ${from}..${to})`;
  } else {
    const length = rng.int(1, 3 * (history.pageSize + 24));
    await appendGarbage(`${path}${WAL_SUFFIX}`, length, { rng });
    keep = n;
    what = `${length} garbage bytes after the WAL's last frame`;
  }
  const ledger = new Ledger();
  ledger.created(history.sessionId);
  for (const tx of history.transactions.slice(0, keep)) ledger.appended(history.sessionId, tx);
  let store: Store;
  try {
    store = await ctx.open(path);
  } catch (error) {
    ctx.fail(`${what}: the database did not open: ${String(error)}`);
    ctx.markVerified();
    return what;
  }
  await ctx.verify(store, ledger, what);
  const expected = history.transactions
    .slice(0, keep)
    .flat()
    .map((m) => m.id);
  const present = (await listAll(store, history.sessionId))
    .filter((m) => parseContent(m.content))
    .map((m) => m.id);
  if (JSON.stringify(present) !== JSON.stringify(expected)) {
    ctx.fail(
      `${what}: expected exactly the first ${keep} of ${n} transactions (${expected.length} messages), found ${present.length} messages`,
    );
  }
  await ctx.close(store);
  return what;
}
