import { runStoreSuite } from "@llm-sessions/stress/store";
import { forEachRemoteScheme } from "./test-support/remote-suites.js";

const noTempTables =
  "sqld refuses TEMP tables ('unsupported statement'), so search cannot match queued messages in a temp index of its connection: it indexes the queue first, a write (remote-store-differences.test.ts checks it)";
const noBackup =
  "a server allows neither an online backup nor VACUUM INTO: maintenance.backup is UnsupportedOperationError (remote-store-differences.test.ts checks it)";

/**
 * Store tests that check what a server cannot do, each with what it does
 * instead; those answers are tested in remote-store-differences.test.ts.
 */
const serverGaps = {
  "search-index.search-sees-queued": noTempTables,
  "search.answers-without-writing": noTempTables,
  "backup.under-writers": noBackup,
  "backup.progress": noBackup,
  "backup.one-file-nothing-left": noBackup,
  "backup.refuses-bad-destination": noBackup,
  "integrity.repair-options":
    "repair's backup is VACUUM INTO, which a server refuses: any backupTo path is UnsupportedOperationError that says to pass backupTo: false, before the path is judged (remote-store-differences.test.ts checks it)",
  "maintenance.vacuum-frees-space":
    "a server refuses VACUUM: vacuum() reports unsupported (remote-store-differences.test.ts checks it)",
  "maintenance.optimize":
    "a server takes pragmas only as reads: optimize() merges the search index but reports analyzed: false (remote-store-differences.test.ts checks it)",
  "concurrency.concurrent-readers-writers-reads":
    "100 appends queued on the one writer, one request each, can still outlast the default 5 s acquireTimeoutMs on a loaded machine (the last ones fail with PoolTimeoutError, typed): a verdict that would depend on the machine's speed; raise acquireTimeoutMs for bursts on a server (README). concurrency.appends-exact (1000 appends, 60 s acquire timeout) runs here",
  "hostile.seeded-run":
    "600 hostile inputs, each followed by a digest of the whole store, take longer than the test's 120 s when every statement is a network round trip; the run's rules are the store's own and hold on every local target",
};

// The store suites against a real libSQL server (sqld), over HTTP and over
// WebSocket: each database path the suites hand out is a namespace of its
// own, so a store reopened on a path finds its data and no two tests share one.
forEachRemoteScheme("store", (scheme, createDriver) => {
  runStoreSuite({ name: `libsql (sqld over ${scheme})`, createDriver, skip: serverGaps });
});
