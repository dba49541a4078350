import { type SqldServer, startSqld } from "@llm-sessions/stress/sqld";
import { runStoreSuite } from "@llm-sessions/stress/store";
import { afterEach, describe, inject, it } from "vitest";
import { fileUrl, libsql } from "./index.js";
import { serverOf } from "./test-support/sqld-target.js";

const sameAsServer = (why: string) =>
  `${why}, as on a server: the store writes on the primary (remote-store-differences.test.ts and embedded-replica.test.ts check what it does instead)`;
const noTempTables = sameAsServer(
  "the replica's connections are query_only (the file is the replicator's) and the primary refuses TEMP tables, so search indexes the queue first, a write",
);
const noBackup = sameAsServer("neither an online backup nor VACUUM INTO is possible");

/** The remote store suite's gaps (remote-store.test.ts): the same store runs on the same server. */
const replicaGaps = {
  "search-index.search-sees-queued": noTempTables,
  "search.answers-without-writing": noTempTables,
  "backup.under-writers": noBackup,
  "backup.progress": noBackup,
  "backup.one-file-nothing-left": noBackup,
  "backup.refuses-bad-destination": noBackup,
  "integrity.repair-options": sameAsServer(
    "repair's backup is VACUUM INTO, which the primary refuses",
  ),
  "maintenance.vacuum-frees-space": sameAsServer(
    "the primary refuses VACUUM: vacuum() reports unsupported",
  ),
  "maintenance.optimize": sameAsServer(
    "the primary takes pragmas only as reads: optimize() reports analyzed: false",
  ),
  "concurrency.appends-exact":
    "1000 appends queued on the one writer, each several round trips to the primary plus a sync, outlast the test's time on a loaded machine; embedded-processes.test.ts checks the same rules across processes",
  "concurrency.concurrent-readers-writers-reads":
    "100 appends queued on the one writer, each several round trips plus a sync, outlast the default 5 s acquireTimeoutMs (PoolTimeoutError, typed), as on a server",
  "hostile.seeded-run":
    "600 hostile inputs, each followed by a digest of the whole store, take longer than the test's 120 s when every write is network round trips; the run's rules are the store's own and hold on every local target",
};

/**
 * The store suites on an embedded replica: each database path the suites
 * hand out is a replica file there, of a primary of its own (a sqld started
 * for it and stopped after the test), so a store reopened on a path finds
 * its data and no two tests share one. (sqld's namespaces, which the remote
 * suites use, are named by host, `<name>.localhost`, which the libsql
 * package's own resolver does not find.)
 */
const available = serverOf(inject("sqld")) !== undefined;
if (!available) {
  describe("store on an embedded replica", () => {
    it.skip(`skipped: sqld did not start (${(inject("sqld") as { error?: string }).error})`, () => {});
  });
} else {
  const primaries = new Map<string, Promise<SqldServer>>();
  afterEach(async () => {
    const started = [...primaries.values()];
    primaries.clear();
    await Promise.allSettled(started.map(async (p) => (await p).stop()));
  });
  runStoreSuite({
    name: "libsql (embedded replica of sqld)",
    createDriver: async ({ path }) => {
      let primary = primaries.get(path);
      if (primary === undefined) {
        primary = startSqld();
        primaries.set(path, primary);
      }
      return libsql({ url: fileUrl(path), syncUrl: (await primary).httpUrl });
    },
    skip: replicaGaps,
  });
}
