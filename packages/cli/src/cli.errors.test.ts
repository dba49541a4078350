import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BIN,
  cli,
  holdOpen,
  makeDatabase,
  oneLine,
  rawSql,
  tableNames,
  tempDir,
} from "./test-support/cli-harness.js";

describe("llm-sessions: usage and error lines (the built bin, as a child process)", () => {
  it("--help lists every command and exits 0; --version prints the version", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of [
      "checkpoint",
      "doctor",
      "migrate",
      "backup",
      "restore",
      "stats",
      "sweep",
      "vacuum",
      "optimize",
      "search",
    ]) {
      expect(help.stdout).toContain(`${command} [options]`);
    }
    const version = await cli(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: "0.0.0\n" });
  });

  it("usage errors exit 2 with a clear line: no command, unknown command or option, missing argument, bad value", async () => {
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: llm-sessions");
    const cases: [string[], RegExp][] = [
      [["frob"], /^llm-sessions: unknown command 'frob'$/],
      [["stats", "x.db", "--bogus"], /^llm-sessions: unknown option '--bogus'$/],
      [["backup", "x.db"], /^llm-sessions: missing required argument 'out'$/],
      [
        ["--driver", "mysql", "stats", "x.db"],
        /^llm-sessions: option '--driver <name>' argument 'mysql' is invalid/,
      ],
      [
        ["--busy-timeout", "soon", "stats", "x.db"],
        /^llm-sessions: option '--busy-timeout <ms>' argument 'soon' is invalid/,
      ],
    ];
    for (const [args, line] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(oneLine(run.stderr), args.join(" ")).toMatch(line);
      expect(run.stdout).toBe("");
    }
  });

  it("a missing file is one line and exit 2 for every command, and no database is created", async () => {
    const dir = tempDir();
    const missing = join(dir, "missing.db");
    const commands = [
      ["doctor", missing],
      ["migrate", missing],
      ["backup", missing, join(dir, "out.bak")],
      ["restore", join(dir, "missing.bak"), missing],
      ["stats", missing],
      ["sweep", missing, "--idle-after", "1h"],
      ["vacuum", missing],
      ["checkpoint", missing],
      ["optimize", missing],
      ["search", missing, "hello"],
    ];
    const runs = await Promise.all(commands.map((args) => cli(args)));
    for (const [i, run] of runs.entries()) {
      const args = commands[i] ?? [];
      expect(run.code, args.join(" ")).toBe(2);
      expect(oneLine(run.stderr), args.join(" ")).toMatch(
        /^llm-sessions: no such (database|backup) file: .*missing\.(db|bak)$/,
      );
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(dir, "out.bak"))).toBe(false);
  });

  it("a directory is a usage error; a file that is not a database is one line and exit 1", async () => {
    const dir = tempDir();
    const run = await cli(["stats", dir]);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/is a directory, not a database file$/);
    const text = join(dir, "notes.db");
    writeFileSync(text, "these are my notes, not a database; ".repeat(200));
    for (const args of [
      ["stats", text],
      ["doctor", text],
      ["backup", text, join(dir, "x.bak")],
      ["search", text, "x"],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(oneLine(r.stderr), args.join(" ")).toBe(
        `llm-sessions: ${text} is not a SQLite database (or it is encrypted)`,
      );
    }
  });

  it("an empty file or another application's SQLite database is refused (exit 1) and left unchanged", async () => {
    const dir = tempDir();
    const empty = join(dir, "empty.db");
    writeFileSync(empty, "");
    for (const args of [
      ["stats", empty],
      ["doctor", empty],
      ["migrate", empty],
      ["search", empty, "x"],
    ]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(1);
      expect(oneLine(run.stderr), args.join(" ")).toBe(
        `llm-sessions: ${empty} is an empty database, not an llm-sessions one (the CLI never creates a database)`,
      );
    }
    expect(statSync(empty).size).toBe(0);
    const other = join(dir, "other.db");
    await rawSql(other, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')");
    const run = await cli(["vacuum", other]);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe(
      `llm-sessions: ${other} is not an llm-sessions database (its tables: notes)`,
    );
    expect(await tableNames(other)).toEqual(["notes"]);
  });

  it("a reader that stops early (| head) is not an error", async () => {
    const dir = tempDir();
    const db = join(dir, "a.db");
    await makeDatabase(db, 300);
    const child = spawn(process.execPath, [BIN, "search", db, "password", "--limit", "200"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("a database another process has locked is one line and exit 1, after --busy-timeout", async () => {
    const dir = tempDir();
    const db = join(dir, "locked.db");
    await makeDatabase(db, 2);
    await holdOpen(db, true);
    const run = await cli(["--busy-timeout", "200", "stats", db]);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      /^llm-sessions: .*locked\.db is locked by another process \(.*\); stop it or retry, or raise --busy-timeout$/,
    );
  });

  it("a failure inside a command (a backup over an existing file) is one line, never a stack", async () => {
    const dir = tempDir();
    const db = join(dir, "a.db");
    await makeDatabase(db, 2);
    writeFileSync(join(dir, "taken.bak"), "x");
    const run = await cli(["backup", db, join(dir, "taken.bak")]);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(
      /^llm-sessions: maintenance.backup: path: .*taken\.bak already exists/,
    );
  });
});

describe("llm-sessions: numbers, paths and which file an error names", () => {
  it("a numeric option that is not a plain whole number in range is a usage error (exit 2), before the database is opened", async () => {
    const dir = tempDir();
    const db = join(dir, "n.db");
    await makeDatabase(db, 1);
    const cases: [string[], RegExp][] = [
      [["--busy-timeout", "1e99", "stats", db], /--busy-timeout <ms>' argument '1e99' is invalid/],
      [["--busy-timeout", "2147483648", "stats", db], /argument '2147483648' is invalid/],
      [["--busy-timeout", "0x10", "stats", db], /argument '0x10' is invalid/],
      [["--busy-timeout", "1.5", "stats", db], /argument '1.5' is invalid/],
      [["--busy-timeout", "-1", "stats", db], /argument '-1' is invalid/],
      [["search", db, "x", "--limit", "1e99"], /--limit must be a whole number from 1 to 200/],
      [["search", db, "x", "--limit", "201"], /--limit must be a whole number from 1 to 200/],
      [["search", db, "x", "--limit", "0x10"], /--limit must be a whole number from 1 to 200/],
      [["sweep", db, "--idle-after", "99999999999999999999d"], /--idle-after: .* is too long/],
    ];
    for (const [args, line] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(oneLine(run.stderr), args.join(" ")).toMatch(line);
      expect(run.stdout, args.join(" ")).toBe("");
    }
    expect(
      (await cli(["--busy-timeout", "2147483647", "search", db, "x", "--limit", "200"])).code,
    ).toBe(0);
  });

  it("a backup or restore target that cannot be written is named, not the database, and nothing changes", async () => {
    const dir = tempDir();
    const db = join(dir, "good.db");
    await makeDatabase(db, 2);
    // /proc takes no new files, even from root (chmod would not stop root).
    for (const args of [
      ["backup", db, "/proc/x.bak"],
      ["backup", "--method", "vacuum-into", db, "/proc/x.bak"],
      ["backup", db, join(dir, "no-such-dir", "x.bak")],
    ]) {
      const run = await cli(args);
      const line = oneLine(run.stderr);
      expect(line, args.join(" ")).toMatch(/^llm-sessions: cannot write the backup \/.*x\.bak: /);
      expect(line, args.join(" ")).not.toContain("good.db");
      expect(run.code, args.join(" ")).toBe(args.includes("/proc/x.bak") ? 1 : 2);
    }
    const restore = await cli(["restore", db, "/proc/y.db"]);
    expect(restore.code).toBe(1);
    expect(oneLine(restore.stderr)).toBe(
      "llm-sessions: cannot write /proc/y.db: files cannot be created in that directory",
    );
    await rawSql(db, "UPDATE sessions SET message_count = 99 WHERE rowid = 1");
    for (const args of [
      ["doctor", "--repair", "--backup-to", "/proc/x.bak", db],
      ["migrate", "--backup-to", "/proc/x.bak", db],
    ]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(1);
      expect(oneLine(run.stderr), args.join(" ")).toBe(
        "llm-sessions: cannot write the backup /proc/x.bak: files cannot be created in that directory",
      );
    }
    // The repair did not run without its backup.
    expect((await cli(["doctor", db])).code).toBe(1);
  });

  it("--driver libsql opens a file whose name has %41, #, ?, spaces and non-ASCII (and no other file)", async () => {
    const dir = tempDir();
    const name = "r%41 #1?x=y ü€.db";
    const db = join(dir, name);
    await makeDatabase(db, 3);
    const stats = await cli(["--driver", "libsql", "stats", "--json", db]);
    expect(stats.stderr).toBe("");
    expect(stats.code).toBe(0);
    expect((JSON.parse(stats.stdout) as { stats: { messages: number } }).stats.messages).toBe(6);
    const out = join(dir, "b%2F #?ü.bak");
    const backup = await cli(["--driver", "libsql", "backup", db, out]);
    expect(backup.code).toBe(0);
    const restored = join(dir, "c%20 #ü.db");
    expect((await cli(["--driver", "libsql", "restore", out, restored])).code).toBe(0);
    expect((await cli(["--driver", "libsql", "doctor", restored])).code).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toEqual([name, out.slice(dir.length + 1), restored.slice(dir.length + 1)].sort());
  });
});
