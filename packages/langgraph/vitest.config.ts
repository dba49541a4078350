import { defineConfig } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // LangGraph's validation suite calls describe/it/beforeAll as globals.
    globals: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
