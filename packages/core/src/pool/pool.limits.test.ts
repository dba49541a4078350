import { afterEach, describe, expect, it, vi } from "vitest";
import { LlmSessionsError } from "../errors.js";
import { PoolOverloadedError, PoolTimeoutError } from "./errors.js";
import type { Pool } from "./pool.js";
import { deferred, delay, openFake, settle } from "./test-support/helpers.js";

const pools: Pool[] = [];
async function open(...args: Parameters<typeof openFake>) {
  const opened = await openFake(...args);
  pools.push(opened.pool);
  return opened;
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.allSettled(pools.splice(0).map((p) => p.close({ timeoutMs: 100 })));
});

describe("acquire timeout", () => {
  it("rejects with PoolTimeoutError, removes the waiter, and never runs its fn", async () => {
    const { pool } = await open({ readers: 1, acquireTimeoutMs: 40 });
    const gate = deferred();
    const holder = pool.read(() => gate.promise);
    let ran = false;
    const started = performance.now();
    const error = await pool
      .read(async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect(error).toBeInstanceOf(LlmSessionsError);
    const e = error as PoolTimeoutError;
    expect(e.code).toBe("POOL_TIMEOUT");
    expect(e.lane).toBe("readers");
    expect(e.message).toMatch(/timed out after \d+ ms waiting for a reader connection/);
    expect(e.message).toContain("0 other caller(s) still waiting");
    expect(waited).toBeGreaterThanOrEqual(35);
    expect(pool.stats()).toMatchObject({ waiting: 0, timedOut: 1 });
    gate.resolve();
    await holder;
    await delay(10);
    expect(ran).toBe(false);
    expect(pool.stats().readers.acquired).toBe(1);
  });

  it("reports the queue depth left behind", async () => {
    const { pool } = await open({ acquireTimeoutMs: 30 });
    const gate = deferred();
    const holder = pool.write(() => gate.promise);
    const w1 = pool.write(async () => {}).catch((e: unknown) => e);
    const w2 = pool.write(async () => {}).catch((e: unknown) => e);
    const [e1, e2] = await Promise.all([w1, w2]);
    expect((e1 as PoolTimeoutError).message).toContain("(1 other caller(s)");
    expect((e1 as PoolTimeoutError).queueDepth).toBe(1);
    expect((e2 as PoolTimeoutError).message).toContain("(0 other caller(s)");
    expect((e1 as PoolTimeoutError).lane).toBe("writer");
    expect((e1 as PoolTimeoutError).message).toContain("waiting for the writer connection");
    gate.resolve();
    await holder;
  });

  it("lets the waiters behind a timed-out one keep their FIFO turn", async () => {
    const { pool } = await open({ readers: 1, acquireTimeoutMs: 60 });
    const gate = deferred();
    const holder = pool.read(() => gate.promise);
    const order: string[] = [];
    const a = pool.read(async () => void order.push("a")).catch(() => order.push("a timeout"));
    await delay(30);
    const b = pool.read(async () => void order.push("b"));
    await delay(40); // a has timed out, b has not
    gate.resolve();
    await Promise.all([holder, a, b]);
    expect(order).toEqual(["a timeout", "b"]);
  });
});

describe("maxWaiting", () => {
  it("refuses at once beyond maxWaiting, across both queues", async () => {
    const { pool } = await open({ readers: 1, maxWaiting: 2 });
    const gate = deferred();
    const held = [pool.read(() => gate.promise), pool.write(() => gate.promise)];
    const queued = [pool.read(async () => {}), pool.write(async () => {})];
    await settle();
    expect(pool.stats().waiting).toBe(2);
    let ran = false;
    const error = await pool
      .read(async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    // Refused at once: queued, it would have waited on the held gate (or
    // timed out as PoolTimeoutError), not failed as overloaded.
    expect(error).toBeInstanceOf(PoolOverloadedError);
    expect((error as PoolOverloadedError).code).toBe("POOL_OVERLOADED");
    expect((error as PoolOverloadedError).lane).toBe("readers");
    expect(pool.stats().overloaded).toBe(1);
    gate.resolve();
    await Promise.all([...held, ...queued]);
    expect(ran).toBe(false);
  });

  it("with maxWaiting 0 only free connections are handed out", async () => {
    const { pool } = await open({ maxWaiting: 0 });
    await expect(pool.write(async () => 1)).resolves.toBe(1);
    const gate = deferred();
    const holder = pool.write(() => gate.promise);
    await expect(pool.write(async () => 2)).rejects.toBeInstanceOf(PoolOverloadedError);
    gate.resolve();
    await holder;
  });
});

describe("idle readers", () => {
  it("closes readers idle for idleTimeoutMs and reopens on demand", async () => {
    vi.useFakeTimers();
    const { db, pool } = await open({ readers: 2, idleTimeoutMs: 1_000 });
    const gate = deferred();
    const both = [pool.read(() => gate.promise), pool.read(() => gate.promise)];
    await vi.advanceTimersByTimeAsync(0);
    gate.resolve();
    await Promise.all(both);
    expect(pool.stats().readers.size).toBe(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(pool.stats().readers).toMatchObject({ size: 2, idleClosed: 0 });
    await vi.advanceTimersByTimeAsync(2);
    expect(pool.stats().readers).toMatchObject({ size: 0, idle: 0, idleClosed: 2 });
    expect(db.connections.slice(1).every((c) => c.isClosed)).toBe(true);
    // The writer is never closed for idleness.
    expect(db.connections[0]?.isClosed).toBe(false);
    await pool.read(async () => {});
    expect(pool.stats().readers.size).toBe(1);
    expect(db.connections).toHaveLength(4);
  });

  it("restarts the idle clock on every use", async () => {
    vi.useFakeTimers();
    const { pool } = await open({ readers: 1, idleTimeoutMs: 1_000 });
    for (let i = 0; i < 5; i++) {
      await pool.read(async () => {});
      await vi.advanceTimersByTimeAsync(600);
    }
    expect(pool.stats().readers).toMatchObject({ size: 1, idleClosed: 0 });
    // Last used at 2,400 ms, now 3,000 ms: it closes 1,000 ms after that use, not earlier.
    await vi.advanceTimersByTimeAsync(399);
    expect(pool.stats().readers).toMatchObject({ size: 1, idleClosed: 0 });
    await vi.advanceTimersByTimeAsync(2);
    expect(pool.stats().readers).toMatchObject({ size: 0, idleClosed: 1 });
  });

  it("recycles readers older than maxReaderAgeMs", async () => {
    vi.useFakeTimers();
    const { db, pool } = await open({ readers: 1, maxReaderAgeMs: 1_000, idleTimeoutMs: 60_000 });
    await pool.read(async () => {});
    await vi.advanceTimersByTimeAsync(500);
    // Released at 500 ms (young): kept. Then held past its age: closed on release.
    await pool.read(async () => {
      await vi.advanceTimersByTimeAsync(600);
    });
    expect(pool.stats().readers).toMatchObject({ recycled: 1, size: 0 });
    expect(db.connections[1]?.isClosed).toBe(true);
    await pool.read(async () => {});
    await vi.advanceTimersByTimeAsync(1_500);
    // Aged while idle: replaced at the next checkout.
    await pool.read(async () => {});
    expect(pool.stats().readers.recycled).toBe(2);
    expect(db.connections).toHaveLength(4);
  });
});

describe("validation after idle", () => {
  it("validates a connection idle longer than validateAfterIdleMs, and only then", async () => {
    vi.useFakeTimers();
    const { db, pool } = await open({ readers: 1, validateAfterIdleMs: 1_000 });
    await pool.read((q) => q.get("SELECT a"));
    await vi.advanceTimersByTimeAsync(500);
    await pool.read((q) => q.get("SELECT b"));
    expect(db.work(2)).toEqual(["SELECT a", "SELECT b"]);
    await vi.advanceTimersByTimeAsync(1_000);
    await pool.read((q) => q.get("SELECT c"));
    expect(db.work(2)).toEqual(["SELECT a", "SELECT b", "SELECT 1", "SELECT c"]);
  });

  it("replaces a connection that fails validation, unseen by the caller", async () => {
    const { db, pool } = await open({ readers: 1, validateAfterIdleMs: 0 });
    await pool.read((q) => q.get("SELECT a"));
    db.rule({ match: /^SELECT 1$/, conn: 2, error: "IOERR" });
    await expect(pool.read(async (q) => q.get("SELECT b"))).resolves.toBeUndefined();
    expect(db.work(3)).toEqual(["SELECT b"]);
    expect(db.connections[1]?.isClosed).toBe(true);
    expect(pool.stats().readers.replaced).toBe(1);
  });

  it("validates the writer too", async () => {
    const { db, pool } = await open({ validateAfterIdleMs: 0 });
    db.rule({ match: /^SELECT 1$/, conn: 1, error: "CLOSED" });
    await pool.write((tx) => tx.run("INSERT x"));
    expect(db.work(2)).toEqual(["INSERT x"]);
    expect(pool.stats().writer.replaced).toBe(1);
  });
});

describe("timers", () => {
  it("never keeps the process alive", async () => {
    // Every timer started while the pool works, unref'd or not. (Counting the
    // process's active timers instead would also count other tests' timers
    // that happen to fire meanwhile.)
    const started: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((
      ...args: Parameters<typeof setTimeout>
    ) => {
      const timer = real(...args);
      started.push(timer);
      return timer;
    }) as typeof setTimeout);
    try {
      const { pool } = await open({ readers: 1, checkpoint: { intervalMs: 60_000 } });
      await pool.read(async () => {}); // arms an idle timer
      await pool.write(async () => {}); // measures the WAL
      await pool.write(async () => {}); // arms the trailing WAL check
      await settle();
    } finally {
      spy.mockRestore();
    }
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started.filter((t) => t.hasRef())).toEqual([]);
  });
});
