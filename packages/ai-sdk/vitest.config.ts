import { defineConfig } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineConfig({
  resolve: {
    alias: [
      ...workspaceAliases,
      // The README's example imports the package by name, as a user would.
      {
        find: /^@llm-sessions\/ai-sdk$/,
        replacement: new URL("./src/index.ts", import.meta.url).pathname,
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
