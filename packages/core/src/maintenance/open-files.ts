import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/**
 * The database files stores in this process have open, path → how many
 * stores. Kept on `globalThis` under a registered symbol so that two copies
 * of this library loaded in one process (a CLI and an app, a bundler's
 * duplicate) still see each other's stores.
 */
const KEY = Symbol.for("@llm-sessions/core:open-database-files");

function registry(): Map<string, number> {
  const holder = globalThis as { [KEY]?: Map<string, number> };
  holder[KEY] ??= new Map();
  return holder[KEY];
}

/**
 * One spelling per file: symlinks and `..` resolved. A file that does not
 * exist yet is named through its directory's real path.
 */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/** Records that a store has `path` open; the returned function (idempotent) forgets it. */
export function registerOpenFile(path: string): () => void {
  const key = canonicalPath(path);
  const files = registry();
  files.set(key, (files.get(key) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (files.get(key) ?? 1) - 1;
    if (n <= 0) files.delete(key);
    else files.set(key, n);
  };
}

/** Whether a store in this process has `path` open. */
export function isOpenInThisProcess(path: string): boolean {
  return registry().has(canonicalPath(path));
}
