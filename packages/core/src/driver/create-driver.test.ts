import { describe, expect, it } from "vitest";
import type { ConnectionSettings, RawConnection, SqliteAdapter } from "./adapter.js";
import { createDriver } from "./create-driver.js";
import { SqliteError, toSqliteError } from "./errors.js";
import { MAX_BUSY_TIMEOUT_MS } from "./limits.js";
import { fakeRaw } from "./test-support/fake-raw.js";
import type { DriverCapabilities } from "./types.js";

const FILE: DriverCapabilities = {
  local: true,
  remote: false,
  sharedConnections: true,
  file: true,
  onlineBackup: false,
  fts5: true,
  walCheckpoint: true,
  vacuum: true,
};

/** An adapter over the fake raw connection that records what `open` was given. */
function adapter(overrides: Partial<SqliteAdapter> = {}, raw?: RawConnection) {
  const opened: ConnectionSettings[] = [];
  const fake = fakeRaw({ async: false });
  let closed = 0;
  const connection = raw ?? {
    ...fake.raw,
    close: () => {
      closed++;
    },
  };
  const a: SqliteAdapter = {
    name: "fake",
    target: "fake.db",
    localPath: "/tmp/fake.db",
    capabilities: FILE,
    synchronous: true,
    open: (settings) => {
      opened.push(settings);
      return connection;
    },
    mapError: (e) => toSqliteError(e, { code: (e as { code?: string }).code }),
    ...overrides,
  };
  return { adapter: a, opened, log: fake.log, closed: () => closed };
}

describe("createDriver", () => {
  it("applies the pragmas of a file at connect, in one exec, and passes them to open", async () => {
    const { adapter: a, opened, log } = adapter({ tuning: { journalSizeLimitBytes: 1024 } });
    await createDriver(a).connect({ busyTimeoutMs: 1234, durability: "full", cacheSizeKiB: 64 });
    const pragmas = [
      "PRAGMA busy_timeout = 1234",
      "PRAGMA foreign_keys = ON",
      "PRAGMA cache_size = -64",
      "PRAGMA schema_version",
      "PRAGMA journal_mode = WAL",
      "PRAGMA synchronous = FULL",
      "PRAGMA journal_size_limit = 1024",
    ];
    expect(opened).toEqual([{ readonly: false, busyTimeoutMs: 1234, pragmas }]);
    expect(log).toEqual([pragmas.join(";\n")]);
  });

  it("makes a read-only connection query_only and leaves the journal mode to the writer", async () => {
    const { adapter: a, opened } = adapter();
    await createDriver(a).connect({ readonly: true, mmapSizeBytes: 4096 });
    expect(opened[0]?.readonly).toBe(true);
    expect(opened[0]?.pragmas).toEqual([
      "PRAGMA busy_timeout = 5000",
      "PRAGMA foreign_keys = ON",
      "PRAGMA schema_version",
      "PRAGMA mmap_size = 4096",
      "PRAGMA synchronous = NORMAL",
      "PRAGMA journal_size_limit = 67108864",
      "PRAGMA query_only = ON",
    ]);
  });

  it("gives a private in-memory database no file pragmas, and a server none at all", async () => {
    const memory = adapter({ capabilities: { ...FILE, file: false, sharedConnections: false } });
    await createDriver(memory.adapter).connect();
    expect(memory.opened[0]?.pragmas).toEqual([
      "PRAGMA busy_timeout = 5000",
      "PRAGMA foreign_keys = ON",
    ]);
    const remote = adapter({
      capabilities: { ...FILE, local: false, remote: true, file: false },
      localPath: undefined,
    });
    const driver = createDriver(remote.adapter);
    await driver.connect();
    expect(remote.opened[0]?.pragmas).toEqual([]);
    expect(remote.log).toEqual([]);
    expect("localPath" in driver).toBe(false);
  });

  it("refuses bad connect options and bad tuning with MISUSE, before opening anything", async () => {
    const { adapter: a, opened } = adapter();
    const driver = createDriver(a);
    for (const options of [
      { busyTimeoutMs: -1 },
      { busyTimeoutMs: 1.5 },
      { busyTimeoutMs: MAX_BUSY_TIMEOUT_MS + 1 },
      { durability: "fast" as "full" },
      { cacheSizeKiB: 0 },
      { mmapSizeBytes: -1 },
    ]) {
      await expect(driver.connect(options), JSON.stringify(options)).rejects.toMatchObject({
        code: "MISUSE",
        message: expect.stringMatching(/^fake: /),
      });
    }
    expect(opened).toEqual([]);
    expect(() => createDriver({ ...a, tuning: { statementCacheSize: 0 } })).toThrow(SqliteError);
    expect(() => createDriver({ ...a, tuning: { journalSizeLimitBytes: 1.5 } })).toThrow(
      /journalSizeLimitBytes must be an integer >= -1/,
    );
  });

  it("closes a connection whose pragmas fail and reports the adapter's mapped error", async () => {
    const fake = fakeRaw({ async: false, fail: "schema_version", failCode: "NOTADB" });
    let closed = 0;
    const { adapter: a } = adapter({}, { ...fake.raw, close: () => void closed++ });
    await expect(createDriver(a).connect()).rejects.toMatchObject({ code: "NOTADB" });
    expect(closed).toBe(1);
  });

  it("refuses a connection whose backup() and capabilities.onlineBackup disagree", async () => {
    const without = adapter({ capabilities: { ...FILE, onlineBackup: true } });
    await expect(createDriver(without.adapter).connect()).rejects.toMatchObject({
      code: "MISUSE",
      message: expect.stringContaining("onlineBackup is true but the connection has no backup()"),
    });
    expect(without.closed()).toBe(1);
    const fake = fakeRaw({ async: false });
    const withBackup = adapter({}, { ...fake.raw, backup: async () => undefined });
    await expect(createDriver(withBackup.adapter).connect()).rejects.toMatchObject({
      code: "MISUSE",
    });
  });
});
