import { describe, expect, it } from "vitest";
import { libsql } from "./index.js";

describe("libsql() options of an embedded replica (syncUrl)", () => {
  it.each([
    [{ url: ":memory:", syncUrl: "http://h:8080" }, /needs a local file/],
    [{ url: "http://h:8080", syncUrl: "http://h:8080" }, /needs a local file/],
    [{ url: "file:r.db", syncUrl: "ws://h:8080" }, /http:\/\/, https:\/\/ or libsql:\/\//],
    [{ url: "file:r.db", syncUrl: "h:8080" }, /http:\/\/, https:\/\/ or libsql:\/\//],
    [{ url: "file:r.db", syncUrl: 8080 }, /syncUrl must be a string/],
    [{ url: "file:r.db", syncUrl: "http://h", encryptionKey: "k" }, /encryptionKey/],
    [{ url: "file:r.db", syncIntervalMs: 100 }, /syncIntervalMs needs syncUrl/],
    [{ url: "file:r.db", syncUrl: "http://h", syncIntervalMs: 0 }, /positive integer/],
    [{ url: "file:r.db", syncUrl: "http://h", syncIntervalMs: 1.5 }, /positive integer/],
  ])("rejects %j with MISUSE", (options, message) => {
    expect(() => libsql(options as never)).toThrow(message);
    expect(() => libsql(options as never)).toThrow(expect.objectContaining({ code: "MISUSE" }));
  });

  it("never repeats a syncUrl it refuses (it may carry credentials)", () => {
    expect(() => libsql({ url: "file:r.db", syncUrl: "ftp://user:secret@h" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret") }),
    );
  });

  it("is a server target for the store (written on the primary), named with its primary without credentials", () => {
    const driver = libsql({
      url: "file:r.db",
      syncUrl: "https://user:pw@db.example.com?authToken=secret",
      syncIntervalMs: 1000,
    });
    expect(driver.target).toBe("file:r.db (replica of https://db.example.com)");
    expect(driver.capabilities).toMatchObject({
      local: false,
      remote: true,
      file: false,
      sharedConnections: true,
      walCheckpoint: false,
      vacuum: false,
      onlineBackup: false,
      queuesWriters: true,
      beginsLazily: true,
      refusesTextWithNul: true,
    });
  });
});
