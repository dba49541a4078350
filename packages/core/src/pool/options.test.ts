import { describe, expect, it } from "vitest";
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

function rejects(options: unknown, option: string): void {
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

  it.each([
    [{ readers: -1 }, "readers"],
    [{ readers: 1.5 }, "readers"],
    [{ readers: 257 }, "readers"],
    [{ readers: "4" }, "readers"],
    [{ acquireTimeoutMs: 0 }, "acquireTimeoutMs"],
    [{ acquireTimeoutMs: Number.POSITIVE_INFINITY }, "acquireTimeoutMs"],
    [{ acquireTimeoutMs: Number.NaN }, "acquireTimeoutMs"],
    [{ acquireTimeoutMs: 2 ** 31 }, "acquireTimeoutMs"],
    [{ maxWaiting: -1 }, "maxWaiting"],
    [{ idleTimeoutMs: 0 }, "idleTimeoutMs"],
    [{ maxReaderAgeMs: 0 }, "maxReaderAgeMs"],
    [{ validateAfterIdleMs: -5 }, "validateAfterIdleMs"],
    [{ busyTimeoutMs: null }, "busyTimeoutMs"],
    [{ durability: "fast" }, "durability"],
    [{ readonlyReaders: 1 }, "readonlyReaders"],
    [{ busyRetry: { attempts: 0 } }, "busyRetry.attempts"],
    [{ busyRetry: { baseDelayMs: 10, maxDelayMs: 5 } }, "busyRetry.maxDelayMs"],
    [{ busyRetry: true }, "busyRetry"],
    [{ checkpoint: { walPages: 0 } }, "checkpoint.walPages"],
    [{ checkpoint: [] }, "checkpoint"],
    [{ closeTimeoutMs: -1 }, "closeTimeoutMs"],
    [null, "options"],
  ])("rejects %j", (options, option) => {
    rejects(options, option);
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
  it("rejects before opening any connection", async () => {
    const db = new FakeDatabase();
    await expect(Pool.open(db.driver(), { readerz: 2 } as PoolOptions)).rejects.toBeInstanceOf(
      PoolOptionsError,
    );
    expect(db.connections).toHaveLength(0);
  });

  it("rejects something that is not a driver", async () => {
    await expect(Pool.open({} as never)).rejects.toBeInstanceOf(PoolOptionsError);
  });
});
