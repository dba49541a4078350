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
    // Three test files at once (vitest's default on a 2-core machine is one):
    // the server suites spend most of their time waiting on round trips to
    // sqld, so they overlap well; alone, one after another, they were most of
    // CI's time (about 34 of 36 minutes of npm test).
    maxWorkers: 3,
    hookTimeout: 30_000,
  },
});
