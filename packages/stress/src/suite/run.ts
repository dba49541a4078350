import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDriver, validateSpec } from "../adapters/index.js";
import { describe } from "../invariants/index.js";
import { type StressSuite, SuiteContext } from "./context.js";
import { NO_LATENCY } from "./latency.js";
import { Rng, randomSeed } from "./rng.js";
import type { SuiteResult, SuiteRunOptions } from "./types.js";

/**
 * Runs one suite against one adapter: a fresh directory, a seeded context,
 * the suite, then the check that it ran its invariant check. Violations and a
 * suite that throws become failures in the result; this function itself only
 * throws for an invalid adapter spec.
 */
export async function runSuite(suite: StressSuite, options: SuiteRunOptions): Promise<SuiteResult> {
  const adapter = validateSpec(options.adapter);
  const profile = options.profile ?? "ci";
  const seed = options.seed ?? randomSeed();
  const started = performance.now();
  const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), `llm-sessions-stress-${suite.id}-`));
  const base = { suite: suite.id, adapter: adapter.name, profile, seed } as const;
  try {
    const capabilities = (await createDriver(adapter, join(dir, "probe.db"))).capabilities;
    const skipReason = suite.requires(capabilities);
    if (skipReason) {
      return {
        ...base,
        status: "skipped",
        skipReason,
        operations: 0,
        failures: 0,
        violations: [],
        latency: NO_LATENCY,
        durationMs: performance.now() - started,
        details: {},
      };
    }
    const ctx = new SuiteContext({
      adapter,
      profile,
      seed,
      rng: new Rng(seed),
      dir,
      capabilities,
      durationMs: options.durationMs,
      minOperations: options.minOperations,
      writers: options.writers,
      kills: options.kills,
      modelRuns: options.modelRuns,
      onProgress: options.onProgress,
      log: options.log,
    });
    try {
      await suite.run(ctx);
    } catch (error) {
      ctx.fail(
        `the suite stopped: ${error instanceof Error ? (error.stack ?? describe(error)) : String(error)}`,
      );
    } finally {
      await ctx.closeAll();
    }
    if (!ctx.verified) ctx.fail("the suite ended without running the invariant check");
    return {
      ...base,
      status: ctx.failures > 0 ? "failed" : "passed",
      operations: ctx.operations,
      failures: ctx.failures,
      violations: ctx.violations,
      latency: ctx.latency.summary(),
      durationMs: performance.now() - started,
      details: ctx.details,
    };
  } finally {
    if (!options.keepFiles) await rm(dir, { recursive: true, force: true });
  }
}
