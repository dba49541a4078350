import { defineConfig } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // One libSQL server (sqld) for the remote suites of the whole run.
    globalSetup: ["./src/test-support/sqld-setup.ts"],
    // A hang detector, not a speed limit: on a loaded machine a property test
    // against the server (hundreds of round trips) has taken over 30 s.
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
