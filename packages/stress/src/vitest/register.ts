import { describe, it } from "vitest";
import { type AdapterSpec, validateSpec } from "../adapters/index.js";
import { selectSuites } from "../suite/registry.js";
import { formatFailure } from "../suite/repro.js";
import { runSuite } from "../suite/run.js";
import { type Profile, SUITE_IDS, type SuiteId } from "../suite/types.js";

/** Options of {@link runStressSuites}. */
export interface StressSuitesOptions {
  /** The adapter, as a spec a child process can import too. */
  readonly adapter: AdapterSpec;
  /** The describe block's title: `stress: <name>`. Default: `adapter.name`. */
  readonly name?: string;
  /** Default: `$LLM_SESSIONS_STRESS_PROFILE`, else `ci`. */
  readonly profile?: Profile;
  /** Default: `$LLM_SESSIONS_STRESS_SEED`, else a random seed per suite (shown on failure). */
  readonly seed?: number;
  /** Which suites (default: all). */
  readonly suites?: readonly SuiteId[];
  /** Known gaps: suite id → the reason; the suite is registered as skipped with it. */
  readonly skip?: Readonly<Partial<Record<SuiteId, string>>>;
  /** Soak duration in ms (default: the profile's). */
  readonly durationMs?: number;
  /** The soak runs on past its duration until this many operations are done (see `SuiteRunOptions.minOperations`). */
  readonly minOperations?: number;
  /** The model suite's command sequences (default: the profile's; see `SuiteRunOptions.modelRuns`). */
  readonly modelRuns?: number;
  /**
   * Per-suite timeout: a guard against a hang, not a speed check (the crash
   * suite took 200 s on a two-core machine running eight other jobs). Default
   * 900 000 ms (`ci`), 4 hours (`full`).
   */
  readonly timeoutMs?: number;
  /** Where the suites' temporary directories go. Default: the OS temp dir. */
  readonly tempDir?: string;
}

/**
 * Registers every stress suite against one adapter with vitest: one
 * `describe` block, `stress: <name>`, with one test per suite titled
 * `[<suite id>] <what it checks>`. A suite the adapter cannot run (e.g.
 * crash recovery on `:memory:`) is skipped at run time with the capability
 * it lacks as the note. A failure lists the violations, the seed and the
 * `llm-sessions-stress` command that repeats the run.
 *
 * @example
 * ```ts
 * runStressSuites({
 *   adapter: {
 *     name: "better-sqlite3 (file)",
 *     module: "@llm-sessions/adapter-better-sqlite",
 *     export: "betterSqlite",
 *     options: { filename: "{path}" },
 *   },
 * });
 * ```
 */
export function runStressSuites(options: StressSuitesOptions): void {
  const adapter = validateSpec(options.adapter);
  const profile = options.profile ?? envProfile() ?? "ci";
  const seed = options.seed ?? envSeed();
  const timeout = options.timeoutMs ?? (profile === "full" ? 4 * 3_600_000 : 900_000);
  const skip = options.skip ?? {};
  for (const [id, reason] of Object.entries(skip)) {
    if (!(SUITE_IDS as readonly string[]).includes(id))
      throw new Error(`skip: unknown suite ${id}`);
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new Error(`skip[${id}] needs a written reason`);
    }
  }
  describe(`stress: ${options.name ?? adapter.name}`, () => {
    for (const suite of selectSuites(options.suites)) {
      const title = `[${suite.id}] ${suite.title}`;
      const reason = skip[suite.id];
      if (reason) {
        it.skip(`${title} (known gap: ${reason})`, () => {});
        continue;
      }
      it(title, { timeout }, async (test) => {
        const result = await runSuite(suite, {
          adapter,
          profile,
          ...(seed === undefined ? {} : { seed }),
          ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }),
          ...(options.minOperations === undefined ? {} : { minOperations: options.minOperations }),
          ...(options.modelRuns === undefined ? {} : { modelRuns: options.modelRuns }),
          ...(options.tempDir === undefined ? {} : { tempDir: options.tempDir }),
        });
        if (result.status === "skipped") test.skip(result.skipReason);
        if (result.status === "failed") throw new Error(formatFailure(result, adapter));
      });
    }
  });
}

function envProfile(): Profile | undefined {
  const value = process.env.LLM_SESSIONS_STRESS_PROFILE;
  if (value === undefined || value === "") return undefined;
  if (value !== "ci" && value !== "full") {
    throw new Error(`LLM_SESSIONS_STRESS_PROFILE must be ci or full, not ${value}`);
  }
  return value;
}

function envSeed(): number | undefined {
  const value = process.env.LLM_SESSIONS_STRESS_SEED;
  if (value === undefined || value === "") return undefined;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`LLM_SESSIONS_STRESS_SEED must be an integer`);
  return seed;
}
