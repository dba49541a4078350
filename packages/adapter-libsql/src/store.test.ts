import { runStoreSuite } from "@llm-sessions/stress/store";
import { libsql } from "./index.js";

const explainGap =
  "libSQL never finishes an EXPLAIN statement (the connection then cannot commit, or reads an old snapshot), so the adapter runs it on a second connection, which a private :memory: database does not have; the file target runs this test";

runStoreSuite({
  name: "libsql (file)",
  createDriver: ({ path }) => libsql({ url: `file:${path}` }),
});
runStoreSuite({
  name: "libsql (:memory:)",
  createDriver: () => libsql({ url: ":memory:" }),
  skip: {
    "query-plans.hot-path-query-served": explainGap,
    "query-plans.fork-copies-linear": explainGap,
    "search.page-walks-index-once": explainGap,
  },
});
