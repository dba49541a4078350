import { existsSync } from "node:fs";
import { join } from "node:path";
import { SqliteError } from "@llm-sessions/core";
import type { BackupProgress, SqliteConnection } from "@llm-sessions/core/driver";
import { expect } from "vitest";
import type { ConformanceContext } from "./context.js";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError, gate, scalar, tick } from "./helpers.js";

/** Rows big enough that the copy spans many pages (about 1.2 MB). */
const ROWS = 300;
const BODY = "b".repeat(4000);

async function seed(db: SqliteConnection): Promise<void> {
  await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  await db.batch(
    Array.from({ length: ROWS }, (_, i) => ({
      sql: "INSERT INTO t (id, body) VALUES (?, ?)",
      params: [i + 1, BODY],
    })),
  );
}

/** More pages than one step of an online backup copies (1024 in the better-sqlite3 adapter). */
const BIG_ROWS = 1500;

async function seedBig(db: SqliteConnection): Promise<void> {
  await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  await db.batch(
    Array.from({ length: BIG_ROWS }, () => ({
      sql: "INSERT INTO t (body) VALUES (?)",
      params: [BODY],
    })),
  );
}

/**
 * Reads a copy through ATTACH on `db` (works for a `:memory:` source too,
 * where `createDriver` cannot reach a file), then detaches it.
 */
async function readCopy(
  db: SqliteConnection,
  path: string,
): Promise<{ rows: number; check: unknown }> {
  await db.run("ATTACH DATABASE ? AS copy", [path]);
  try {
    return {
      rows: Number(await scalar(db, "SELECT count(*) FROM copy.t")),
      check: await scalar(db, "PRAGMA copy.integrity_check"),
    };
  } finally {
    await db.exec("DETACH DATABASE copy");
  }
}

/**
 * Runs `body` when the driver has an online backup; otherwise asserts the
 * complementary rule (the method is absent, so callers fall back to VACUUM
 * INTO) and returns.
 */
async function withBackup(
  ctx: ConformanceContext,
  body: (db: SqliteConnection & Required<Pick<SqliteConnection, "backup">>) => Promise<void>,
): Promise<void> {
  const caps = await ctx.capabilities();
  const db = await ctx.connect();
  if (!caps.onlineBackup) {
    expect(db.backup, "capabilities.onlineBackup is false, so backup must be absent").toBe(
      undefined,
    );
    return;
  }
  expect(typeof db.backup, "capabilities.onlineBackup is true, so backup must exist").toBe(
    "function",
  );
  await body(db as SqliteConnection & Required<Pick<SqliteConnection, "backup">>);
}

