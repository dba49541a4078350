import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname } from "node:path";
import {
  DatabaseCorruptError,
  DatabaseReplacedError,
  ForeignDatabaseError,
  MigrationRequiredError,
  openStore,
  type SqliteDriver,
} from "@llm-sessions/core";
import { describe, expect, type TestContext } from "vitest";
import { buildLegacyV0 } from "../fixtures/legacy-v0.js";
import type { StoreHarness } from "./harness.js";

/** Where each commit frame of a WAL ends (frames are 24 header bytes plus a page). */
function commitFrames(wal: Buffer, pageSize: number): number[] {
  const starts: number[] = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 4) !== 0) starts.push(at);
  }
  return starts;
}

/** The page size in a database file's header. */
function pageSizeOf(path: string): number {
  const raw = readFileSync(path).readUInt16BE(16);
  return raw === 1 ? 65536 : raw;
}

/** A local database file in WAL mode, or the test is skipped. */
async function fileDriver(h: StoreHarness, ctx: TestContext, path: string): Promise<SqliteDriver> {
  const driver = await h.createDriver({ path });
  if (!driver.capabilities.file || !driver.capabilities.walCheckpoint || !driver.localPath) {
    ctx.skip("needs a local database file the core can read");
  }
  return driver;
}

/**
 * A store's files as a crash leaves them: `appends` commits, each a message
 * of session "w", all still in the WAL (no checkpoint, no background
 * indexing), copied while the store is open. Returns the copy's path.
 */
async function walCopy(h: StoreHarness, ctx: TestContext, appends: number): Promise<string> {
  const path = h.newPath();
  const driver = await fileDriver(h, ctx, path);
  const store = await openStore({
    driver,
    pool: { checkpoint: false },
    searchIndexing: { batch: 100_000, delayMs: 60_000 },
  });
  await store.sessions.create({ id: "w" });
  for (let i = 1; i <= appends; i++) {
    await store.messages.append("w", { role: "user", content: `commit ${i}` });
  }
  const copy = h.newPath();
  copyFileSync(path, copy);
  copyFileSync(`${path}-wal`, `${copy}-wal`);
  await store.close();
  return copy;
}

function damagedCopies(path: string): string[] {
  const prefix = `${basename(path)}-wal.damaged-`;
  return readdirSync(dirname(path)).filter((f) => f.startsWith(prefix));
}

/** A database file another program made, in rollback-journal mode, written with `sql`. */
async function rollbackFile(
  h: StoreHarness,
  ctx: TestContext,
  sql: string,
): Promise<{ path: string; driver: SqliteDriver }> {
  const path = h.newPath();
  const driver = await fileDriver(h, ctx, path);
  const conn = await driver.connect();
  try {
    await conn.exec(sql);
    await conn.exec("PRAGMA journal_mode = DELETE");
  } finally {
    await conn.close();
  }
  return { path, driver };
}

/**
 * The driver with every connection in `query_only` mode: SQLite refuses each
 * write with READONLY at the statement that would write, exactly as for a
 * read-only file (which `chmod` cannot make for root, who runs CI here).
 */
function readOnlyDriver(driver: SqliteDriver): SqliteDriver {
  return {
    name: driver.name,
    target: driver.target,
    capabilities: driver.capabilities,
    ...(driver.localPath ? { localPath: driver.localPath } : {}),
    connect: async (options) => {
      const conn = await driver.connect(options);
      await conn.exec("PRAGMA query_only = ON");
      return conn;
    },
  };
}

