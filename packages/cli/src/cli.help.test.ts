import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BIN, type CliRun, cli, makeDatabase, tempDir } from "./test-support/cli-harness.js";

const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const DENY = fileURLToPath(new URL("./test-support/deny-library.mjs", import.meta.url));

function node(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args],
      { env: { ...process.env, LLM_SESSIONS_DEBUG: "" }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** The bin as npm links it: the package.json `bin` target, run from the source tree. */
function binTarget(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as {
    bin: Record<string, string>;
    files: string[];
  };
  const target = pkg.bin["llm-sessions"];
  if (target === undefined) throw new Error("package.json has no llm-sessions bin");
  return join(PACKAGE, target);
}

describe("llm-sessions: the bin, --version and help", () => {
  it("the package.json bin target is a committed launcher outside dist/ (npm links it before the build), published, and runs the command", async () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      files: string[];
    };
    const target = pkg.bin["llm-sessions"] ?? "";
    expect(target).not.toMatch(/^(\.\/)?dist\//);
    expect(pkg.files).toContain(target.replace(/^\.\//, "").split("/")[0]);
    const help = await node([binTarget(), "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: llm-sessions");
    expect((await node([binTarget(), "--version"])).stdout).toBe("0.0.0\n");
  });

  it("every workspace package's bin is a committed file outside dist/, in its published files", () => {
    const packages = join(PACKAGE, "..");
    const bins: string[] = [];
    for (const name of readdirSync(packages)) {
      const manifest = join(packages, name, "package.json");
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
        bin?: Record<string, string>;
        files?: string[];
      };
      for (const [command, target] of Object.entries(pkg.bin ?? {})) {
        const path = target.replace(/^\.\//, "");
        bins.push(command);
        expect(path, command).not.toMatch(/^dist\//);
        expect(existsSync(join(packages, name, path)), `${command}: ${path}`).toBe(true);
        expect(pkg.files ?? [], command).toContain(path.split("/")[0]);
      }
    }
    expect(bins.sort()).toEqual(["llm-sessions", "llm-sessions-stress"]);
  });

  it("the launcher without a build says to build (exit 1), no stack", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "bin"));
    const copy = join(dir, "bin", "llm-sessions.js");
    copyFileSync(binTarget(), copy);
    const run = await node([copy, "--help"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^llm-sessions: .*dist[/\\]bin\.js is missing: build first \(npm run build\)\n$/,
    );
    expect(run.stdout).toBe("");
  });

  it("--version and --help answer without importing the library or a driver", async () => {
    const version = await node(["--import", DENY, BIN, "--version"]);
    expect(version).toMatchObject({ code: 0, stdout: "0.0.0\n" });
    for (const args of [["--help"], ["stats", "--help"], ["help", "sweep"]]) {
      const run = await node(["--import", DENY, BIN, ...args]);
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.stdout, args.join(" ")).toContain("Usage: llm-sessions");
    }
    // The hook works: a command that opens a database is refused the library.
    const dir = tempDir();
    const db = join(dir, "v.db");
    await makeDatabase(db, 1);
    const opened = await node(["--import", DENY, BIN, "stats", db]);
    expect(opened.code).toBe(1);
    expect(opened.stderr).toContain("denied import of @llm-sessions/core");
  });

  it("every command's help lists the global options, the exit codes and examples; numbers show as numbers", async () => {
    for (const command of [
      "doctor",
      "migrate",
      "backup",
      "restore",
      "stats",
      "sweep",
      "vacuum",
      "checkpoint",
      "optimize",
      "search",
    ]) {
      const help = await cli([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/Global Options:\n(.*\n)*\s+--driver <name>/);
      expect(help.stdout, command).toContain("--busy-timeout <ms>");
      expect(help.stdout, command).toContain("(default: 5000)");
      expect(help.stdout, command).toMatch(/Exit codes:\n\s+0\s.*\n\s+1\s.*\n\s+2\s+usage/);
      expect(help.stdout, command).toMatch(new RegExp(`Examples:\\n\\s+llm-sessions ${command} `));
    }
    const search = await cli(["search", "--help"]);
    expect(search.stdout).toMatch(/--limit <n>[\s\S]*\(default: 20\)/);
    expect(search.stdout).not.toContain('"20"');
    const root = await cli(["--help"]);
    expect(root.stdout).toMatch(/Exit codes:\n/);
    expect(root.stdout).toContain("LLM_SESSIONS_DEBUG");
  });

  it("--driver takes better-sqlite and better-sqlite3 (the package's name) alike", async () => {
    const dir = tempDir();
    const db = join(dir, "d.db");
    await makeDatabase(db, 2);
    for (const name of ["better-sqlite", "better-sqlite3", "libsql"]) {
      const run = await cli(["--driver", name, "stats", "--json", db]);
      expect(run.code, name).toBe(0);
      expect((JSON.parse(run.stdout) as { stats: { messages: number } }).stats.messages).toBe(4);
    }
    const bad = await cli(["--driver", "sqlite3", "stats", db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/argument 'sqlite3' is invalid\. use better-sqlite or libsql/);
  });
});
