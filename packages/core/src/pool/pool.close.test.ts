import { describe, expect, it, vi } from "vitest";
import { SqliteError } from "../driver/errors.js";
import { PoolClosedError, PoolCloseTimeoutError, PoolOptionsError } from "./errors.js";
import { deferred, delay, openFake, settle } from "./test-support/helpers.js";

describe("close", () => {
  it("refuses new work at once, lets running and queued work finish, then closes everything", async () => {
    const { db, pool } = await openFake({ readers: 2 });
    const gate = deferred();
    const done: string[] = [];
    const running = pool.write(async (tx) => {
      await gate.promise;
      await tx.run("INSERT running");
      done.push("running");
    });
    const queuedWrite = pool.write(async () => void done.push("queued write"));
    const runningRead = pool.read(async () => {
      await gate.promise;
      done.push("read");
    });
    await settle();
    const closing = pool.close();
    expect(pool.closed).toBe(true);
    await expect(pool.write(async () => {})).rejects.toBeInstanceOf(PoolClosedError);
    await expect(pool.read(async () => {})).rejects.toBeInstanceOf(PoolClosedError);
    await expect(pool.readSnapshot(async () => {})).rejects.toMatchObject({ code: "POOL_CLOSED" });
    await expect(pool.withWriter(async () => {})).rejects.toBeInstanceOf(PoolClosedError);
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    await delay(10);
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    await Promise.all([running, queuedWrite, runningRead]);
    expect(done.sort()).toEqual(["queued write", "read", "running"]);
    expect(db.openConnections()).toBe(0);
    expect(pool.stats()).toMatchObject({ size: 0, busy: 0, waiting: 0, closed: true });
  });

  it("returns the same promise on a second call", async () => {
    const { pool } = await openFake();
    const first = pool.close();
    expect(pool.close()).toBe(first);
    expect(pool.close({ timeoutMs: 1 })).toBe(first);
    await first;
  });

  it("lets running callbacks use the pool while it drains", async () => {
    const { pool } = await openFake({ readers: 1 });
    const gate = deferred();
    const outer = pool.write(async () => {
      await gate.promise;
      return pool.read(async () => "nested read");
    });
    await settle();
    const closing = pool.close();
    gate.resolve();
    await expect(outer).resolves.toBe("nested read");
    await closing;
  });

  it("at the deadline: rejects queued callers, closes connections, rejects with PoolCloseTimeoutError", async () => {
    const { db, pool } = await openFake({ readers: 1 });
    await pool.read(async () => {}); // an idle reader
    const stuck = deferred();
    let queuedRan = false;
    const running = pool.withWriter(async (conn) => {
      await stuck.promise;
      return conn.get("SELECT after close");
    });
    const queued = pool
      .write(async () => {
        queuedRan = true;
      })
      .catch((e: unknown) => e);
    await settle();
    const started = performance.now();
    const error = await pool.close({ timeoutMs: 50 }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(error).toBeInstanceOf(PoolCloseTimeoutError);
    expect(error).toMatchObject({ code: "POOL_CLOSE_TIMEOUT", inFlight: 1, queued: 1 });
    expect(await queued).toBeInstanceOf(PoolClosedError);
    expect(queuedRan).toBe(false);
    // The idle reader is closed; the writer, still lent out, is closing.
    expect(db.connections[1]?.isClosed).toBe(true);
    stuck.resolve();
    const late = await running.catch((e: unknown) => e);
    expect(late).toBeInstanceOf(SqliteError);
    expect((late as SqliteError).code).toBe("CLOSED");
    await settle();
    expect(db.openConnections()).toBe(0);
    expect(queuedRan).toBe(false);
  });

  it("wakes a write asleep in BUSY backoff when the deadline passes", async () => {
    const { db, pool } = await openFake({
      // A backoff far longer than the test's timeout: only the close can end it.
      busyRetry: { attempts: 10, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    db.rule({ match: "BEGIN IMMEDIATE", error: "BUSY" });
    const write = pool.write(async () => {}).catch((e: unknown) => e);
    await delay(10);
    await expect(pool.close({ timeoutMs: 20 })).rejects.toBeInstanceOf(PoolCloseTimeoutError);
    const error = await write;
    expect(error).toBeInstanceOf(PoolClosedError);
    expect(db.openConnections()).toBe(0);
  });

  it("clears every timer", async () => {
    vi.useFakeTimers();
    try {
      const { pool } = await openFake({ readers: 2, checkpoint: { intervalMs: 60_000 } });
      await pool.read(async () => {});
      await pool.write(async () => {});
      await pool.write(async () => {});
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      await pool.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("validates its options", async () => {
    const { pool } = await openFake();
    await expect(pool.close({ timeoutMs: -1 })).rejects.toBeInstanceOf(PoolOptionsError);
    await expect(pool.close({ timeout: 5 } as never)).rejects.toBeInstanceOf(PoolOptionsError);
    expect(pool.closed).toBe(false);
    await pool.close();
  });
});
