import { runStoreSuite } from "@llm-sessions/stress/store";
import { libsql } from "./index.js";

runStoreSuite({
  name: "libsql (file)",
  createDriver: ({ path }) => libsql({ url: `file:${path}` }),
});
runStoreSuite({
  name: "libsql (:memory:)",
  createDriver: () => libsql({ url: ":memory:" }),
  skip: {
    "query-plans.hot-path-query-served":
      "EXPLAIN poisons a @libsql/client connection, so the adapter runs it on a second connection, which a private :memory: database does not have; the file target runs this test",
  },
});
