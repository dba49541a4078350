import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { fileUrl, libsql } from "@llm-sessions/adapter-libsql";
import { nodeSqlite } from "@llm-sessions/adapter-node-sqlite";
import { openStore, type SqliteDriver, type Store } from "@llm-sessions/core";

/** The local adapters the package is proven on, each on a file. */
export const ADAPTERS: readonly { name: string; driver: (path: string) => SqliteDriver }[] = [
  { name: "better-sqlite3", driver: (path) => betterSqlite({ filename: path }) },
  { name: "node:sqlite", driver: (path) => nodeSqlite({ filename: path }) },
  { name: "libsql (file)", driver: (path) => libsql({ url: fileUrl(path) }) },
];

/** A store on a new file in a new temp dir; `dispose` closes it and removes the dir. */
export async function tempStore(
  driver: (path: string) => SqliteDriver,
  options: { clock?: () => number } = {},
): Promise<{ store: Store; path: string; dispose: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "llm-sessions-openai-agents-"));
  const path = join(dir, "store.db");
  const store = await openStore({ driver: driver(path), ...options });
  return {
    store,
    path,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
