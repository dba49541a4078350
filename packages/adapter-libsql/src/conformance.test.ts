import { runConformanceSuite } from "@llm-sessions/stress/conformance";
import { fileUrl, libsql } from "./index.js";

/**
 * Known gaps of libSQL itself, by stable test id. The adapter
 * cannot work around them without rewriting the caller's SQL.
 */
const knownGaps = {
  "values.text-nul":
    "libSQL's native layer reads TEXT as a C string: a value is stored whole but read back cut at its first NUL (store it as a BLOB)",
};

// The shared contract suite, once on a file (a fresh path in a fresh temp dir
// per call) and once on a private in-memory database.
runConformanceSuite({
  name: "libsql (file)",
  createDriver: ({ path }) => libsql({ url: fileUrl(path) }),
  skip: knownGaps,
});
runConformanceSuite({
  name: "libsql (:memory:)",
  createDriver: () => libsql({ url: ":memory:" }),
  skip: knownGaps,
});
