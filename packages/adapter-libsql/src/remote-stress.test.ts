import { fileURLToPath } from "node:url";
import { runStressSuites } from "@llm-sessions/stress";
import { forEachRemoteScheme } from "./test-support/remote-suites.js";

/** The stress suites' adapter: a namespace of the test server per database path, in every process. */
const factory = fileURLToPath(new URL("./test-support/sqld-target.ts", import.meta.url));

// The stress suites that make sense on a server, over HTTP and over
// WebSocket: the fast-check model, concurrency in one process and across
// processes, and timeouts. (Crash and corruption need a file; a soak is for
// the stress runner.)
forEachRemoteScheme("stress", (scheme, _createDriver, server) => {
  runStressSuites({
    adapter: {
      name: `libsql (sqld over ${scheme})`,
      module: factory,
      export: "sqldNamespaceDriver",
      options: { ...server, scheme, path: "{path}" },
    },
    suites: ["model", "concurrency", "processes", "timeouts"],
    // Each model run opens a new store: a namespace and five migrations, one
    // request per statement, so 80 runs over HTTP come close to the 900 s
    // hang limit on a loaded machine. 20 keep the same commands and checks.
    modelRuns: 20,
  });
});
