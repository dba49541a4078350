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
  });
});
