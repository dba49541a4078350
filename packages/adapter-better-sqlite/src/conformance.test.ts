import { runConformanceSuite } from "@llm-sessions/stress/conformance";
import { betterSqlite } from "./index.js";

// The shared contract suite, once on a file (a fresh path in a fresh temp dir
// per call) and once on a private in-memory database.
runConformanceSuite({
  name: "better-sqlite3 (file)",
  createDriver: ({ path }) => betterSqlite({ filename: path }),
});
runConformanceSuite({
  name: "better-sqlite3 (:memory:)",
  createDriver: () => betterSqlite({ filename: ":memory:" }),
});
