import { afterEach, describe, expect, it } from "vitest";
import { SqliteError } from "../driver/errors.js";
import type { Queryable } from "../driver/types.js";
import type { Pool } from "./pool.js";
import { openFake, settle } from "./test-support/helpers.js";

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((p) => p.close({ timeoutMs: 100 })));
});

/** One reader and one writer, so a connection that was not given back would leave its lane empty. */
async function open() {
  const opened = await openFake({ readers: 1 });
  pools.push(opened.pool);
  return opened;
}

class Boom extends Error {}

/** A callback that throws before returning a promise (a plain function, not an async one). */
const throwsAtOnce = (): Promise<never> => {
  throw new Boom("thrown");
};
/** A callback whose promise rejects after it ran a statement. */
const rejectsLater = async (q: Queryable): Promise<never> => {
  await q.get("SELECT 1");
  throw new Boom("rejected");
};

type Path = (pool: Pool, fn: (q: Queryable) => Promise<unknown>) => Promise<unknown>;
const PATHS: [string, Path][] = [
  ["read", (pool, fn) => pool.read(fn)],
  ["readSnapshot", (pool, fn) => pool.readSnapshot(fn)],
  ["withWriter", (pool, fn) => pool.withWriter(fn)],
  ["withWriter (drainReaders)", (pool, fn) => pool.withWriter(fn, { drainReaders: true })],
];

describe("a borrowed connection is given back however the callback ends", () => {
  it.each(PATHS)(
    "%s: throw and reject, again and again; the pool stays usable",
    async (_, path) => {
      const { db, pool } = await open();
      const rounds = 5;
      for (let i = 0; i < rounds; i++) {
        for (const fn of [throwsAtOnce, rejectsLater]) {
          await expect(path(pool, fn)).rejects.toBeInstanceOf(Boom);
          const s = pool.stats();
          expect(s.busy).toBe(0);
          expect(s.waiting).toBe(0);
          expect(s.readers.busy + s.writer.busy).toBe(0);
        }
      }
      // Every failure borrowed and returned a connection; none was lost or replaced.
      const s = pool.stats();
      expect(s.readers.acquired + s.writer.acquired).toBe(rounds * 2);
      expect(s.replaced).toBe(0);
      expect(db.openConnections()).toBe(s.size);
      expect(s.size).toBeLessThanOrEqual(2);
      // And the same path works afterwards.
      const works = async (q: Queryable): Promise<string> => {
        await q.get("SELECT 1");
        return "ok";
      };
      await expect(path(pool, works)).resolves.toBe("ok");
      expect(pool.stats().busy).toBe(0);
    },
  );

  it.each([
    ["ERROR", 0],
    ["IOERR", 3],
  ] as const)(
    "a checkpoint that fails with %s gives the writer back (%i replaced)",
    async (code, replaced) => {
      const { db, pool } = await open();
      db.rule({ match: "wal_checkpoint(TRUNCATE)", error: code, times: 3 });
      for (let i = 0; i < 3; i++) {
        await expect(pool.checkpoint("TRUNCATE")).rejects.toBeInstanceOf(SqliteError);
        expect(pool.stats().writer.busy).toBe(0);
        expect(pool.stats().readers.busy).toBe(0);
      }
      expect(pool.stats().writer.replaced).toBe(replaced);
      await expect(pool.checkpoint("TRUNCATE")).resolves.toMatchObject({ mode: "TRUNCATE" });
      await expect(pool.write(async (tx) => tx.run("INSERT 1"))).resolves.toBeDefined();
      expect(pool.stats().busy).toBe(0);
    },
  );

  it("a drained withWriter that fails lets readers in again", async () => {
    const { pool } = await open();
    await expect(pool.withWriter(rejectsLater, { drainReaders: true })).rejects.toBeInstanceOf(
      Boom,
    );
    // Had the readers stayed held back, this read would queue instead of running.
    let ran = false;
    const read = pool.read(async () => {
      ran = true;
    });
    await settle();
    expect(ran).toBe(true);
    expect(pool.stats().readers.waiting).toBe(0);
    await read;
    expect(pool.stats().readers).toMatchObject({ busy: 0, waiting: 0 });
  });
});
