import { runConformanceSuite } from "@llm-sessions/stress/conformance";
import { fileUrl, libsql } from "./index.js";

// The shared contract suite, once on a file (a fresh path in a fresh temp dir
// per call) and once on a private in-memory database.
runConformanceSuite({
  name: "libsql (file)",
  createDriver: ({ path }) => libsql({ url: fileUrl(path) }),
});
runConformanceSuite({
  name: "libsql (:memory:)",
  createDriver: () => libsql({ url: ":memory:" }),
});
