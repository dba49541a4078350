import { runStressSuites } from "@llm-sessions/stress";

// Every stress suite in its CI profile, on a file and on :memory: (suites that need a file skip there).
const adapter = { module: "@llm-sessions/adapter-node-sqlite", export: "nodeSqlite" };
runStressSuites({
  adapter: { ...adapter, name: "node:sqlite (file)", options: { filename: "{path}" } },
});
runStressSuites({
  adapter: { ...adapter, name: "node:sqlite (:memory:)", options: { filename: ":memory:" } },
});
