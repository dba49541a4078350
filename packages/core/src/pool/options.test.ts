import { describe, expect, it } from "vitest";
import { MAX_BUSY_TIMEOUT_MS } from "../driver/limits.js";
import { LlmSessionsError } from "../errors.js";
import { PoolOptionsError } from "./errors.js";
import { POOL_DEFAULTS, type PoolOptions, resolvePoolOptions } from "./options.js";
import { Pool } from "./pool.js";
import {
  FakeDatabase,
  MEMORY_CAPABILITIES,
  REMOTE_CAPABILITIES,
} from "./test-support/fake-driver.js";

const FILE = new FakeDatabase().driver().capabilities;

function rejects(options: unknown, option: string): PoolOptionsError {
  let caught: unknown;
  try {
    resolvePoolOptions(options as PoolOptions, FILE);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PoolOptionsError);
  expect(caught).toBeInstanceOf(LlmSessionsError);
  expect((caught as PoolOptionsError).code).toBe("POOL_OPTIONS");
  expect((caught as PoolOptionsError).option).toBe(option);
  return caught as PoolOptionsError;
}

describe("resolvePoolOptions", () => {
  it("fills in explicit, finite defaults", () => {
    const o = resolvePoolOptions(undefined, FILE);
    expect(o).toEqual(POOL_DEFAULTS);
    for (const value of Object.values(o)) {
      if (typeof value === "number") expect(Number.isFinite(value)).toBe(true);
    }
    expect(o.acquireTimeoutMs).toBe(5_000);
    expect(o.maxWaiting).toBe(1_000);
    expect(o.readers).toBe(4);
  });

  it("treats undefined values as the default (spread-friendly)", () => {
    expect(resolvePoolOptions({ readers: undefined, busyRetry: undefined }, FILE)).toEqual(
      POOL_DEFAULTS,
    );
  });

  it("keeps given values and fills nested defaults", () => {
    const o = resolvePoolOptions(
      { readers: 2, busyRetry: { attempts: 3 }, checkpoint: { walPages: 50 } },
      FILE,
    );
    expect(o.readers).toBe(2);
    expect(o.busyRetry).toEqual({ attempts: 3, baseDelayMs: 5, maxDelayMs: 250 });
    expect(o.checkpoint).toEqual({ walPages: 50, intervalMs: 1_000, drainTimeoutMs: 100 });
  });

  it("rejects unknown keys, top-level and nested, naming them", () => {
    rejects({ reader: 4 }, "reader");
    rejects({ busyRetry: { retries: 3 } }, "busyRetry.retries");
    rejects({ checkpoint: { pages: 3 } }, "checkpoint.pages");
  });

  const TIMER = "an integer from 1 to 2147483647";
  it.each([
    [{ readers: -1 }, "readers", "must be an integer from 0 to 256, got -1"],
    [{ readers: 1.5 }, "readers", "must be an integer from 0 to 256, got 1.5"],
    [{ readers: 257 }, "readers", "must be an integer from 0 to 256, got 257"],
    [{ readers: "4" }, "readers", 'must be an integer from 0 to 256, got "4"'],
    [{ acquireTimeoutMs: 0 }, "acquireTimeoutMs", `must be ${TIMER}, got 0`],
    [
      { acquireTimeoutMs: Number.POSITIVE_INFINITY },
      "acquireTimeoutMs",
      `must be ${TIMER}, got Infinity`,
    ],
    [{ acquireTimeoutMs: Number.NaN }, "acquireTimeoutMs", `must be ${TIMER}, got NaN`],
    [{ acquireTimeoutMs: 2 ** 31 }, "acquireTimeoutMs", `must be ${TIMER}, got 2147483648`],
    [{ maxWaiting: -1 }, "maxWaiting", "must be an integer from 0 to 10000000, got -1"],
    [{ idleTimeoutMs: 0 }, "idleTimeoutMs", `must be ${TIMER}, got 0`],
    [{ maxReaderAgeMs: 0 }, "maxReaderAgeMs", `must be ${TIMER}, got 0`],
    [
      { validateAfterIdleMs: -5 },
      "validateAfterIdleMs",
      "must be an integer from 0 to 2147483647, got -5",
    ],
    [{ busyTimeoutMs: null }, "busyTimeoutMs", "must be an integer from 0 to 2147483647, got null"],
    [
      { busyTimeoutMs: 2 ** 31 },
      "busyTimeoutMs",
      "must be an integer from 0 to 2147483647, got 2147483648",
    ],
    [{ durability: "fast" }, "durability", 'must be one of "normal", "full", got "fast"'],
    [{ readonlyReaders: 1 }, "readonlyReaders", "must be true or false, got 1"],
    [{ readerCacheKiB: -1 }, "readerCacheKiB", "must be an integer from 0 to 1073741824, got -1"],
    [
      { mmapSizeBytes: 2 ** 40 + 1 },
      "mmapSizeBytes",
      "must be an integer from 0 to 1099511627776, got 1099511627777",
    ],
    [
      { busyRetry: { attempts: 0 } },
      "busyRetry.attempts",
      "must be an integer from 1 to 100, got 0",
    ],
    [
      { busyRetry: { baseDelayMs: 60_001 } },
      "busyRetry.baseDelayMs",
      "must be an integer from 0 to 60000, got 60001",
    ],
    [
      { busyRetry: { maxDelayMs: "250" } },
      "busyRetry.maxDelayMs",
      'must be an integer from 0 to 60000, got "250"',
    ],
    [
      { busyRetry: { baseDelayMs: 10, maxDelayMs: 5 } },
      "busyRetry.maxDelayMs",
      "must be at least busyRetry.baseDelayMs (10), got 5",
    ],
    [{ busyRetry: true }, "busyRetry", "must be false or an object, got true"],
    [
      { checkpoint: { walPages: 0 } },
      "checkpoint.walPages",
      "must be an integer from 1 to 1000000000, got 0",
    ],
    [
      { checkpoint: { intervalMs: -1 } },
      "checkpoint.intervalMs",
      "must be an integer from 0 to 2147483647, got -1",
    ],
    [
      { checkpoint: { drainTimeoutMs: 0.5 } },
      "checkpoint.drainTimeoutMs",
      "must be an integer from 0 to 2147483647, got 0.5",
    ],
    [{ checkpoint: [] }, "checkpoint", "must be false or an object, got an array"],
    [{ closeTimeoutMs: -1 }, "closeTimeoutMs", "must be an integer from 0 to 2147483647, got -1"],
    [null, "options", "must be an object, got null"],
    [7, "options", "must be an object, got 7"],
  ])("rejects %j with a message naming the option and the rule", (options, option, message) => {
    const error = rejects(options, option);
    expect(error.message).toBe(`pool option ${option}: ${message}`);
  });

  it("names the known keys when one is unknown", () => {
    expect(rejects({ reader: 4 }, "reader").message).toContain(
      "unknown option (known: readers, acquireTimeoutMs,",
    );
    expect(rejects({ busyRetry: { retries: 3 } }, "busyRetry.retries").message).toBe(
      "pool option busyRetry.retries: unknown option (known: busyRetry.attempts, busyRetry.baseDelayMs, busyRetry.maxDelayMs)",
    );
  });

  it("refuses options whose getter throws, as a PoolOptionsError", () => {
    const options = {
      get readers(): number {
        throw new Error("boom");
      },
    };
    expect(rejects(options, "options").message).toContain("could not be read: boom");
  });

  it("accepts the busy-timeout cap, 2^31 - 1, and nothing above it", () => {
    expect(MAX_BUSY_TIMEOUT_MS).toBe(2 ** 31 - 1);
    const o = resolvePoolOptions({ busyTimeoutMs: MAX_BUSY_TIMEOUT_MS }, FILE);
    expect(o.busyTimeoutMs).toBe(MAX_BUSY_TIMEOUT_MS);
    rejects({ busyTimeoutMs: MAX_BUSY_TIMEOUT_MS + 1 }, "busyTimeoutMs");
  });

  it("raises the default delay cap with a base above it", () => {
    expect(resolvePoolOptions({ busyRetry: { baseDelayMs: 400 } }, FILE).busyRetry).toEqual({
      attempts: 6,
      baseDelayMs: 400,
      maxDelayMs: 400,
    });
  });

  it("forces readers to 0 for a private :memory: database", () => {
    expect(resolvePoolOptions({ readers: 8 }, MEMORY_CAPABILITIES).readers).toBe(0);
  });

  it("turns the WAL guard off where there is no WAL to guard, but still validates it", () => {
    expect(resolvePoolOptions({}, MEMORY_CAPABILITIES).checkpoint).toBe(false);
    expect(resolvePoolOptions({}, REMOTE_CAPABILITIES).checkpoint).toBe(false);
    expect(resolvePoolOptions({ checkpoint: false }, FILE).checkpoint).toBe(false);
    expect(() =>
      resolvePoolOptions({ checkpoint: { walPage: 1 } } as PoolOptions, REMOTE_CAPABILITIES),
    ).toThrow(PoolOptionsError);
  });

  it("busyRetry: false means a single attempt", () => {
    expect(resolvePoolOptions({ busyRetry: false }, FILE).busyRetry.attempts).toBe(1);
  });
});

