import type { AdapterSpec } from "../adapters/index.js";
import type { LatencySummary } from "./latency.js";

/** `ci`: small enough for every test run. `full`: the long run (`--profile full`). */
export type Profile = "ci" | "full";

/** The stress suites, in the order they run. */
export const SUITE_IDS = [
  "model",
  "concurrency",
  "processes",
  "crash",
  "corruption",
  "timeouts",
  "soak",
] as const;

/** One of {@link SUITE_IDS}. */
export type SuiteId = (typeof SUITE_IDS)[number];

/** How to run one suite. */
export interface SuiteRunOptions {
  /** The adapter to run against; validated first (an invalid spec throws). */
  readonly adapter: AdapterSpec;
  /** Default `ci`. */
  readonly profile?: Profile;
  /** Every random choice derives from it; pass a failing run's seed back to repeat it. Default: random. */
  readonly seed?: number;
  /** Soak only: how long to run, in ms. Default: 6 s (`ci`), 120 s (`full`). */
  readonly durationMs?: number;
  /**
   * Soak only: run on past the duration until this many operations are done,
   * so that what a run judges (how the WAL and memory grow) does not depend
   * on how fast the machine is. Default: none.
   */
  readonly minOperations?: number;
  /**
   * Writer processes at once: the processes suite's appenders and the crash
   * suite's writers killed together. Default: 4 / 8 (processes), 2 / 4 (crash).
   */
  readonly writers?: number;
  /** Crash only: how many times the writers are killed. Default: 20 (`ci`), 200 (`full`). */
  readonly kills?: number;
  /**
   * Model only: how many command sequences run, each on a new store.
   * Default: 80 (`ci`), 1,000 (`full`). A server target opens each store
   * with dozens of round trips, so its CI wiring may ask for fewer.
   */
  readonly modelRuns?: number;
  /** Where the run's temporary directory goes. Default: the OS temp dir. */
  readonly tempDir?: string;
  /** Keep the run's files (databases, damaged copies) for a post-mortem. Default false. */
  readonly keepFiles?: boolean;
  /** Called as work gets done (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with lines worth showing (soak intervals, crash kills). */
  readonly log?: (line: string) => void;
}

/** What one suite run found. */
export interface SuiteResult {
  /** Which suite ran. */
  readonly suite: SuiteId;
  /** The adapter spec's name. */
  readonly adapter: string;
  /** The profile it ran with. */
  readonly profile: Profile;
  /** The seed it ran with; pass it back in `SuiteRunOptions.seed` to repeat the run. */
  readonly seed: number;
  /** `skipped` when the adapter lacks a capability the suite needs. */
  readonly status: "passed" | "failed" | "skipped";
  /** Why the suite was skipped (what `requires` returned); only when `status` is `skipped`. */
  readonly skipReason?: string;
  /** Store operations performed (all processes together). */
  readonly operations: number;
  /** How many violations; `violations` lists the first ones. */
  readonly failures: number;
  /** The first violations, in words (at most 100 are kept). */
  readonly violations: readonly string[];
  /** Latency percentiles of the operations the suite timed. */
  readonly latency: LatencySummary;
  /** Wall time of the whole run, setup and cleanup included, in ms. */
  readonly durationMs: number;
  /** Suite-specific figures (soak intervals, kills, damage kinds). */
  readonly details: Readonly<Record<string, unknown>>;
}
