import { runSuite, STRESS_SUITES, type SuiteId } from "@llm-sessions/stress";
import { describe, expect, it } from "vitest";
import type { Sabotage } from "./test-support/sabotage.js";

const sabotaged = (sabotage: Sabotage) => ({
  name: `better-sqlite3 with ${sabotage}`,
  module: new URL("./test-support/sabotage.ts", import.meta.url).href,
  export: "sabotagedBetterSqlite",
  options: { filename: "{path}", sabotage },
});

/**
 * Each stress suite must turn red when the invariant it guards is broken on
 * purpose: the same adapter with one behaviour sabotaged (see
 * test-support/sabotage.ts). The suites pass on the real adapter in
 * stress.test.ts; here each one fails, with the violation it exists to catch.
 */
describe("the stress suites catch a broken store", () => {
  const cases: [suite: SuiteId, sabotage: Sabotage, expected: RegExp][] = [
    ["model", "counters", /counters: store \d+\/\d+\/\d+, model/],
    ["concurrency", "counters", /integrity counters/],
    ["processes", "deferred-writes", /BUSY/],
    // Whichever early-acknowledged write the kill lands on: an append or a session's creation.
    [
      "crash",
      "early-ack",
      /acknowledged message \w+ .* is present 0 times|\(acknowledged, not deleted\) cannot be read/,
    ],
    ["corruption", "blind", /was not detected/],
    ["timeouts", "early-archive", /the policy says|archived .* after activity|purged \d+ ms after/],
    ["soak", "wal-hog", /the WAL keeps growing/],
    ["soak", "leak", /resident memory keeps growing/],
  ];
  /** Operations a soak case runs at least (the sabotaged WAL grows by about 40 KiB a write). */
  const SOAK_OPERATIONS = 4_000;
  for (const [suite, sabotage, expected] of cases) {
    it(`[${suite}] fails when ${sabotage}`, { timeout: 120_000 }, async () => {
      const result = await runSuite(STRESS_SUITES[suite], {
        adapter: sabotaged(sabotage),
        profile: "ci",
        seed: 1,
        durationMs: 6_000,
        // The soak judges growth: enough operations for the sabotage to show, however slow the machine.
        minOperations: SOAK_OPERATIONS,
      });
      const seen = `${result.operations} operations; ${result.violations.join("\n")}`;
      expect(result.status, seen).toBe("failed");
      expect(result.violations.join("\n")).toMatch(expected);
    });
  }
});
