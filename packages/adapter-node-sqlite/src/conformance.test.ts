import { runConformanceSuite } from "@llm-sessions/stress/conformance";
import { nodeSqlite } from "./index.js";

runConformanceSuite({
  name: "node:sqlite (file)",
  createDriver: ({ path }) => nodeSqlite({ filename: path }),
});
runConformanceSuite({
  name: "node:sqlite (:memory:)",
  createDriver: () => nodeSqlite({ filename: ":memory:" }),
});