describe("Pool.open with bad options", () => {
  it.each([
    [{ readerz: 2 }, "readerz"],
    [{ readers: -1 }, "readers"],
    [{ busyTimeoutMs: 2 ** 31 }, "busyTimeoutMs"],
    [{ durability: "off" }, "durability"],
    [{ mmapSizeBytes: -1 }, "mmapSizeBytes"],
    [{ busyRetry: { attempts: 101 } }, "busyRetry.attempts"],
    [{ checkpoint: { walPages: 0 } }, "checkpoint.walPages"],
  ])("rejects %j before opening any connection", async (options, option) => {
    const db = new FakeDatabase();
    const error = await Pool.open(db.driver(), options as PoolOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolOptionsError);
    expect((error as PoolOptionsError).option).toBe(option);
    expect(db.connections).toHaveLength(0);
  });

  it("opens with the busy-timeout cap and passes it to every connection", async () => {
    const db = new FakeDatabase();
    const pool = await Pool.open(db.driver(), { busyTimeoutMs: MAX_BUSY_TIMEOUT_MS });
    expect(pool.options.busyTimeoutMs).toBe(MAX_BUSY_TIMEOUT_MS);
    expect(db.connectOptions[0]?.busyTimeoutMs).toBe(MAX_BUSY_TIMEOUT_MS);
    await pool.close();
  });

  it("rejects something that is not a driver", async () => {
    await expect(Pool.open({} as never)).rejects.toBeInstanceOf(PoolOptionsError);
  });
});
