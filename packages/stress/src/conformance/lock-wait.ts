import type { SqliteConnection } from "@llm-sessions/core/driver";
import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { gate } from "./helpers.js";

/**
 * Waiting for another connection's write lock must not stop this process:
 * when the holder is in the same process (a second store on the file, a
 * transaction that awaits between statements), a wait that blocked the event
 * loop would keep the holder from finishing, and always run out.
 */

/** Holds `a`'s write lock until a later turn of the event loop, while `wait` asks `b` for it. */
async function holdWhile<T>(
  a: SqliteConnection,
  wait: () => Promise<T>,
): Promise<{ waited: PromiseSettledResult<T>; holder: PromiseSettledResult<void> }> {
  const holding = gate();
  const release = gate();
  const holder = a.transaction("immediate", async (tx) => {
    await tx.run("INSERT INTO t VALUES (1)");
    holding.open();
    await release.promise;
    await tx.run("INSERT INTO t VALUES (2)");
  });
  await holding.promise;
  const waiting = wait();
  // Not a sleep: the holder lets go on the next turn of the event loop, which
  // comes only if the waiter does not block it.
  setImmediate(() => release.open());
  const [held, waited] = await Promise.allSettled([holder, waiting]);
  return { waited, holder: held };
}

export const lockWaitTests: readonly ConformanceTest[] = [
  defineTest(
    "lock-wait.same-process",
    "a transaction or batch waiting for a write lock held in the same process lets the holder finish, then runs, and keeps its busy timeout",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const a = await ctx.connect();
      await a.exec("CREATE TABLE t (x INTEGER)");
      if (!caps.sharedConnections || caps.remote) {
        // Complementary: a private database has no other holder, and a server's locks are
        // not this process's; both transactions run one after the other.
        await a.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES (1)"));
        await a.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES (2)"));
        expect(await a.all("SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
        return;
      }
      const b = await ctx.connect({ busyTimeoutMs: 4000 });
      const tx = await holdWhile(a, () =>
        b.transaction("immediate", async (t) => {
          await t.run("INSERT INTO t VALUES (3)");
          return t.all("SELECT x FROM t ORDER BY x");
        }),
      );
      expect(tx.holder.status, "the holder committed").toBe("fulfilled");
      expect(tx.waited, "the waiting transaction ran after it").toEqual({
        status: "fulfilled",
        value: [{ x: 1 }, { x: 2 }, { x: 3 }],
      });
      const batch = await holdWhile(a, () =>
        b.batch([{ sql: "INSERT INTO t VALUES (4)" }, { sql: "INSERT INTO t VALUES (5)" }]),
      );
      expect(batch.holder.status).toBe("fulfilled");
      expect(batch.waited.status, "the waiting batch ran after it").toBe("fulfilled");
      expect(await b.all("SELECT x FROM t ORDER BY x")).toEqual(
        [1, 2, 3, 1, 2, 4, 5].sort().map((x) => ({ x })),
      );
      expect(await b.inTransaction()).toBe(false);
      expect(Object.values((await b.get("PRAGMA busy_timeout")) ?? {})).toEqual([4000]);
    },
  ),
];
