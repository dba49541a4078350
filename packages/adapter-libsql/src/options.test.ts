import { describe, expect, it } from "vitest";
import { libsql } from "./index.js";

describe("libsql() options", () => {
  it.each([
    [{ url: "router.db" }, /file:<path>/],
    [{ url: "" }, /non-empty string/],
    [{ url: "postgres://x" }, /file:<path>/],
    [{ url: "file:x.db", journalSizeLimitBytes: 1.5 }, /journalSizeLimitBytes/],
    [{ url: "file:x.db", journalSizeLimitBytes: -2 }, /journalSizeLimitBytes/],
    [{ url: "file:x.db", filename: "x" }, /unknown option "filename"/],
    [{ url: "file:x.db", engine: "client" }, /unknown option "engine"/],
    [{ url: "https://db.example.com", encryptionKey: "k" }, /only supported for local files/],
    [{ url: "file:x.db", authToken: 1 }, /authToken must be a string/],
  ])("rejects %j with MISUSE", (options, message) => {
    expect(() => libsql(options as never)).toThrow(message);
    expect(() => libsql(options as never)).toThrow(expect.objectContaining({ code: "MISUSE" }));
  });

  it("accepts every URL kind and derives the capabilities from it", () => {
    const file = libsql({ url: "file:router.db" });
    expect(file.name).toBe("libsql");
    expect(file.target).toBe("file:router.db");
    expect(file.capabilities).toMatchObject({
      local: true,
      remote: false,
      file: true,
      sharedConnections: true,
      walCheckpoint: true,
      vacuum: true,
      onlineBackup: false,
      refusesTextWithNul: true,
    });
    for (const url of [":memory:", "file::memory:"]) {
      expect(libsql({ url }).capabilities).toMatchObject({
        local: true,
        file: false,
        sharedConnections: false,
      });
    }
    for (const url of ["http://h:8080", "https://h", "ws://h", "wss://h", "libsql://h"]) {
      expect(libsql({ url }).capabilities).toMatchObject({ local: false, remote: true });
    }
  });

  it("keeps credentials out of target", () => {
    expect(libsql({ url: "https://user:pw@db.example.com/x?authToken=secret" }).target).toBe(
      "https://db.example.com/x",
    );
  });

  it("checks the pool's connect options", async () => {
    const driver = libsql({ url: ":memory:" });
    await expect(driver.connect({ busyTimeoutMs: -1 })).rejects.toMatchObject({ code: "MISUSE" });
    await expect(driver.connect({ durability: "fast" as never })).rejects.toMatchObject({
      code: "MISUSE",
    });
  });

  it("rejects a local URL with a query, a fragment or a host with MISUSE", () => {
    for (const url of [
      "file:x.db?mode=ro",
      "file:x.db#f",
      "file://host/x.db",
      "file::memory:?cache=shared",
    ]) {
      expect(() => libsql({ url })).toThrow(expect.objectContaining({ code: "MISUSE" }));
    }
  });

  it("refuses a bad statementCacheSize", () => {
    for (const statementCacheSize of [0, 1.5, -1]) {
      expect(() => libsql({ url: ":memory:", statementCacheSize })).toThrow(/statementCacheSize/);
    }
  });
});
