import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

/**
 * A fresh temp directory per test, removed after it (connections left open
 * by a failing test do not stop the removal on Linux).
 */
export function useTempDir(): { file(name?: string): string } {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    file(name = "test.db") {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-sessions-bs3-"));
      dirs.push(dir);
      return path.join(dir, name);
    },
  };
}
