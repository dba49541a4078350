import { closeSync, existsSync, openSync, readdirSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cli,
  holdOpen,
  makeDatabase,
  oneLine,
  rawSql,
  tempDir,
  withStore,
} from "./test-support/cli-harness.js";

describe("llm-sessions: commands end to end (the built bin, as a child process)", () => {
  it("stats prints tables and health; --json is one JSON document", async () => {
    const dir = tempDir();
    const db = join(dir, "r.db");
    await makeDatabase(db, 6);
    const run = await cli(["stats", db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /sessions\s+active\s+idle\s+archived\s+messages\s+tokens\n[- ]+\n\s+6\s+6\s+0\s+0\s+12\s+60\n/,
    );
    expect(run.stdout).toMatch(/\na\s+3\s+6\s+30\n/);
    expect(run.stdout).toMatch(/\nhealth\s+ok\n/);
    const asJson = await cli(["stats", "--json", db]);
    const parsed = JSON.parse(asJson.stdout) as {
      stats: { messages: number };
      health: { status: string };
    };
    expect(parsed.stats.messages).toBe(12);
    expect(parsed.health.status).toBe("ok");
  });

  it("doctor: a sound database exits 0; broken rules exit 1 and are named; --repair backs up, fixes, exits 0", async () => {
    const dir = tempDir();
    const db = join(dir, "d.db");
    await makeDatabase(db, 4);
    const sound = await cli(["doctor", db]);
    expect(sound.code).toBe(0);
    expect(sound.stdout).toMatch(/^sqlite\s+ok$/m);
    expect(sound.stdout).toContain(": sound (integrity_check");
    await rawSql(db, "UPDATE sessions SET message_count = 99 WHERE rowid = 1");
    const broken = await cli(["doctor", db]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^counters\s+PROBLEM\s+1\s+session counters differ/m);
    expect(broken.stdout).toContain("problem(s) found. Run `llm-sessions doctor --repair");
    const asJson = JSON.parse((await cli(["doctor", "--json", db])).stdout) as { ok: boolean };
    expect(asJson.ok).toBe(false);
    const backupTo = join(dir, "before.bak");
    const repaired = await cli(["doctor", "--repair", "--backup-to", backupTo, db]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/counters fixed\s+1/);
    expect(repaired.stdout).toContain("repaired, now sound");
    expect(existsSync(backupTo)).toBe(true);
    expect((await cli(["doctor", "--quick", db])).code).toBe(0);
  });

  it("doctor on a file with damaged pages exits 1 and says so in one report, no stack", async () => {
    const dir = tempDir();
    const db = join(dir, "damaged.db");
    await makeDatabase(db, 200);
    const { size } = statSync(db);
    const fd = openSync(db, "r+");
    writeSync(fd, Buffer.alloc(4096 * 4, 0x5a), 0, 4096 * 4, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const run = await cli(["doctor", db]);
    expect(run.code).toBe(1);
    expect(run.stderr + run.stdout).not.toMatch(/^\s+at /m);
    expect(run.stdout + run.stderr).toMatch(/PROBLEM|damaged/);
  });

  it("backup shows progress, writes a checked copy, refuses to overwrite; restore puts it back and keeps .pre-restore", async () => {
    const dir = tempDir();
    const db = join(dir, "r.db");
    await makeDatabase(db, 8);
    const out = join(dir, "r.bak");
    const backup = await cli(["backup", db, out]);
    expect(backup.code).toBe(0);
    expect(backup.stderr).toMatch(/^backup: copy \(\d+ pages\)\nbackup: verify \(\d+ pages\)\n$/);
    expect(backup.stdout).toMatch(/^backup\s+.*r\.bak\nmethod\s+online\n/);
    expect(backup.stdout).toMatch(/messages \(not archived\)\s+16\n/);
    expect((await cli(["backup", db, out])).code).toBe(2);
    await withStore(db, async (store) => {
      await store.sessions.create({ title: "after the backup" });
    });
    const restore = await cli(["restore", out, db]);
    expect(restore.code).toBe(0);
    expect(restore.stderr).toContain("restore: checking the copy");
    expect(restore.stdout).toMatch(/previous file kept as\s+.*r\.db\.pre-restore\n/);
    expect(existsSync(`${db}.pre-restore`)).toBe(true);
    const stats = JSON.parse((await cli(["stats", "--json", db])).stdout) as {
      stats: { sessions: { total: number } };
    };
    expect(stats.stats.sessions.total).toBe(8);
    // A second restore would overwrite the kept file: refused.
    const again = await cli(["restore", out, db]);
    expect(again.code).toBe(1);
    expect(oneLine(again.stderr)).toMatch(/r\.db\.pre-restore already exists/);
  });

  it("restore refuses a database another process has open, and a backup that fails its check", async () => {
    const dir = tempDir();
    const db = join(dir, "live.db");
    await makeDatabase(db, 3);
    const out = join(dir, "live.bak");
    expect((await cli(["backup", db, out])).code).toBe(0);
    await holdOpen(db, false);
    const inUse = await cli(["restore", out, db]);
    expect(inUse.code).toBe(1);
    expect(oneLine(inUse.stderr)).toMatch(
      /live\.db is in use: another connection \(maybe in another process\) has it open/,
    );
    expect(existsSync(`${db}.pre-restore`)).toBe(false);
    const bad = join(dir, "bad.bak");
    await rawSql(bad, "CREATE TABLE unrelated (x)");
    const refused = await cli(["restore", bad, join(dir, "new.db")]);
    expect(refused.code).toBe(1);
    expect(oneLine(refused.stderr)).toMatch(
      /bad\.bak failed its integrity check: schema version 0/,
    );
    expect(existsSync(join(dir, "new.db"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("search prints ranked hits with snippets; bad options are usage errors", async () => {
    const dir = tempDir();
    const db = join(dir, "s.db");
    await makeDatabase(db, 5);
    const run = await cli(["search", db, "reset password", "--limit", "2"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^#\s+session\s+seq\s+role\s+snippet$/m);
    expect(run.stdout).toContain("«reset» my «password»");
    expect(run.stdout).toContain("(more results: raise --limit)");
    const none = await cli(["search", db, "zebra"]);
    expect(none.stdout).toBe('no messages match "zebra"\n');
    const asJson = JSON.parse(
      (await cli(["search", "--json", db, "settings", "--role", "assistant"])).stdout,
    ) as {
      items: unknown[];
    };
    expect(asJson.items).toHaveLength(5);
    expect((await cli(["search", db, "x", "--limit", "0"])).code).toBe(2);
    expect((await cli(["search", db, "x", "--role", "robot"])).code).toBe(2);
  });

  it("sweep needs a duration and applies it; vacuum, checkpoint and optimize report what they did", async () => {
    const dir = tempDir();
    const db = join(dir, "m.db");
    await makeDatabase(db, 40);
    expect((await cli(["sweep", db])).code).toBe(2);
    expect((await cli(["sweep", db, "--idle-after", "soon"])).code).toBe(2);
    // A minute of quiet, without waiting for it.
    await rawSql(db, "UPDATE sessions SET last_activity_at = last_activity_at - 60000");
    const sweep = await cli(["sweep", db, "--idle-after", "30s"]);
    expect(sweep.code).toBe(0);
    expect(sweep.stdout).toMatch(/^idled\s+40$/m);
    await withStore(db, async (store) => {
      const list = await store.sessions.list({ limit: 30 });
      for (const s of list.items) await store.sessions.delete(s.id);
    });
    const vacuum = await cli(["vacuum", db]);
    expect(vacuum.code).toBe(0);
    expect(vacuum.stdout).toMatch(/^free pages\s+[1-9]\d*\s+0$/m);
    expect(vacuum.stdout).toMatch(/freed [\d.]+ KiB .*journal mode wal; quick_check ok/);
    const checkpoint = await cli(["checkpoint", db]);
    expect(checkpoint.code).toBe(0);
    expect(checkpoint.stdout).toMatch(/^WAL after\s+0 B$/m);
    const optimize = await cli(["optimize", db]);
    expect(optimize.code).toBe(0);
    expect(optimize.stdout).toContain("analyzed; search index merged; WAL truncated; not vacuumed");
  });

  it("sweep says on stderr what it is doing (a log gets one line per step); --json prints nothing there", async () => {
    const dir = tempDir();
    const db = join(dir, "p.db");
    await makeDatabase(db, 3);
    const run = await cli(["sweep", db, "--idle-after", "30m", "--archive-after", "7d"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      "sweep: opening and checking\nsweep: idle after 30m, archive after 7d\n",
    );
    expect(run.stdout).toMatch(/^idled\s+0$/m);
    const unverified = await cli(["--no-verify", "sweep", db, "--purge-after", "90d"]);
    expect(unverified.stderr).toBe("sweep: opening\nsweep: purge after 90d\n");
    const quiet = await cli(["sweep", "--json", db, "--idle-after", "30m"]);
    expect(quiet.stderr).toBe("");
    expect(JSON.parse(quiet.stdout)).toMatchObject({ idled: 0 });
  });

  it("stats counts every message; backup's figure is labelled as the messages not archived, and the two agree", async () => {
    const dir = tempDir();
    const db = join(dir, "a.db");
    await makeDatabase(db, 3);
    await withStore(db, async (store) => {
      const [first] = (await store.sessions.list({ limit: 1 })).items;
      if (first) await store.lifecycle.archive(first.id);
    });
    const stats = await cli(["stats", "--json", db]);
    const figures = JSON.parse(stats.stdout) as {
      stats: { messages: number; sessions: { archived: number } };
    };
    expect(figures.stats.messages).toBe(6);
    expect(figures.stats.sessions.archived).toBe(1);
    const backup = await cli(["backup", db, join(dir, "a.bak")]);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^messages \(not archived\)\s+4$/m);
    expect(backup.stdout).not.toMatch(/^messages\s+\d/m);
  });

  it("migrate brings a v0 database forward after a backup; a current database needs nothing", async () => {
    const dir = tempDir();
    const db = join(dir, "old.db");
    await rawSql(
      db,
      `CREATE TABLE sessions (session_id TEXT PRIMARY KEY, created_at TEXT, last_activity TEXT, message_count INTEGER, title TEXT);
       CREATE TABLE messages (message_id INTEGER PRIMARY KEY, session_id TEXT, role TEXT, content TEXT, timestamp TEXT);
       INSERT INTO sessions VALUES ('s1', '2024-01-01T00:00:00Z', '2024-01-01T00:05:00Z', 5, 'old one');
       INSERT INTO messages (session_id, role, content, timestamp) VALUES
         ('s1', 'human', 'hello from v0', '2024-01-01T00:00:00Z'),
         ('s1', 'ai', 'hi there', '2024-01-01T00:00:01Z'),
         ('gone', 'user', 'orphan', '2024-01-01T00:00:02Z');`,
    );
    const refused = await cli(["stats", db]);
    expect(refused.code).toBe(1);
    expect(oneLine(refused.stderr)).toMatch(/older \(v0\) layout.*llm-sessions migrate/);
    const run = await cli(["migrate", "--backup-to", join(dir, "old.bak"), db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^found\s+the older v0 layout$/m);
    expect(run.stdout).toMatch(/^messages\s+2$/m);
    expect(run.stdout).toMatch(/^quarantined \(orphans\)\s+1$/m);
    expect(run.stdout).toMatch(/^check\s+sound$/m);
    expect(existsSync(join(dir, "old.bak"))).toBe(true);
    const search = await cli(["search", db, "hello"]);
    expect(search.stdout).toContain("«hello» from v0");
    const again = await cli(["migrate", db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^schema\s+\d+ -> \d+ \(nothing to do\)$/m);
    expect(again.stdout).toMatch(/^backup\s+\(none written\)$/m);
  });

  it("--driver libsql runs the same commands (backup by VACUUM INTO)", async () => {
    const dir = tempDir();
    const db = join(dir, "l.db");
    await makeDatabase(db, 4);
    const stats = await cli(["--driver", "libsql", "stats", "--json", db]);
    expect(stats.code).toBe(0);
    expect((JSON.parse(stats.stdout) as { stats: { messages: number } }).stats.messages).toBe(8);
    const out = join(dir, "l.bak");
    const backup = await cli(["--driver", "libsql", "backup", db, out]);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^method\s+vacuum-into$/m);
    const restored = join(dir, "copy.db");
    const restore = await cli(["--driver", "libsql", "restore", out, restored]);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/previous file kept as\s+\(there was none\)/);
    expect((await cli(["--driver", "libsql", "doctor", restored])).code).toBe(0);
    const server = await cli(["stats", "libsql://example.invalid"]);
    expect(server.code).toBe(2);
    expect(oneLine(server.stderr)).toBe(
      "llm-sessions: libsql://example.invalid is a server URL: add --driver libsql",
    );
  });
});
