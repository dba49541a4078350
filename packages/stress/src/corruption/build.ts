import type { Store } from "@llm-sessions/core";
import { Ledger, TagMaker, taggedContent } from "../invariants/index.js";
import type { SuiteContext } from "../suite/context.js";
import { WORDS } from "../workload/index.js";

/**
 * Fills a store with sessions and messages (some long enough for overflow
 * pages, one session archived so snapshots exist) and returns what it was
 * acknowledged.
 */
export async function fill(ctx: SuiteContext, store: Store, sessions: number): Promise<Ledger> {
  const ledger = new Ledger();
  const tags = new TagMaker("f");
  const rng = ctx.rng.derive("fill");
  const ids: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const s = await ctx.timed(() => store.sessions.create({ title: `session ${i}`, model: "m" }));
    ledger.created(s.id);
    ids.push(s.id);
    const appends = rng.int(10, 30);
    for (let a = 0; a < appends; a++) {
      const size = rng.int(1, 4);
      const batch = size > 1 ? tags.batch(size) : null;
      const stored = await ctx.timed(() =>
        store.messages.append(
          s.id,
          Array.from({ length: size }, () => ({
            role: "assistant" as const,
            content: taggedContent(
              tags.tag(),
              batch,
              `${rng.pick(WORDS)} ${"lorem ".repeat(rng.chance(0.1) ? rng.int(800, 2000) : rng.int(0, 60))}`,
            ),
            tokens: rng.int(1, 100),
          })),
        ),
      );
      ledger.appended(s.id, stored);
    }
  }
  const archived = ids[0];
  if (archived) await ctx.timed(() => store.lifecycle.archive(archived));
  return ledger;
}
