import { randomUUID } from "node:crypto";
import { runConformanceSuite } from "@llm-sessions/stress/conformance";
import { forEachRemoteScheme } from "./test-support/remote-suites.js";

// The contract suite against a real libSQL server (sqld), over HTTP and over
// WebSocket; each test's database is a namespace of its own. What a server
// does differently is declared in the driver's capabilities, which the suite
// reads (see the README's "On a server").
forEachRemoteScheme("conformance", (scheme, createDriver) => {
  runConformanceSuite({
    name: `libsql (sqld over ${scheme})`,
    // A fresh database for every call, even for the same path: what the suite
    // asks of a target that is not a file.
    createDriver: ({ path }) => createDriver({ path: `${path}#${randomUUID()}` }),
    // A hang detector, not a speed limit: thousands of statements, each a
    // round trip, took over 60 s on a machine running two test runs at once.
    timeoutMs: 300_000,
  });
});
