import fs from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { betterSqlite } from "./driver.js";
import { useConnections } from "./test-support/open.js";
import { useTempDir } from "./test-support/temp-dir.js";

const tmp = useTempDir();
const conns = useConnections();

async function pragma(conn: { get(sql: string): Promise<unknown> }, name: string) {
  const row = (await conn.get(`PRAGMA ${name}`)) as Record<string, unknown>;
  return Object.values(row)[0];
}

describe("pragmas on every connection", () => {
  it("applies foreign_keys, busy_timeout, WAL, synchronous NORMAL and journal_size_limit to each file connection", async () => {
    const filename = tmp.file();
    // The first connection switches the file to WAL; the second finds it so.
    for (const conn of [await conns.open({ filename }), await conns.open({ filename })]) {
      expect(await pragma(conn, "foreign_keys")).toBe(1);
      expect(await pragma(conn, "busy_timeout")).toBe(5000);
      expect(await pragma(conn, "journal_mode")).toBe("wal");
      expect(await pragma(conn, "synchronous")).toBe(1); // NORMAL
      expect(await pragma(conn, "journal_size_limit")).toBe(64 * 1024 * 1024);
    }
  });

  it("sends each pragma itself (the bundled build's defaults would hide a missing one)", async () => {
    // better-sqlite3 is compiled with foreign keys on and WAL connections at
    // NORMAL; a custom nativeBinding may not be, so the adapter must not rely on it.
    const filename = tmp.file();
    for (let i = 0; i < 2; i++) {
      const seen: unknown[] = [];
      // exec hands verbose each statement of the script, with its ";".
      await conns.open({ filename, verbose: (sql) => seen.push(String(sql).replace(/;$/, "")) });
      expect(seen).toEqual(
        expect.arrayContaining([
          "PRAGMA busy_timeout = 5000",
          "PRAGMA foreign_keys = ON",
          "PRAGMA journal_mode = WAL",
          "PRAGMA synchronous = NORMAL",
          `PRAGMA journal_size_limit = ${64 * 1024 * 1024}`,
        ]),
      );
    }
  });

  it("sets synchronous FULL on every connection when durability is full", async () => {
    const filename = tmp.file();
    const driver = betterSqlite({ filename });
    const a = await driver.connect({ durability: "full" });
    const b = await driver.connect({ durability: "full" });
    const c = await driver.connect({ durability: "normal" });
    try {
      expect(await pragma(a, "synchronous")).toBe(2);
      expect(await pragma(b, "synchronous")).toBe(2);
      expect(await pragma(c, "synchronous")).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it("passes busyTimeoutMs and journalSizeLimitBytes through", async () => {
    const conn = await conns.open(
      { filename: tmp.file(), journalSizeLimitBytes: 1024 },
      { busyTimeoutMs: 1234 },
    );
    expect(await pragma(conn, "busy_timeout")).toBe(1234);
    expect(await pragma(conn, "journal_size_limit")).toBe(1024);
  });

  it("sets the page cache when cacheSizeKiB is given, and keeps better-sqlite3's 16 MiB otherwise", async () => {
    const filename = tmp.file();
    expect(await pragma(await conns.open({ filename }, { cacheSizeKiB: 512 }), "cache_size")).toBe(
      -512,
    );
    expect(await pragma(await conns.open({ filename }), "cache_size")).toBe(-16000);
    const driver = betterSqlite({ filename });
    for (const cacheSizeKiB of [0, -1, 1.5]) {
      await expect(driver.connect({ cacheSizeKiB })).rejects.toMatchObject({ code: "MISUSE" });
    }
  });

  it("maps the file when mmapSizeBytes is given, and not otherwise", async () => {
    const filename = tmp.file();
    expect(
      await pragma(await conns.open({ filename }, { mmapSizeBytes: 1 << 20 }), "mmap_size"),
    ).toBe(1 << 20);
    expect(await pragma(await conns.open({ filename }), "mmap_size")).toBe(0);
    const driver = betterSqlite({ filename });
    for (const mmapSizeBytes of [-1, 1.5]) {
      await expect(driver.connect({ mmapSizeBytes })).rejects.toMatchObject({ code: "MISUSE" });
    }
  });

  it("turns foreign keys on for :memory: and leaves its journal in memory", async () => {
    const conn = await conns.open({ filename: ":memory:" }, { busyTimeoutMs: 10 });
    expect(await pragma(conn, "foreign_keys")).toBe(1);
    expect(await pragma(conn, "busy_timeout")).toBe(10);
    expect(await pragma(conn, "journal_mode")).toBe("memory");
  });

  it("opens read-only connections that see the writer's data and refuse writes", async () => {
    const filename = tmp.file();
    const writer = await conns.open({ filename });
    await writer.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
    const reader = await conns.open({ filename }, { readonly: true });
    expect(await reader.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
    expect(await pragma(reader, "journal_mode")).toBe("wal");
    expect(await pragma(reader, "foreign_keys")).toBe(1);
    await expect(reader.run("INSERT INTO t VALUES (2)")).rejects.toMatchObject({
      code: "READONLY",
    });
  });

  it("makes a read-only :memory: connection query_only instead of failing", async () => {
    const conn = await conns.open({ filename: ":memory:", readonly: true });
    await expect(conn.exec("CREATE TABLE t(x)")).rejects.toMatchObject({ code: "READONLY" });
  });

  it("never changes the journal mode when closing", async () => {
    const filename = tmp.file();
    const a = await betterSqlite({ filename }).connect();
    await a.exec("CREATE TABLE t(x)");
    await a.close();
    const raw = new Database(filename, { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      raw.close();
    }
  });

  it("rejects a non-database file at connect with NOTADB and leaves the file alone", async () => {
    const filename = tmp.file();
    const garbage = Buffer.alloc(8192, "this is not a database ");
    fs.writeFileSync(filename, garbage);
    await expect(betterSqlite({ filename }).connect()).rejects.toMatchObject({
      name: "SqliteError",
      code: "NOTADB",
    });
    await expect(betterSqlite({ filename }).connect({ readonly: true })).rejects.toMatchObject({
      code: "NOTADB",
    });
    expect(fs.readFileSync(filename).equals(garbage)).toBe(true);
  });

  it("closes the handle of a connection that failed its pragmas", async () => {
    if (!fs.existsSync("/proc/self/fd")) return; // Linux only: count descriptors on the file
    const filename = tmp.file();
    fs.writeFileSync(filename, Buffer.alloc(4096, 7));
    const openOnFile = () =>
      fs.readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`) === filename;
        } catch {
          return false;
        }
      }).length;
    for (let i = 0; i < 3; i++) {
      await expect(betterSqlite({ filename }).connect()).rejects.toMatchObject({ code: "NOTADB" });
    }
    expect(openOnFile()).toBe(0);
  });

  it("rejects a missing directory or a missing file with fileMustExist as CANTOPEN", async () => {
    const inMissingDir = `${tmp.file()}/nope/x.db`;
    await expect(betterSqlite({ filename: inMissingDir }).connect()).rejects.toMatchObject({
      code: "CANTOPEN",
    });
    const missing = tmp.file("missing.db");
    await expect(
      betterSqlite({ filename: missing, fileMustExist: true }).connect(),
    ).rejects.toMatchObject({ code: "CANTOPEN" });
    expect(fs.existsSync(missing)).toBe(false);
  });

  it("validates connect options before touching the file", async () => {
    const filename = tmp.file();
    const driver = betterSqlite({ filename });
    await expect(driver.connect({ busyTimeoutMs: -1 })).rejects.toMatchObject({ code: "MISUSE" });
    await expect(driver.connect({ busyTimeoutMs: 1.5 })).rejects.toMatchObject({ code: "MISUSE" });
    await expect(driver.connect({ durability: "fast" as unknown as "full" })).rejects.toMatchObject(
      { code: "MISUSE" },
    );
    expect(fs.existsSync(filename)).toBe(false);
  });
});

describe("the driver", () => {
  it("describes a file target", () => {
    const filename = tmp.file();
    const driver = betterSqlite({ filename });
    expect(driver.name).toBe("better-sqlite3");
    expect(driver.target).toBe(filename);
    expect(driver.capabilities).toEqual({
      local: true,
      remote: false,
      file: true,
      sharedConnections: true,
      onlineBackup: true,
      fts5: true,
      walCheckpoint: true,
      vacuum: true,
    });
  });

  it.each([":memory:", "", "file::memory:"])(
    "treats %j as a private in-memory database",
    async (filename) => {
      const driver = betterSqlite({ filename });
      expect(driver.capabilities.file).toBe(false);
      expect(driver.capabilities.sharedConnections).toBe(false);
      expect(driver.capabilities.local).toBe(true);
      const a = await conns.open({ filename });
      const b = await conns.open({ filename });
      await a.exec("CREATE TABLE only_in_a(x)");
      expect(await b.all("SELECT name FROM sqlite_master WHERE name = 'only_in_a'")).toEqual([]);
    },
  );

  it("does not create a file named file::memory:", async () => {
    const cwd = process.cwd();
    const dir = tmp.file("").replace(/\/$/, "");
    process.chdir(dir);
    try {
      const conn = await betterSqlite({ filename: "file::memory:" }).connect();
      await conn.close();
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  it("rejects unknown options and bad values with MISUSE", () => {
    expect(() => betterSqlite({ filename: "x.db", file: "y" } as never)).toThrow(
      expect.objectContaining({ code: "MISUSE", message: expect.stringContaining('"file"') }),
    );
    expect(() => betterSqlite({} as never)).toThrow(expect.objectContaining({ code: "MISUSE" }));
    expect(() => betterSqlite({ filename: "x.db", statementCacheSize: 0 })).toThrow(
      expect.objectContaining({ code: "MISUSE" }),
    );
    expect(() => betterSqlite({ filename: "x.db", journalSizeLimitBytes: 1.5 })).toThrow(
      expect.objectContaining({ code: "MISUSE" }),
    );
  });

  it("passes verbose to better-sqlite3", async () => {
    const seen: unknown[] = [];
    const conn = await conns.open({ filename: ":memory:", verbose: (sql) => seen.push(sql) });
    await conn.get("SELECT 42 AS answer");
    expect(seen).toContain("SELECT 42 AS answer");
  });

  it("opens connections with a nativeBinding given as a path", async () => {
    const require = (await import("node:module")).createRequire(import.meta.url);
    const binding = require.resolve("better-sqlite3/build/Release/better_sqlite3.node");
    const driver = betterSqlite({ filename: ":memory:", nativeBinding: binding });
    expect(driver.capabilities.fts5).toBe(true);
    const conn = await driver.connect();
    expect(await conn.get("SELECT 1 AS one")).toEqual({ one: 1 });
    await conn.close();
    const broken = betterSqlite({ filename: ":memory:", nativeBinding: "/nonexistent/addon.node" });
    expect(broken.capabilities.fts5).toBe(false);
    await expect(broken.connect()).rejects.toMatchObject({ name: "SqliteError" });
  });
});
