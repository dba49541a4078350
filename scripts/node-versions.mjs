#!/usr/bin/env node
// Runs every adapter's conformance and store suites on other Node releases
// than the one `npm test` runs on:
//
//   node scripts/node-versions.mjs            # the releases below
//   node scripts/node-versions.mjs 22.16.0 24 # these (a major means its newest)
//
// Each release comes from the npm registry (scripts/lib/node-dist.mjs).
// better-sqlite3 is compiled once per Node ABI and better-sqlite3 version, kept
// in ~/.cache/llm-sessions/better-sqlite3, swapped into node_modules for the
// run and swapped back at the end (also on Ctrl-C), so the workspace is left
// built for the Node it was installed with.
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { installNode, nodeCacheRoot, nodeEnv } from "./lib/node-dist.mjs";

/**
 * The oldest release of the supported range (`engines`), and the line between
 * it and the LTS that `.ci/run` gives the full `npm test`.
 */
const DEFAULT_RELEASES = ["22.16.0", "24"];

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const betterSqlite = join(root, "node_modules", "better-sqlite3");
const binding = join(betterSqlite, "build", "Release", "better_sqlite3.node");
const started = Date.now();
const clock = () => `+${Math.round((Date.now() - started) / 1000)}s`;
const log = (msg) => console.log(`[node-versions ${clock()}] ${msg}`);

/** Adapters are the packages with both suites' wiring. */
function adapters() {
  return readdirSync(join(root, "packages"))
    .filter((name) => name.startsWith("adapter-"))
    .filter((name) =>
      ["conformance.test.ts", "store.test.ts"].every((f) =>
        existsSync(join(root, "packages", name, "src", f)),
      ),
    );
}

/** better-sqlite3 compiled for one Node release, from the cache or built now. */
function bindingFor(version, dir) {
  const { version: bsq } = JSON.parse(readFileSync(join(betterSqlite, "package.json"), "utf8"));
  // Native modules are built per ABI (every 22.x shares one), so one build serves a whole line.
  const abi = spawnSync(join(dir, "bin", "node"), ["-p", "process.versions.modules"], {
    encoding: "utf8",
  }).stdout.trim();
  const cached = join(dirname(nodeCacheRoot()), "better-sqlite3", bsq, `abi-${abi}.node`);
  if (existsSync(cached)) {
    log(`better-sqlite3 ${bsq} for Node ${version} (ABI ${abi}): cached`);
    return cached;
  }
  log(`better-sqlite3 ${bsq} for Node ${version}: compiling (a few minutes)`);
  const t = Date.now();
  const r = spawnSync(
    npm,
    ["rebuild", "better-sqlite3", "--build-from-source", "--loglevel=error"],
    {
      cwd: root,
      env: nodeEnv(dir),
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  if (r.status !== 0) throw new Error(`compiling better-sqlite3 for Node ${version} failed`);
  mkdirSync(dirname(cached), { recursive: true });
  copyFileSync(binding, `${cached}.partial`);
  copyFileSync(`${cached}.partial`, cached);
  rmSync(`${cached}.partial`);
  log(`better-sqlite3 compiled for Node ${version} in ${Math.round((Date.now() - t) / 1000)} s`);
  return cached;
}

/**
 * One adapter's suites on one release, in a child process; its output is
 * printed whole when it ends, so that runs side by side do not interleave.
 */
function runSuites(version, dir, adapter) {
  const t = Date.now();
  log(`Node ${version}: ${adapter} conformance and store suites`);
  return new Promise((resolvePromise) => {
    const child = spawn(
      join(dir, "bin", "node"),
      [vitest, "run", "src/conformance.test.ts", "src/store.test.ts", "--reporter=dot"],
      {
        cwd: join(root, "packages", adapter),
        env: nodeEnv(dir),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const output = [];
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("close", (code) => {
      const seconds = Math.round((Date.now() - t) / 1000);
      log(`Node ${version}: ${adapter} ${code === 0 ? "passed" : "FAILED"} (${seconds} s)`);
      process.stdout.write(Buffer.concat(output));
      resolvePromise({ version, adapter, ok: code === 0, seconds });
    });
  });
}

const specs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_RELEASES;
const saved = join(mkdtempSync(join(tmpdir(), "llm-sessions-bsq-")), "better_sqlite3.node");
copyFileSync(binding, saved);
const restore = () => {
  if (existsSync(saved)) {
    copyFileSync(saved, binding);
    rmSync(dirname(saved), { recursive: true, force: true });
  }
};
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    restore();
    process.exit(130);
  });
}

const results = [];
try {
  for (const spec of specs) {
    const { version, dir } = installNode(spec, log);
    copyFileSync(bindingFor(version, dir), binding);
    // The adapters of one release run side by side (they share its
    // better-sqlite3 build): on CI's two cores this is the step's longest wait.
    results.push(...(await Promise.all(adapters().map((a) => runSuites(version, dir, a)))));
  }
} finally {
  restore();
}

console.log("\nNode      adapter                    suites  time");
for (const r of results) {
  console.log(
    `${r.version.padEnd(9)} ${r.adapter.padEnd(26)} ${(r.ok ? "passed" : "FAILED").padEnd(7)} ${r.seconds} s`,
  );
}
const failed = results.filter((r) => !r.ok).length;
console.log(`node-versions: ${results.length - failed} passed, ${failed} failed (${clock()})`);
process.exit(failed === 0 ? 0 : 1);
