import { runStressSuites } from "@llm-sessions/stress";

// Every stress suite in its CI profile, on a file and on :memory:. A suite
// that needs a file (processes, crash, corruption) is skipped on :memory:
// with the reason. Child processes build their driver from the same spec.
const adapter = { module: "@llm-sessions/adapter-better-sqlite", export: "betterSqlite" };
runStressSuites({
  adapter: { ...adapter, name: "better-sqlite3 (file)", options: { filename: "{path}" } },
});
runStressSuites({
  adapter: { ...adapter, name: "better-sqlite3 (:memory:)", options: { filename: ":memory:" } },
});
