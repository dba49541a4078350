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

/**
 * A store on a new file in a new temp dir. `reopen` opens another store on
 * the same file (closed by `dispose` too): what a restarted server, or a
 * second process, sees.
 */
export async function tempStore(driver: (path: string) => SqliteDriver): Promise<{
  store: Store;
  path: string;
  reopen: () => Promise<Store>;
  dispose: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), "llm-sessions-ai-sdk-"));
  const path = join(dir, "store.db");
  const store = await openStore({ driver: driver(path) });
  const others: Store[] = [];
  return {
    store,
    path,
    reopen: async () => {
      const other = await openStore({ driver: driver(path) });
      others.push(other);
      return other;
    },
    dispose: async () => {
      for (const other of others) await other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
