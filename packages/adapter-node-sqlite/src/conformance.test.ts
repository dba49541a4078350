import { runConformanceSuite } from "@llm-sessions/stress/conformance";
import { nodeSqlite } from "./index.js";
import { support } from "./support.js";

// Node 22's node:sqlite cuts bound text at a NUL: the adapter refuses such text there (nul.test.ts).
const skip: Record<string, string> = support.textKeepsNul
  ? {}
  : { "values.text-nul": "Node 22 cuts bound text at a NUL" };
runConformanceSuite({
  name: "node:sqlite (file)",
  skip,
  createDriver: ({ path }) => nodeSqlite({ filename: path }),
});
runConformanceSuite({
  name: "node:sqlite (:memory:)",
  skip,
  createDriver: () => nodeSqlite({ filename: ":memory:" }),
});
