import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore, type Store } from "@llm-sessions/core";
import { afterEach } from "vitest";

/** The built command. The package's `test` script builds it first (`tsc -p tsconfig.build.json`). */
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

/** What one run of the command produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/bin.js ...args` as a child process; never throws on a non-zero exit. */
export function cli(args: readonly string[], cwd?: string): Promise<CliRun> {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build the CLI first (npm run build -w @llm-sessions/cli)`);
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, LLM_SESSIONS_DEBUG: "" }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "llm-sessions-cli-"));
  dirs.push(dir);
  return dir;
}

/**
 * A database made through the library (in this process, then closed): `n`
 * sessions with two messages each, half of them on model `a`.
 */
export async function makeDatabase(path: string, n = 10): Promise<void> {
  await withStore(path, async (store) => {
    for (let i = 0; i < n; i++) {
      const s = await store.sessions.create({ title: `session ${i}`, model: i % 2 ? "b" : "a" });
      await store.messages.append(s.id, [
        { role: "user", content: `how do I reset my password, take ${i}`, tokens: 3 },
        { role: "assistant", content: `open settings and choose reset ${i}`, tokens: 7 },
      ]);
    }
  });
}

/** Opens a store on `path` with better-sqlite3 for the duration of `fn`. */
export async function withStore<T>(path: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ driver: betterSqlite({ filename: path }) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Runs raw SQL on `path` through the adapter (no store: no migrations, no checks). */
export async function rawSql(path: string, sql: string): Promise<void> {
  const conn = await betterSqlite({ filename: path }).connect();
  try {
    await conn.exec(sql);
  } finally {
    await conn.close();
  }
}

/** The table names of a database file (read through the adapter). */
export async function tableNames(path: string): Promise<string[]> {
  const conn = await betterSqlite({ filename: path }).connect({ readonly: true });
  try {
    const rows = await conn.all<{ name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
    );
    return rows.map((r) => r.name);
  } finally {
    await conn.close();
  }
}

/**
 * Another process that has the database open: `exclusive` holds SQLite's
 * exclusive lock (nobody else can even read); otherwise it just keeps an
 * ordinary WAL connection open and idle, like an idle application.
 * Resolves once the child holds it; the child is killed after the test.
 */
export async function holdOpen(path: string, exclusive: boolean): Promise<void> {
  const adapterDir = fileURLToPath(new URL("../../../adapter-better-sqlite/", import.meta.url));
  const driver = createRequire(join(adapterDir, "package.json")).resolve("better-sqlite3");
  const script = `
    const Database = require(${JSON.stringify(driver)});
    const db = new Database(${JSON.stringify(path)});
    ${exclusive ? `db.pragma("locking_mode = EXCLUSIVE"); db.exec("BEGIN EXCLUSIVE; COMMIT");` : `db.prepare("SELECT count(*) FROM sessions").get();`}
    process.stdout.write("ready\\n");
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the holder exited with ${code}`)));
    child.stdout?.once("data", () => resolve());
  });
}

/**
 * The one error line of a run's stderr (progress lines may come before it;
 * commander's usage hint after it). Fails on a stack trace or on more than
 * one `llm-sessions:` line.
 */
export function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  if (lines.some((l) => /^\s+at /.test(l)))
    throw new Error(`a stack trace was printed:\n${stderr}`);
  const errors = lines.filter((l) => l.startsWith("llm-sessions: "));
  if (errors.length !== 1) throw new Error(`expected one error line, got:\n${stderr}`);
  return errors[0] ?? "";
}
