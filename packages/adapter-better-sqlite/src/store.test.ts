import { runStoreSuite } from "@llm-sessions/stress/store";
import { betterSqlite } from "./index.js";

runStoreSuite({
  name: "better-sqlite3 (file)",
  createDriver: ({ path }) => betterSqlite({ filename: path }),
});
runStoreSuite({
  name: "better-sqlite3 (:memory:)",
  createDriver: () => betterSqlite({ filename: ":memory:" }),
});