export const backupTests: readonly ConformanceTest[] = [
  defineTest(
    "backup.matches-capability",
    "connections have backup() exactly when capabilities.onlineBackup (else the core uses VACUUM INTO)",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const db = await ctx.connect();
      expect(typeof db.backup === "function").toBe(caps.onlineBackup);
      if (!caps.onlineBackup && caps.vacuum) {
        // Complementary: the fallback the core relies on works on this driver.
        await seed(db);
        const out = ctx.file("vacuum-into.db");
        await db.run("VACUUM INTO ?", [out]);
        expect(await readCopy(db, out)).toEqual({ rows: ROWS, check: "ok" });
      }
    },
  ),

  defineTest(
    "backup.copies-database",
    "backup() writes a complete, sound copy that includes every committed row",
    async (ctx) =>
      withBackup(ctx, async (db) => {
        await seed(db);
        await db.transaction("immediate", (tx) =>
          tx.run("INSERT INTO t (id, body) VALUES (?, ?)", [ROWS + 1, "last"]),
        );
        const out = ctx.file("copy.db");
        await db.backup(out);
        expect(existsSync(out)).toBe(true);
        expect(await readCopy(db, out)).toEqual({ rows: ROWS + 1, check: "ok" });
      }),
  ),

  defineTest(
    "backup.progress",
    "onProgress reports pages left going down to a last report of 0 out of page_count",
    async (ctx) =>
      withBackup(ctx, async (db) => {
        await seed(db);
        const pages = Number(await scalar(db, "PRAGMA page_count"));
        const reports: BackupProgress[] = [];
        await db.backup(ctx.file("copy.db"), { onProgress: (p) => reports.push(p) });
        expect(reports.length).toBeGreaterThan(0);
        expect(reports.at(-1)).toEqual({ totalPages: pages, remainingPages: 0 });
        for (const [i, r] of reports.entries()) {
          expect(r.remainingPages).toBeLessThanOrEqual(r.totalPages);
          if (i > 0) expect(r.remainingPages).toBeLessThanOrEqual(reports[i - 1]!.remainingPages);
        }
      }),
  ),

  defineTest(
    "backup.progress-throws",
    "an onProgress that throws aborts the copy with ABORT (cause kept); the connection still works",
    async (ctx) =>
      withBackup(ctx, async (db) => {
        await seed(db);
        const boom = new Error("stop");
        const error = await expectSqliteError(
          db.backup(ctx.file("copy.db"), {
            onProgress: () => {
              throw boom;
            },
          }),
          "ABORT",
          "a backup whose onProgress throws",
        );
        expect(error.cause).toBe(boom);
        expect(Number(await scalar(db, "SELECT count(*) FROM t"))).toBe(ROWS);
      }),
  ),

  defineTest(
    "backup.bad-destination",
    "a destination in a missing directory rejects with a SqliteError; the connection still works",
    async (ctx) =>
      withBackup(ctx, async (db) => {
        await db.exec("CREATE TABLE t (x)");
        const error = await db.backup(join(ctx.dir, "missing", "copy.db")).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SqliteError);
        expect(await db.get("SELECT 1 AS ok")).toEqual({ ok: 1 });
      }),
  ),

  defineTest(
    "backup.waits-for-transaction",
    "a backup asked for during another caller's transaction waits for it and includes its commit",
    async (ctx) =>
      withBackup(ctx, async (db) => {
        await seed(db);
        const hold = gate();
        const entered = gate();
        const tx = db.transaction("immediate", async (t) => {
          await t.run("INSERT INTO t (id, body) VALUES (?, ?)", [ROWS + 1, "in tx"]);
          entered.open();
          await hold.promise;
        });
        await entered.promise;
        const out = ctx.file("copy.db");
        let done = false;
        const backup = db.backup(out).then(() => {
          done = true;
        });
        await tick();
        expect(done, "the backup must wait for the open transaction").toBe(false);
        hold.open();
        await tx;
        await backup;
        expect((await readCopy(db, out)).rows).toBe(ROWS + 1);
      }),
  ),

  defineTest(
    "backup.writes-between-steps",
    "statements on the connection run between the copy's steps (no stall) and every write done before it resolves is in the copy",
    async (ctx) =>
      withBackup(ctx, async (db) => {
        await seedBig(db);
        let resolved = false;
        const out = ctx.file("copy.db");
        const backup = db.backup(out).then(() => {
          resolved = true;
        });
        // A bounded number of writes: on a private in-memory database SQLite restarts the
        // copy at every commit (it folds commits in only for files), so it ends once they stop.
        let before = 0;
        for (let i = 0; i < 50 && !resolved; i++) {
          await db.run("INSERT INTO t (body) VALUES ('during')");
          if (!resolved) before++;
          await tick();
        }
        await backup;
        expect(before, "writes must not wait for the whole copy").toBeGreaterThan(0);
        expect(await readCopy(db, out)).toEqual({ rows: BIG_ROWS + before, check: "ok" });
      }),
  ),

  defineTest(
    "backup.uncommitted-not-copied",
    "a transaction open during the copy holds the copy back; what it rolls back is never in the copy",
    async (ctx) =>
      withBackup(ctx, async (db) => {
        await seedBig(db);
        const started = gate();
        let resolved = false;
        const out = ctx.file("copy.db");
        const backup = db.backup(out, { onProgress: () => started.open() }).then(() => {
          resolved = true;
        });
        await started.promise;
        await db
          .transaction("immediate", async (tx) => {
            await tx.run("INSERT INTO t (id, body) VALUES (-1, 'rolled back')");
            for (let i = 0; i < 5; i++) await tick();
            throw new Error("roll it back");
          })
          .catch(() => {});
        await db.transaction("immediate", (tx) =>
          tx.run("INSERT INTO t (id, body) VALUES (-2, 'committed')"),
        );
        const committedBefore = !resolved;
        await backup;
        await db.run("ATTACH DATABASE ? AS copy", [out]);
        try {
          const ids = (await db.all<{ id: number }>("SELECT id FROM copy.t WHERE id < 0")).map(
            (r) => Number(r.id),
          );
          expect(ids).toEqual(committedBefore ? [-2] : []);
          expect(await scalar(db, "PRAGMA copy.integrity_check")).toBe("ok");
        } finally {
          await db.exec("DETACH DATABASE copy");
        }
      }),
  ),

  defineTest(
    "backup.inside-own-transaction",
    "backup() called on the connection from inside its own transaction rejects with MISUSE",
    async (ctx) =>
      withBackup(ctx, async (db) => {
        await db.exec("CREATE TABLE t (x)");
        await db.transaction("immediate", async () => {
          await expectSqliteError(db.backup(ctx.file("copy.db")), "MISUSE", "a nested backup");
        });
      }),
  ),
];
