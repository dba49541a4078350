import { defineConfig } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Hang detectors, not speed verdicts: a browser test drives Chromium
    // through a dozen page loads and waits, which at load 20 on two cores
    // took over 30 s (and a timed-out test keeps running into the next one).
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
