import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store, UnsupportedOperationError } from "@llm-sessions/core";
import { afterEach, describe, expect, it } from "vitest";
import { forEachRemoteScheme } from "./test-support/remote-suites.js";

/**
 * What the store does differently on a server, where the store suites skip
 * a test for it: each difference is checked here, so a skip never hides a
 * behaviour that is not tested.
 */
forEachRemoteScheme("store differences", (scheme, createDriver) => {
  describe(`store on sqld over ${scheme}: what a server does differently`, () => {
    const dirs: string[] = [];
    const stores: Store[] = [];
    afterEach(async () => {
      await Promise.allSettled(stores.splice(0).map((s) => s.close()));
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });
    const open = async (): Promise<{ store: Store; dir: string }> => {
      const dir = mkdtempSync(join(tmpdir(), "llm-sessions-remote-"));
      dirs.push(dir);
      const store = await openStore({
        driver: await createDriver({ path: join(dir, "store.db") }),
        searchIndexing: { batch: 100_000, delayMs: 60_000 },
      });
      stores.push(store);
      return { store, dir };
    };
    const user = (content: string) => ({ role: "user" as const, content });

    it("backup is UnsupportedOperationError and writes nothing (no online backup, no VACUUM INTO)", async () => {
      const { store, dir } = await open();
      await store.sessions.create({ id: "s" });
      await expect(store.maintenance.backup(join(dir, "copy.db"))).rejects.toBeInstanceOf(
        UnsupportedOperationError,
      );
    });

    it("repair with a backup path is UnsupportedOperationError saying to pass backupTo: false, and repairs without one", async () => {
      const { store, dir } = await open();
      await store.sessions.create({ id: "s" });
      const refused = store.integrity.repair({ backupTo: join(dir, "copy.db") });
      await expect(refused).rejects.toBeInstanceOf(UnsupportedOperationError);
      await expect(refused).rejects.toThrow(/integrity\.repair .*backupTo: false/);
      expect(await store.integrity.repair({ backupTo: false })).toMatchObject({ ok: true });
    });

    it("vacuum and checkpoint report unsupported; optimize merges the search index without ANALYZE", async () => {
      const { store } = await open();
      expect(await store.maintenance.vacuum()).toMatchObject({ status: "unsupported" });
      expect(await store.maintenance.checkpoint()).toMatchObject({ status: "unsupported" });
      const report = await store.maintenance.optimize();
      expect(report).toMatchObject({ status: "done", analyzed: false, searchIndexMerged: true });
    });

    it("search indexes the queued messages before it matches them (the server has no TEMP tables)", async () => {
      const { store } = await open();
      const s = await store.sessions.create({});
      await store.messages.append(s.id, [user("alpha one"), user("beta")]);
      const hits = await store.search("alpha");
      expect(hits.items.map((h) => h.message.content)).toEqual(["alpha one"]);
      // Locally search never writes and this would be 2: here it indexed them.
      expect(await store.flushSearchIndex()).toBe(0);
    });
  });
});
