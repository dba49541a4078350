import { defineConfig } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // One libSQL server (sqld) for the remote suites of the whole run.
    globalSetup: ["./src/test-support/sqld-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
