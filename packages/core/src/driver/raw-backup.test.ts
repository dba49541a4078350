import { describe, expect, it } from "vitest";
import type { RawBackupOptions, RawConnection } from "./adapter.js";
import { SqliteError } from "./errors.js";
import { withBackupHold } from "./raw-backup.js";
import { fakeRaw } from "./test-support/fake-raw.js";

/** A fake connection whose backup reports once, then waits for `finish()`. */
function withFakeBackup(driverError: unknown = new Error("driver: callback threw")) {
  const fake = fakeRaw({ async: false });
  let finish = (): void => {};
  let given: RawBackupOptions | undefined;
  const raw: RawConnection = {
    ...fake.raw,
    backup: async (_destination, options) => {
      given = options;
      try {
        options.onProgress?.({ totalPages: 2, remainingPages: 1 });
      } catch {
        // A driver may reject with an error of its own rather than the callback's.
        throw driverError;
      }
      await new Promise<void>((resolve) => (finish = resolve));
    },
  };
  return {
    wrapped: withBackupHold(raw),
    log: fake.log,
    finish: () => finish(),
    given: () => given,
  };
}

describe("withBackupHold", () => {
  it("returns a connection without backup as it is", () => {
    const { raw } = fakeRaw({ async: false });
    expect(withBackupHold(raw)).toBe(raw);
  });

  it("rejects with ABORT, cause kept, when onProgress throws, whatever the driver rejects with", async () => {
    const { wrapped } = withFakeBackup();
    const boom = new Error("stop");
    const error = await wrapped
      .backup?.("copy.db", {
        onProgress: () => {
          throw boom;
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteError);
    expect(error).toMatchObject({ code: "ABORT", cause: boom });
  });

  it("lets calls through during a copy until holdCalls, then holds them until the backup settles", async () => {
    const { wrapped, log, finish, given } = withFakeBackup();
    const backup = wrapped.backup?.("copy.db", {});
    expect(wrapped.exec("before hold")).toBeUndefined();
    expect(log).toEqual(["before hold"]);
    given()?.holdCalls?.();
    given()?.holdCalls?.();
    const held = [
      wrapped.exec("held exec"),
      wrapped.prepare("held run").run(),
      wrapped.begin("immediate"),
    ];
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log).toEqual(["before hold"]);
    finish();
    await backup;
    await Promise.all(held);
    expect(log).toEqual(["before hold", "held exec", "held run", "BEGIN immediate"]);
    // Released: calls answer synchronously again.
    expect(wrapped.exec("after")).toBeUndefined();
  });
});
