import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type OpenStoreOptions, openStore, type Store } from "@llm-sessions/core";
import { afterEach, beforeEach, it, type TestContext } from "vitest";
import type { CreateDriver } from "../conformance/index.js";

/** Options shared by the store suites. */
export interface StoreSuiteOptions {
  /** Shown in the suite's title, e.g. "better-sqlite3 (file)". */
  readonly name: string;
  /** Makes the adapter's driver for a target; each test's store is opened on one. */
  readonly createDriver: CreateDriver;
  /** `quick` (default, CI) or `full` (more runs and operations). */
  readonly profile?: "quick" | "full";
  /**
   * Known gaps, by stable test id (the `[id]` in each title), each with a
   * written reason. An id that names no test is an error, so a typo cannot
   * hide a test.
   */
  readonly skip?: Readonly<Record<string, string>>;
}

/** A clock tests move by hand. */
export class ManualClock {
  /** The current time, in ms since the epoch; starts at 2026-01-01T00:00:00Z. */
  now = Date.UTC(2026, 0, 1);
  /** Returns `now`; bound, so it can be passed as a store's clock. */
  readonly read = (): number => this.now;
  /** Moves the clock forward by `ms` and returns the new time. */
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}

/** Per-test temp dirs and stores, closed and removed after each test. */
export interface StoreHarness {
  /** Opens a store on a fresh target (or on `path` when given). */
  open(options?: Partial<OpenStoreOptions> & { path?: string }): Promise<Store>;
  /** A new file path in this test's temp dir. */
  newPath(name?: string): string;
  readonly clock: ManualClock;
  readonly createDriver: CreateDriver;
  /**
   * Registers a test under a stable id; a test listed in `skip` is registered
   * as skipped, with its reason. `timeoutMs` replaces the config's test
   * timeout for a test whose work is large by design.
   */
  test(
    id: string,
    title: string,
    fn: (ctx: TestContext) => Promise<void>,
    timeoutMs?: number,
  ): void;
  /** Every id registered so far. */
  readonly ids: ReadonlySet<string>;
}

/** Registers beforeEach/afterEach hooks and returns the harness they maintain. */
export function useStoreHarness(
  createDriver: CreateDriver,
  skip: Readonly<Record<string, string>> = {},
): StoreHarness {
  let dir = "";
  let stores: Store[] = [];
  let counter = 0;
  const ids = new Set<string>();
  const harness = {
    clock: new ManualClock(),
    createDriver,
    ids,
    test(
      id: string,
      title: string,
      fn: (ctx: TestContext) => Promise<void>,
      timeoutMs?: number,
    ): void {
      if (ids.has(id)) throw new Error(`duplicate store test id ${id}`);
      ids.add(id);
      const reason = skip[id];
      if (reason !== undefined) it.skip(`[${id}] ${title} (known gap: ${reason})`, fn);
      else it(`[${id}] ${title}`, fn, timeoutMs);
    },
    newPath(name?: string): string {
      counter += 1;
      return join(dir, name ?? `store-${counter}.db`);
    },
    async open(options: Partial<OpenStoreOptions> & { path?: string } = {}): Promise<Store> {
      const { path, ...rest } = options;
      const driver = await createDriver({ path: path ?? harness.newPath() });
      const store = await openStore({ driver, clock: harness.clock.read, ...rest });
      stores.push(store);
      return store;
    },
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "llm-sessions-store-"));
    stores = [];
    harness.clock = new ManualClock();
  });
  afterEach(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  return harness;
}

/** Fails with the findings when the store's integrity check is not clean. */
export async function expectSound(store: Store): Promise<void> {
  const report = await store.integrity.check();
  if (!report.ok) {
    throw new Error(`integrity check failed: ${JSON.stringify(report.findings, null, 2)}`);
  }
}
