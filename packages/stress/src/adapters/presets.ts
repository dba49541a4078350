import type { AdapterSpec } from "./spec.js";

/** Where a preset's database lives. */
export type PresetTarget = "file" | "memory";

/**
 * The adapters of this repository, by the short names the CLI takes
 * (`--adapter better-sqlite`, `--adapter libsql`, `--adapter node-sqlite`).
 */
export const ADAPTER_PRESETS: Readonly<
  Record<string, Readonly<Record<PresetTarget, AdapterSpec>>>
> = {
  "better-sqlite": {
    file: {
      name: "better-sqlite3 (file)",
      module: "@llm-sessions/adapter-better-sqlite",
      export: "betterSqlite",
      options: { filename: "{path}" },
    },
    memory: {
      name: "better-sqlite3 (:memory:)",
      module: "@llm-sessions/adapter-better-sqlite",
      export: "betterSqlite",
      options: { filename: ":memory:" },
    },
  },
  libsql: {
    file: {
      name: "libsql (file)",
      module: "@llm-sessions/adapter-libsql",
      export: "libsql",
      options: { url: "file:{path}" },
    },
    memory: {
      name: "libsql (:memory:)",
      module: "@llm-sessions/adapter-libsql",
      export: "libsql",
      options: { url: ":memory:" },
    },
  },
  "node-sqlite": {
    file: {
      name: "node:sqlite (file)",
      module: "@llm-sessions/adapter-node-sqlite",
      export: "nodeSqlite",
      options: { filename: "{path}" },
    },
    memory: {
      name: "node:sqlite (:memory:)",
      module: "@llm-sessions/adapter-node-sqlite",
      export: "nodeSqlite",
      options: { filename: ":memory:" },
    },
  },
};

/**
 * The preset `name` on `target`.
 * @throws Error naming the presets there are, for an unknown name.
 */
export function preset(name: string, target: PresetTarget = "file"): AdapterSpec {
  const found = ADAPTER_PRESETS[name];
  if (!found) {
    throw new Error(
      `unknown adapter ${JSON.stringify(name)} (presets: ${Object.keys(ADAPTER_PRESETS).join(", ")}; or give --adapter-module and --adapter-export)`,
    );
  }
  return found[target];
}
