import { runStressSuites } from "@llm-sessions/stress";

const adapter = { module: "@llm-sessions/adapter-libsql", export: "libsql" };
runStressSuites({
  adapter: { ...adapter, name: "libsql (file)", options: { url: "file:{path}" } },
});
runStressSuites({
  adapter: { ...adapter, name: "libsql (:memory:)", options: { url: ":memory:" } },
});
