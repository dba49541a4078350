import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty directory, removed after the current test. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-sessions-libsql-"));
  made.push(dir);
  return dir;
}

/** A path for a database file that does not exist yet, in a fresh directory. */
export function tempDbPath(name = "test.db"): string {
  return path.join(tempDir(), name);
}
