import { closeSync, existsSync, openSync, readdirSync, readSync, writeFileSync } from "node:fs";
import { copyFile, mkdir, open, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import {
  BackupVerificationError,
  ConflictError,
  DatabaseInUseError,
  openStore,
  restoreBackup,
  type SqliteDriver,
  type Store,
  type StoreBackupProgress,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";

/** Every message id of a store, by walking each session's pages. */
async function messageIds(store: Store): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<Store["sessions"]["list"]>> = await store.sessions.list({
      limit: 100,
      cursor,
    });
    for (const s of page.items) {
      let after: string | null = null;
      do {
        const msgs: Awaited<ReturnType<Store["messages"]["list"]>> = await store.messages.list(
          s.id,
          { limit: 500, cursor: after },
        );
        for (const m of msgs.items) ids.add(m.id);
        after = msgs.nextCursor;
      } while (after);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** Bytes 18 and 19 of the header: 1/1 is a rollback journal, 2/2 WAL. */
function journalBytes(path: string): [number, number] {
  const fd = openSync(path, "r");
  try {
    const header = Buffer.alloc(20);
    readSync(fd, header, 0, 20, 0);
    return [header[18] ?? -1, header[19] ?? -1];
  } finally {
    closeSync(fd);
  }
}

async function seed(store: Store, sessions: number, perSession: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const s = await store.sessions.create({ title: `seed ${i}`, model: "m" });
    ids.push(s.id);
    await store.messages.append(
      s.id,
      Array.from({ length: perSession }, (_, j) => ({
        role: j % 2 === 0 ? ("user" as const) : ("assistant" as const),
        content: `seed message ${i}.${j} ${"lorem ipsum ".repeat(20)}`,
        tokens: j,
      })),
    );
  }
  return ids;
}

/** A driver factory for restore: the suite's adapter on any path. */
function driverFor(h: StoreHarness): (path: string) => Promise<SqliteDriver> {
  return async (path) => h.createDriver({ path });
}

/** Backup while serving, and restore, on a real driver. */
export function registerBackupTests(h: StoreHarness): void {
  describe("backup and restore", () => {
    h.test(
      "backup.under-writers",
      "a backup taken while 4 writers append holds every message acknowledged before it began, passes its check, and restores clean",
      async () => {
        const path = h.newPath();
        const store = await h.open({ path, pool: { readers: 2, maxWaiting: 10_000 } });
        const sessions = await seed(store, 4, 50);
        const acked: string[] = [];
        let stop = false;
        let failures = 0;
        const writer = async (sessionId: string, w: number) => {
          for (let i = 0; !stop; i++) {
            try {
              const [m] = await store.messages.append(sessionId, {
                role: "user",
                content: `writer ${w} message ${i}`,
              });
              if (m) acked.push(m.id);
            } catch {
              failures++;
            }
            // A synchronous driver resolves everything in microtasks: let timers and the backup's steps run.
            await new Promise((r) => setImmediate(r));
          }
        };
        const writers = sessions.map((id, w) => writer(id, w));
        while (acked.length < 100 && failures === 0) await new Promise((r) => setTimeout(r, 1));
        const before = new Set(acked);
        const out = join(dirname(path), "under-writers.bak");
        const result = await store.maintenance.backup(out);
        const duringBackup = acked.length - before.size;
        stop = true;
        await Promise.all(writers);
        expect(failures).toBe(0);
        expect(result.path).toBe(out);
        expect(result.messages).toBeGreaterThanOrEqual(200 + before.size);
        expect(journalBytes(out)).toEqual([1, 1]);
        if (process.env.LLM_SESSIONS_DEBUG) {
          console.log(
            JSON.stringify({ method: result.method, before: before.size, duringBackup, result }),
          );
        }
        const driver = await h.createDriver({ path: out });
        if (!driver.capabilities.file) {
          // Complementary for :memory: targets: the suite's adapter cannot open another file, so
          // the backup's own check (integrity_check, foreign keys, counts) is the evidence.
          expect(result.sessions).toBe(4);
          return;
        }
        const restored = h.newPath("restored.db");
        const r = await restoreBackup(out, restored, { createDriver: driverFor(h) });
        expect(r.preRestorePath).toBeNull();
        const copy = await h.open({ path: restored });
        const ids = await messageIds(copy);
        const missing = [...before].filter((id) => !ids.has(id));
        expect(missing).toEqual([]);
        const report = await copy.integrity.check({ full: true });
        expect(report.findings).toEqual([]);
      },
    );

    h.test(
      "backup.progress",
      "onProgress reports the copy down to 0 pages left, then the check",
      async () => {
        const store = await h.open();
        await seed(store, 3, 40);
        const reports: StoreBackupProgress[] = [];
        const out = h.newPath("progress.bak");
        const result = await store.maintenance.backup(out, { onProgress: (p) => reports.push(p) });
        const copy = reports.filter((p) => p.phase === "copy");
        const verify = reports.filter((p) => p.phase === "verify");
        expect(copy.length).toBeGreaterThan(0);
        expect(copy.at(-1)?.remainingPages).toBe(0);
        expect(copy.at(-1)?.totalPages).toBe(result.pages);
        expect(verify.map((p) => p.remainingPages)).toEqual([result.pages, 0]);
        // The copy phase comes first, the check last.
        expect(reports.findIndex((p) => p.phase === "verify")).toBe(copy.length);
      },
    );

    h.test(
      "backup.one-file-nothing-left",
      "the backup is one self-contained file (rollback journal) and nothing else is left in its directory",
      async () => {
        const store = await h.open();
        await seed(store, 2, 10);
        const dir = dirname(h.newPath());
        const out = join(dir, "alone", "copy.bak");
        await mkdir(dirname(out));
        await store.maintenance.backup(out);
        expect(readdirSync(dirname(out))).toEqual([basename(out)]);
        expect(journalBytes(out)).toEqual([1, 1]);
      },
    );

    h.test(
      "backup.refuses-bad-destination",
      "an existing destination or a missing directory is a ValidationError and leaves nothing behind",
      async () => {
        const store = await h.open();
        await seed(store, 1, 3);
        const existing = h.newPath("exists.bak");
        writeFileSync(existing, "keep me");
        await expect(store.maintenance.backup(existing)).rejects.toBeInstanceOf(ValidationError);
        expect(await readFile(existing, "utf8")).toBe("keep me");
        await expect(
          store.maintenance.backup(join(dirname(existing), "missing", "x.bak")),
        ).rejects.toBeInstanceOf(ValidationError);
        expect(readdirSync(dirname(existing)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      },
    );

    h.test(
      "restore.replaces-keeps-pre-restore",
      "restore puts the backup in place atomically, keeps the old file as .pre-restore with its last commits, and the result opens clean",
      async (ctx) => {
        const path = h.newPath();
        const store = await h.open({ path });
        if (!store.maintenance.file) {
          // Complementary: a private :memory: database has no file to restore into.
          expect(store.maintenance.file).toBeUndefined();
          return ctx.skip("restore needs a database file");
        }
        const [first] = await seed(store, 1, 5);
        const out = h.newPath("before.bak");
        await store.maintenance.backup(out);
        const later = await store.sessions.create({ title: "after the backup" });
        await store.messages.append(later.id, { role: "user", content: "only in the old file" });
        await store.close();
        const steps: string[] = [];
        const result = await restoreBackup(out, path, {
          createDriver: driverFor(h),
          onProgress: (s) => steps.push(s),
        });
        expect(steps).toEqual(["copy", "verify", "probe", "replace"]);
        expect(result).toMatchObject({
          path,
          preRestorePath: `${path}.pre-restore`,
          sessions: 1,
          messages: 5,
        });
        expect(existsSync(`${path}-wal`) && (await stat(`${path}-wal`)).size > 0).toBe(false);
        const restored = await h.open({ path });
        expect((await restored.sessions.list()).items.map((s) => s.id)).toEqual([first]);
        expect((await restored.integrity.check({ full: true })).findings).toEqual([]);
        await restored.close();
        const old = await h.open({ path: `${path}.pre-restore` });
        expect((await old.messages.last(later.id, 5)).map((m) => m.content)).toEqual([
          "only in the old file",
        ]);
        // The backup itself was never opened or changed.
        expect(journalBytes(out)).toEqual([1, 1]);
        expect(existsSync(`${out}-wal`)).toBe(false);
      },
    );

    h.test(
      "restore.refuses-in-use",
      "restore refuses a target a store has open, or another connection holds, and changes nothing",
      async (ctx) => {
        const path = h.newPath();
        const store = await h.open({ path });
        if (!store.maintenance.file) return ctx.skip("restore needs a database file");
        await seed(store, 1, 2);
        const out = h.newPath("b.bak");
        await store.maintenance.backup(out);
        await expect(
          restoreBackup(out, path, { createDriver: driverFor(h) }),
        ).rejects.toBeInstanceOf(DatabaseInUseError);
        await store.close();
        // A plain connection (no store, so not in the registry): SQLite's own lock tells.
        const conn = await (await h.createDriver({ path })).connect();
        try {
          await conn.get("SELECT count(*) AS n FROM sessions");
          await expect(
            restoreBackup(out, path, { createDriver: driverFor(h) }),
          ).rejects.toBeInstanceOf(DatabaseInUseError);
        } finally {
          await conn.close();
        }
        expect(existsSync(`${path}.pre-restore`)).toBe(false);
        expect(readdirSync(dirname(path)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      },
    );

    h.test(
      "restore.refuses-bad-backups",
      "a damaged backup, a non-database, and an existing .pre-restore are refused; the target is untouched",
      async (ctx) => {
        const path = h.newPath();
        const store = await h.open({ path });
        if (!store.maintenance.file) return ctx.skip("restore needs a database file");
        await seed(store, 3, 30);
        const good = h.newPath("good.bak");
        await store.maintenance.backup(good);
        await store.close();
        const options = { createDriver: driverFor(h) };

        const garbage = h.newPath("garbage.bak");
        writeFileSync(garbage, Buffer.alloc(8192, 7));
        await expect(restoreBackup(garbage, path, options)).rejects.toBeInstanceOf(
          BackupVerificationError,
        );

        // Damage the b-tree pages in the middle of the file (the header stays valid).
        const damaged = h.newPath("damaged.bak");
        await copyFile(good, damaged);
        const handle = await open(damaged, "r+");
        const { size } = await handle.stat();
        await handle.write(
          Buffer.alloc(4096 * 3, 0xa5),
          0,
          4096 * 3,
          Math.floor(size / 2 / 4096) * 4096,
        );
        await handle.close();
        await expect(restoreBackup(damaged, path, options)).rejects.toBeInstanceOf(
          BackupVerificationError,
        );

        await expect(restoreBackup(h.newPath("missing.bak"), path, options)).rejects.toBeInstanceOf(
          ValidationError,
        );

        writeFileSync(`${path}.pre-restore`, "from an earlier restore");
        await expect(restoreBackup(good, path, options)).rejects.toBeInstanceOf(ConflictError);

        const reopened = await openStore({ driver: await h.createDriver({ path }) });
        try {
          expect((await reopened.stats()).sessions.total).toBe(3);
        } finally {
          await reopened.close();
        }
        expect(readdirSync(dirname(path)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      },
    );
  });
}
