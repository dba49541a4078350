import { describe, expect, it } from "vitest";
import { MAX_BUSY_TIMEOUT_MS } from "./driver/limits.js";
import type { ConnectOptions, SqliteDriver } from "./driver/types.js";
import { ValidationError } from "./errors.js";
import { FakeDatabase } from "./pool/test-support/fake-driver.js";
import { openStore } from "./store.js";

/** A driver that records what it was asked to open and opens nothing. */
function recordingDriver(): { driver: SqliteDriver; asked: (ConnectOptions | undefined)[] } {
  const asked: (ConnectOptions | undefined)[] = [];
  const base = new FakeDatabase().driver();
  const driver: SqliteDriver = {
    name: base.name,
    target: base.target,
    capabilities: base.capabilities,
    connect: (options) => {
      asked.push(options);
      return Promise.reject(new Error("the test opens nothing"));
    },
  };
  return { driver, asked };
}

describe("openStore busyTimeoutMs", () => {
  it("is capped at 2^31 - 1, the project's one busy-timeout cap", () => {
    expect(MAX_BUSY_TIMEOUT_MS).toBe(2 ** 31 - 1);
  });

  it("accepts the cap and passes it to the connection", async () => {
    const { driver, asked } = recordingDriver();
    const error = await openStore({ driver, busyTimeoutMs: MAX_BUSY_TIMEOUT_MS }).catch(
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(ValidationError);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.busyTimeoutMs).toBe(MAX_BUSY_TIMEOUT_MS);
  });

  it.each([MAX_BUSY_TIMEOUT_MS + 1, -1, 1.5])(
    "refuses %d with a ValidationError before anything is opened",
    async (busyTimeoutMs) => {
      const { driver, asked } = recordingDriver();
      const error = await openStore({ driver, busyTimeoutMs }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["busyTimeoutMs"]);
      expect(asked).toHaveLength(0);
    },
  );
});
