import { runStoreSuite } from "@llm-sessions/stress/store";
import { nodeSqlite } from "./index.js";

runStoreSuite({
  name: "node:sqlite (file)",
  createDriver: ({ path }) => nodeSqlite({ filename: path }),
});
runStoreSuite({
  name: "node:sqlite (:memory:)",
  createDriver: () => nodeSqlite({ filename: ":memory:" }),
});
