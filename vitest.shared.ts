import { fileURLToPath } from "node:url";

/**
 * Tests import the workspace packages from their TypeScript sources, so a
 * change in core is seen by the adapters' tests without a rebuild. The
 * published `dist/` is exercised by the type check and the pack test.
 */
const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export const workspaceAliases = [
  { find: /^@llm-sessions\/core$/, replacement: src("core/src/index.ts") },
  { find: /^@llm-sessions\/core\/driver$/, replacement: src("core/src/driver-entry.ts") },
  { find: /^@llm-sessions\/core\/extension$/, replacement: src("core/src/extension-entry.ts") },
  { find: /^@llm-sessions\/stress$/, replacement: src("stress/src/index.ts") },
  {
    find: /^@llm-sessions\/stress\/conformance$/,
    replacement: src("stress/src/conformance/index.ts"),
  },
  { find: /^@llm-sessions\/stress\/store$/, replacement: src("stress/src/store/index.ts") },
  { find: /^@llm-sessions\/stress\/sqld$/, replacement: src("stress/src/sqld/index.ts") },
  {
    find: /^@llm-sessions\/adapter-better-sqlite$/,
    replacement: src("adapter-better-sqlite/src/index.ts"),
  },
  { find: /^@llm-sessions\/adapter-libsql$/, replacement: src("adapter-libsql/src/index.ts") },
  {
    find: /^@llm-sessions\/adapter-node-sqlite$/,
    replacement: src("adapter-node-sqlite/src/index.ts"),
  },
];
