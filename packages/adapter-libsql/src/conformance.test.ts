import { runConformanceSuite } from "@llm-sessions/stress/conformance";
import { fileUrl, libsql } from "./index.js";

/**
 * Known gaps of libSQL itself (both engines), by stable test id. The adapter
 * cannot work around them without rewriting the caller's SQL.
 */
const knownGaps = {
  "values.text-nul":
    "libSQL's native layer reads TEXT as a C string: a value is stored whole but read back cut at its first NUL (store it as a BLOB)",
};

// The shared contract suite, once on a file (a fresh path in a fresh temp dir
// per call) and once on a private in-memory database, for each local engine.
for (const engine of ["native", "client"] as const) {
  runConformanceSuite({
    name: `libsql ${engine} (file)`,
    createDriver: ({ path }) => libsql({ url: fileUrl(path), engine }),
    skip: knownGaps,
  });
  runConformanceSuite({
    name: `libsql ${engine} (:memory:)`,
    createDriver: () => libsql({ url: ":memory:", engine }),
    skip: knownGaps,
  });
}
