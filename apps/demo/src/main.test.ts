/**
 * `npm run demo` as a user runs it: the built CLI (dist/main.js) in a child
 * process. `npm test` builds first (turbo); run `npm run build` before
 * running this file alone.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llm-sessions-demo-cli-"));
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npm run build -w @llm-sessions/demo\` first`);
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/**
 * How long a child may take before the test calls it hung. Generous: on a
 * fully loaded machine starting Node and loading the store takes seconds.
 */
const HANG_MS = 90_000;
/** A test's own timeout: above every wait in it. */
const TEST_MS = 4 * HANG_MS;

const run = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: HANG_MS });

describe("the demo CLI", () => {
  it("--help prints the options", { timeout: TEST_MS }, () => {
    const r = run("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--driver better-sqlite3|libsql");
    expect(r.stdout).toContain("--port N");
  });

  it.each([
    [["--port", "http"], "--port"],
    [["--driver", "oracle"], "unknown --driver"],
    [["--idle-after", "20", "--archive-after", "10"], "--idle-after < --archive-after"],
    [["--bogus"], "bogus"],
    [["--duration", "1e99"], "--duration must be a number from 1 to 2147483"],
    [["--duration", "9999999"], "--duration must be"],
    [["--users", "1e9"], "--users must be an integer"],
    [["--seed", "0x10"], "--seed must be an integer"],
    [["--port", "65536"], "--port must be an integer from 0 to 65535"],
    [["--idle-after", "1e99"], "--idle-after must be"],
  ])("refuses %j with exit code 2", { timeout: TEST_MS }, (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("--fresh refuses a file that is not an llm-sessions store with exit code 2, and keeps it", {
    timeout: TEST_MS,
  }, () => {
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "mine\n");
    const r = run("--fresh", "--db", notes, "--port", "0", "--duration", "1");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--fresh deletes only an llm-sessions store");
    expect(readFileSync(notes, "utf8")).toBe("mine\n");
  });

  // better-sqlite is the llm-sessions CLI's spelling: both are taken.
  for (const driver of ["better-sqlite3", "libsql", "better-sqlite"]) {
    it(`serves the page on ${driver} until SIGTERM, then prints the summary and exits 0`, {
      timeout: TEST_MS,
    }, async () => {
      const child = spawn(
        process.execPath,
        [
          MAIN,
          "--driver",
          driver,
          "--db",
          join(dir, `${driver}.db`),
          "--port",
          "0",
          "--rate",
          "20",
        ],
        { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, INIT_CWD: dir } },
      );
      children.push(child);
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
      });
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        err += d;
      });
      const exited = new Promise<number | null>((resolve) =>
        child.on("exit", (code) => resolve(code)),
      );

      const started = Date.now();
      let url: string | undefined;
      while (!url && Date.now() - started < HANG_MS && child.exitCode === null) {
        url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url, `stdout: ${out}\nstderr: ${err}`).toBeDefined();
      const page = await fetch(url as string);
      expect(page.status).toBe(200);
      // The simulation stores its first sessions within moments (polled: CI machines are busy).
      let sessions: { items: unknown[] } = { items: [] };
      for (
        const until = Date.now() + HANG_MS;
        sessions.items.length === 0 && Date.now() < until;
      ) {
        await new Promise((r) => setTimeout(r, 100));
        sessions = (await (await fetch(`${url}api/sessions`)).json()) as { items: unknown[] };
      }
      expect(sessions.items.length).toBeGreaterThan(0);

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(out).toContain("Usage per model");
      expect(out).toContain("Integrity: ok");
      expect(err).toBe("");
    });
  }
});
