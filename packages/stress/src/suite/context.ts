import { join } from "node:path";
import {
  type DriverCapabilities,
  type OpenStoreOptions,
  openStore,
  type SqliteDriver,
  type Store,
} from "@llm-sessions/core";
import { type AdapterSpec, createDriver } from "../adapters/index.js";
import { checkInvariants, type InvariantOptions, type Ledger } from "../invariants/index.js";
import { LatencyRecorder } from "./latency.js";
import type { Rng } from "./rng.js";
import type { Profile, SuiteId } from "./types.js";

/** Store options a suite may set (the driver comes from the adapter spec). */
export type SuiteStoreOptions = Omit<OpenStoreOptions, "driver">;

/** Violations kept in full; more are only counted. */
const KEPT = 100;

/**
 * What a suite gets: the adapter, the profile, a seeded random source, a
 * directory of its own, stores that are closed for it, a latency recorder,
 * and the one way to report a violation.
 */
export class SuiteContext {
  /** The adapter spec the suite runs against (already validated). */
  readonly adapter: AdapterSpec;
  /** `ci` or `full`: how much work the suite does. */
  readonly profile: Profile;
  /** The run's seed; reported so a failing run can be repeated. */
  readonly seed: number;
  /** Seeded from `seed`: every choice a suite makes comes from here. */
  readonly rng: Rng;
  /** The run's own directory (removed afterwards unless kept). */
  readonly dir: string;
  /** The capabilities of a driver made from the spec. */
  readonly capabilities: DriverCapabilities;
  /** Soak: how long to run. */
  readonly durationMs: number | undefined;
  /** Soak: operations to reach before stopping, whatever the duration. */
  readonly minOperations: number | undefined;
  /** Writer processes at once (processes and crash suites), when the run sets it. */
  readonly writers: number | undefined;
  /** Crash: kills, when the run sets it. */
  readonly kills: number | undefined;
  /** Model: command sequences, when the run sets it. */
  readonly modelRuns: number | undefined;
  /** Operation latencies (ms); the report's p50/p95/p99. */
  readonly latency = new LatencyRecorder();
  /** Suite-specific figures for the report. */
  readonly details: Record<string, unknown> = {};
  /** The first violations recorded by `fail` (at most 100; `failures` counts them all). */
  readonly violations: string[] = [];
  #failures = 0;
  #operations = 0;
  #verified = false;
  #paths = 0;
  readonly #stores = new Set<Store>();
  readonly #progress: (done: number, total: number) => void;
  readonly #log: (line: string) => void;

  /** @internal Made by `runSuite`. */
  constructor(init: {
    adapter: AdapterSpec;
    profile: Profile;
    seed: number;
    rng: Rng;
    dir: string;
    capabilities: DriverCapabilities;
    durationMs: number | undefined;
    minOperations?: number | undefined;
    writers?: number | undefined;
    kills?: number | undefined;
    modelRuns?: number | undefined;
    onProgress?: (done: number, total: number) => void;
    log?: (line: string) => void;
  }) {
    this.adapter = init.adapter;
    this.profile = init.profile;
    this.seed = init.seed;
    this.rng = init.rng;
    this.dir = init.dir;
    this.capabilities = init.capabilities;
    this.durationMs = init.durationMs;
    this.minOperations = init.minOperations;
    this.writers = init.writers;
    this.kills = init.kills;
    this.modelRuns = init.modelRuns;
    this.#progress = init.onProgress ?? (() => {});
    this.#log = init.log ?? (() => {});
  }

  /** `ci` or `full` value of a figure. */
  pick<T>(ci: T, full: T): T {
    return this.profile === "full" ? full : ci;
  }

  /** A new database path in the run's directory. */
  newPath(name?: string): string {
    this.#paths += 1;
    return join(this.dir, name ?? `db-${this.#paths}.db`);
  }

  /** A driver for `path` from the adapter spec. */
  driver(path: string): Promise<SqliteDriver> {
    return createDriver(this.adapter, path);
  }

  /** Opens a store on `path`; it is closed when the suite ends if still open. */
  async open(path: string, options: SuiteStoreOptions = {}): Promise<Store> {
    const store = await openStore({ driver: await this.driver(path), ...options });
    this.#stores.add(store);
    return store;
  }

  /** Closes a store opened with `open`. */
  async close(store: Store): Promise<void> {
    this.#stores.delete(store);
    await store.close();
  }

  /** Records a violation: the store broke one of its promises. */
  fail(message: string): void {
    this.#failures += 1;
    if (this.violations.length < KEPT) this.violations.push(message);
  }

  /** How many violations were recorded. */
  get failures(): number {
    return this.#failures;
  }

  /** Counts operations done elsewhere (a child process). */
  countOperations(n: number): void {
    this.#operations += n;
  }

  /** Store operations counted so far. */
  get operations(): number {
    return this.#operations;
  }

  /** Runs one store operation, timing it and counting it. */
  async timed<T>(fn: () => Promise<T>): Promise<T> {
    this.#operations += 1;
    return this.latency.time(fn);
  }

  /**
   * The invariant check (see `checkInvariants`); its problems become
   * violations prefixed with `label`. Every suite calls it at least once.
   */
  async verify(
    store: Store,
    ledger?: Ledger,
    label = "final check",
    options: InvariantOptions = {},
  ): Promise<void> {
    this.#verified = true;
    const problems = await checkInvariants(store, ledger, { rng: this.rng, ...options });
    for (const p of problems) this.fail(`${label}: ${p}`);
  }

  /** Marks the invariant check as done by other means (a suite that verifies in its own way). */
  markVerified(): void {
    this.#verified = true;
  }

  /** Whether `verify` ran. */
  get verified(): boolean {
    return this.#verified;
  }

  /** Reports progress. */
  progress(done: number, total: number): void {
    this.#progress(done, total);
  }

  /** A line for the operator (soak intervals, crash kills). */
  log(line: string): void {
    this.#log(line);
  }

  /** @internal Closes whatever stores are still open. */
  async closeAll(): Promise<void> {
    const open = [...this.#stores];
    this.#stores.clear();
    await Promise.allSettled(open.map((s) => s.close()));
  }
}

/** One stress suite. */
export interface StressSuite {
  /** Its id, one of `SUITE_IDS`. */
  readonly id: SuiteId;
  /** What it checks, in a few words. */
  readonly title: string;
  /** A reason to skip it on a driver with these capabilities, or `undefined` to run. */
  requires(capabilities: DriverCapabilities): string | undefined;
  /** Runs the suite; violations go to `ctx.fail`, and it ends with `ctx.verify`. */
  run(ctx: SuiteContext): Promise<void>;
}