/** Store suite: files the store cannot trust are refused, never reinitialised or served. */
export function registerFileSafetyTests(h: StoreHarness): void {
  describe("file safety", () => {
    h.test(
      "file.empty-refused",
      "an existing zero-byte file is refused unchanged; initializeEmptyFile makes it a store",
      async (ctx) => {
        const path = h.newPath();
        const driver = await fileDriver(h, ctx, path);
        writeFileSync(path, "");
        const error = await openStore({ driver }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseCorruptError);
        expect((error as Error).message).toContain("empty");
        expect(statSync(path).size).toBe(0);
        expect(existsSync(`${path}-wal`)).toBe(false);
        const store = await h.open({ path, initializeEmptyFile: true });
        await store.sessions.create({ id: "new" });
        expect((await store.sessions.get("new")).id).toBe("new");
      },
    );

    h.test(
      "file.missing-created",
      "a file that does not exist is created as a new store",
      async (ctx) => {
        const path = h.newPath();
        await fileDriver(h, ctx, path);
        const store = await h.open({ path });
        expect(store.migration.from).toBe(0);
        expect(existsSync(path)).toBe(true);
      },
    );

    h.test(
      "file.wal-flipped-byte",
      "a flipped byte in a committed WAL frame is refused (the WAL kept aside); acceptWalLoss opens without the lost commits",
      async (ctx) => {
        const appends = 40;
        const copy = await walCopy(h, ctx, appends);
        const wal = readFileSync(`${copy}-wal`);
        const pageSize = pageSizeOf(copy);
        const commits = commitFrames(wal, pageSize);
        // The appends are the last commits: damage the 20th one's commit frame.
        const hit = commits[commits.length - appends + 19] as number;
        wal.writeUInt8(wal.readUInt8(hit + 24 + 200) ^ 0x10, hit + 24 + 200);
        writeFileSync(`${copy}-wal`, wal);
        const before = readFileSync(copy);
        const driver = await h.createDriver({ path: copy });
        const error = await openStore({ driver }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseCorruptError);
        expect((error as Error).message).toMatch(/committed transaction/);
        // Nothing was changed, and the evidence is kept.
        expect(readFileSync(copy).equals(before)).toBe(true);
        expect(readFileSync(`${copy}-wal`).equals(wal)).toBe(true);
        expect(damagedCopies(copy)).toHaveLength(1);
        // Refused again, with the same clock reading: the first copy is kept, a second made.
        const again = await openStore({ driver, clock: () => 1 }).catch((e: unknown) => e);
        const thrice = await openStore({ driver, clock: () => 1 }).catch((e: unknown) => e);
        expect(again).toBeInstanceOf(DatabaseCorruptError);
        expect(thrice).toBeInstanceOf(DatabaseCorruptError);
        expect(damagedCopies(copy)).toHaveLength(3);
        const store = await h.open({ path: copy, acceptWalLoss: true });
        const kept = (await store.messages.list("w", { limit: 1000 })).items;
        expect(kept.map((m) => m.content)).toEqual(
          Array.from({ length: 19 }, (_, i) => `commit ${i + 1}`),
        );
      },
    );

    h.test(
      "file.wal-zeroed-header",
      "a WAL whose header was zeroed is refused with DatabaseCorruptError, nothing changed",
      async (ctx) => {
        const copy = await walCopy(h, ctx, 20);
        const wal = readFileSync(`${copy}-wal`);
        wal.fill(0, 0, 32);
        writeFileSync(`${copy}-wal`, wal);
        const before = readFileSync(copy);
        const driver = await h.createDriver({ path: copy });
        const error = await openStore({ driver }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseCorruptError);
        expect((error as Error).message).toMatch(/header is damaged/);
        expect(readFileSync(copy).equals(before)).toBe(true);
        expect(damagedCopies(copy)).toHaveLength(1);
      },
    );

    h.test(
      "file.wal-torn-tail-opens",
      "a WAL whose last transaction was cut short opens with every earlier commit",
      async (ctx) => {
        const appends = 20;
        const copy = await walCopy(h, ctx, appends);
        const wal = readFileSync(`${copy}-wal`);
        const commits = commitFrames(wal, pageSizeOf(copy));
        const last = commits[commits.length - 1] as number;
        writeFileSync(`${copy}-wal`, wal.subarray(0, last + 24 + 100));
        const store = await h.open({ path: copy });
        const kept = (await store.messages.list("w", { limit: 1000 })).items;
        expect(kept).toHaveLength(appends - 1);
        expect(damagedCopies(copy)).toHaveLength(0);
      },
    );

    h.test(
      "file.replaced-under-store",
      "a database file renamed over an open store stops writes and reads with DatabaseReplacedError",
      async (ctx) => {
        const path = h.newPath();
        await fileDriver(h, ctx, path);
        const store = await h.open({ path });
        await store.sessions.create({ id: "a" });
        const other = h.newPath();
        const elsewhere = await h.open({ path: other });
        await elsewhere.sessions.create({ id: "b" });
        await elsewhere.close();
        renameSync(other, path);
        const write = await store.sessions.create({ id: "c" }).catch((e: unknown) => e);
        expect(write).toBeInstanceOf(DatabaseReplacedError);
        expect(await store.sessions.get("a").catch((e: unknown) => e)).toBeInstanceOf(
          DatabaseReplacedError,
        );
        expect(await store.health().catch((e: unknown) => e)).toBeInstanceOf(DatabaseReplacedError);
        // Refused for good, even if a later check would find the path unchanged.
        expect(await store.sessions.create({ id: "d" }).catch((e: unknown) => e)).toBeInstanceOf(
          DatabaseReplacedError,
        );
      },
    );

    h.test(
      "file.replaced-seen-by-health",
      "health and metrics notice a replaced file before any write",
      async (ctx) => {
        const path = h.newPath();
        await fileDriver(h, ctx, path);
        const store = await h.open({ path });
        const other = h.newPath();
        await (await h.open({ path: other })).close();
        renameSync(other, path);
        expect(await store.metrics().catch((e: unknown) => e)).toBeInstanceOf(
          DatabaseReplacedError,
        );
      },
    );

    h.test(
      "file.v0-untouched",
      "openStore on a v0 database refuses it and leaves every byte of the file as it was",
      async (ctx) => {
        const path = h.newPath();
        const driver = await fileDriver(h, ctx, path);
        const conn = await driver.connect();
        try {
          await buildLegacyV0(conn, { sessions: 3, orphans: 1 });
          await conn.exec("PRAGMA journal_mode = DELETE");
        } finally {
          await conn.close();
        }
        const before = readFileSync(path);
        expect(before.readUInt8(18)).toBe(1);
        const error = await openStore({ driver }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MigrationRequiredError);
        expect(readFileSync(path).equals(before)).toBe(true);
        expect(existsSync(`${path}-wal`)).toBe(false);
      },
    );

    h.test(
      "file.foreign-refused",
      "another application's database is refused with ForeignDatabaseError and left as it was",
      async (ctx) => {
        const { path, driver } = await rollbackFile(
          h,
          ctx,
          "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine')",
        );
        const before = readFileSync(path);
        const error = await openStore({ driver }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ForeignDatabaseError);
        expect((error as Error).message).toContain("notes");
        expect(readFileSync(path).equals(before)).toBe(true);
      },
    );

    h.test(
      "file.foreign-user-version",
      "a database with user_version -1 or another application_id is refused with ForeignDatabaseError",
      async (ctx) => {
        for (const pragma of ["PRAGMA user_version = -1", "PRAGMA application_id = 1234"]) {
          const { path, driver } = await rollbackFile(h, ctx, `CREATE TABLE t (x); ${pragma}`);
          const before = readFileSync(path);
          const error = await openStore({ driver }).catch((e: unknown) => e);
          expect(error, pragma).toBeInstanceOf(ForeignDatabaseError);
          expect(readFileSync(path).equals(before)).toBe(true);
        }
      },
    );

    h.test(
      "integrity.check-read-only",
      "integrity.check runs on a database that refuses writes, with messages queued for the index, and changes nothing",
      async (ctx) => {
        const path = h.newPath();
        const driver = await fileDriver(h, ctx, path);
        // No background indexing: the messages stay queued.
        const writer = await h.open({ path, searchIndexing: { batch: 100_000, delayMs: 60_000 } });
        await writer.sessions.create({ id: "q" });
        for (let i = 0; i < 5; i++) {
          await writer.messages.append("q", { role: "user", content: `queued ${i}` });
        }
        const queued = async () => {
          const conn = await driver.connect({ readonly: true });
          try {
            return await conn.get(
              "SELECT count(*) AS n FROM messages WHERE pk > (SELECT indexed_through FROM search_index_state)",
            );
          } finally {
            await conn.close();
          }
        };
        expect(await queued()).toEqual({ n: 5 });
        const reader = await openStore({
          driver: readOnlyDriver(driver),
          searchIndexing: { onError: () => {} },
        });
        try {
          const report = await reader.integrity.check();
          expect(report.findings).toEqual([]);
          expect(report.ok).toBe(true);
          expect(report.checks).toContain("fts-queue");
          expect(await queued()).toEqual({ n: 5 });
        } finally {
          await reader.close();
        }
      },
    );

    h.test(
      "integrity.check-writes-nothing",
      "integrity.check on a writable store leaves the search queue as it was",
      async (ctx) => {
        const path = h.newPath();
        const driver = await fileDriver(h, ctx, path);
        const store = await h.open({ path, searchIndexing: { batch: 100_000, delayMs: 60_000 } });
        await store.sessions.create({ id: "q" });
        await store.messages.append("q", { role: "user", content: "queued" });
        const report = await store.integrity.check();
        expect(report.ok).toBe(true);
        expect(report.checks).toContain("fts");
        const conn = await driver.connect({ readonly: true });
        try {
          expect(
            await conn.get(
              "SELECT count(*) AS n FROM messages WHERE pk > (SELECT indexed_through FROM search_index_state)",
            ),
          ).toEqual({
            n: 1,
          });
        } finally {
          await conn.close();
        }
      },
    );

    h.test(
      "file.application-id",
      "a new store's file carries the store's application_id",
      async (ctx) => {
        const path = h.newPath();
        const driver = await fileDriver(h, ctx, path);
        await (await h.open({ path })).close();
        // Asked through SQLite: the newest page 1 may still be in the WAL.
        const conn = await driver.connect({ readonly: true });
        try {
          expect(await conn.get("PRAGMA application_id")).toEqual({ application_id: 0x4c4c4d53 });
        } finally {
          await conn.close();
        }
      },
    );
  });
}
