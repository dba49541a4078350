/**
 * The driver conformance suite: every behaviour of the `@llm-sessions/core`
 * driver contract, checked against a real driver. An adapter's test file
 * calls {@link runConformanceSuite} once; vitest does the rest.
 *
 * @example
 * ```ts
 * import { runConformanceSuite } from "@llm-sessions/stress/conformance";
 * import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
 *
 * runConformanceSuite({
 *   name: "better-sqlite3 (file)",
 *   createDriver: ({ path }) => betterSqlite({ filename: path }),
 * });
 * ```
 *
 * @packageDocumentation
 */
import { afterEach, beforeEach, describe, it } from "vitest";
import { backupTests } from "./backup.js";
import { batchTests } from "./batch.js";
import { type CreateDriver, TestContext } from "./context.js";
import type { ConformanceTest } from "./define.js";
import { errorTests } from "./errors.js";
import { extensionTests } from "./extensions.js";
import { connectionTests, lifecycleTests } from "./lifecycle.js";
import { lockWaitTests } from "./lock-wait.js";
import { pragmaTests } from "./pragmas.js";
import { recoveryTests } from "./recovery.js";
import { parameterTests, statementTests } from "./statements.js";
import { transactionTests } from "./transactions.js";
import { valuesTests } from "./values.js";

export type { ConformanceContext, CreateDriver, DriverTarget } from "./context.js";
export type { ConformanceTest } from "./define.js";

/** Options of {@link runConformanceSuite}. */
export interface ConformanceOptions {
  /** Shown in the suite's title: `conformance: <name>`. Say which driver and which target. */
  readonly name: string;
  /**
   * Makes a fresh driver for one test. It receives `{ path }`, a file path
   * (not yet created) inside a temporary directory that belongs to that test
   * alone and is removed after it. A file-backed driver must use it; a driver
   * for `:memory:` or a server ignores it but must still give every call an
   * empty database of its own. It may return the driver or a promise of it.
   * What the driver can do is read from its `capabilities`.
   */
  readonly createDriver: CreateDriver;
  /**
   * Known gaps: test id → the reason, in words. The test is registered as
   * skipped with the reason in its title. An id the suite does not have
   * throws (a typo must not hide a test), and so does an empty reason.
   */
  readonly skip?: Readonly<Record<string, string>>;
  /** Per-test timeout in milliseconds. Default 30 000. */
  readonly timeoutMs?: number;
  /** Where the per-test temporary directories go. Default: the OS temp directory. */
  readonly tempDir?: string;
}

/** Every conformance test, in the order they are registered. */
export const conformanceTests: readonly ConformanceTest[] = checkUnique([
  ...connectionTests,
  ...valuesTests,
  ...parameterTests,
  ...statementTests,
  ...batchTests,
  ...transactionTests,
  ...errorTests,
  ...recoveryTests,
  ...lockWaitTests,
  ...pragmaTests,
  ...extensionTests,
  ...lifecycleTests,
  ...backupTests,
]);

/** The stable ids of every conformance test (what `skip` accepts). */
export function conformanceTestIds(): string[] {
  return conformanceTests.map((test) => test.id);
}

const OPTION_KEYS = new Set(["name", "createDriver", "skip", "timeoutMs", "tempDir"]);
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Registers the conformance suite with vitest: one `describe` block named
 * `conformance: <name>` with one test per behaviour, titled `[id] what it
 * checks`. Each test gets a fresh temporary directory and its own driver,
 * closes every connection it opened and removes the directory afterwards.
 * A capability the driver lacks runs the complementary check instead (e.g.
 * "two connections see different databases" when connections are not
 * shared), so no test passes without asserting something.
 *
 * Call it at the top level of a test file (or inside a `describe`).
 *
 * @throws Error when the options are invalid: a missing name or factory, an
 *   unknown option key, an unknown id or an empty reason in `skip`.
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  const {
    name,
    createDriver,
    skip = {},
    timeoutMs = DEFAULT_TIMEOUT_MS,
    tempDir,
  } = validate(options);
  describe(`conformance: ${name}`, () => {
    let current: TestContext | undefined;

    beforeEach(async () => {
      current = await TestContext.open(createDriver, tempDir);
    });

    afterEach(async () => {
      const ctx = current;
      current = undefined;
      await ctx?.cleanup();
    });

    for (const test of conformanceTests) {
      const title = `[${test.id}] ${test.title}`;
      const reason = skip[test.id];
      if (reason !== undefined) {
        it.skip(`${title} (known gap: ${reason})`, () => {});
        continue;
      }
      it(title, { timeout: timeoutMs }, async () => {
        if (!current) throw new Error("conformance: the test context was not set up");
        await test.run(current);
      });
    }
  });
}

/**
 * Runs one conformance test by id against a driver, outside any test file's
 * registration: resolves when it passes, rejects with its assertion when it
 * fails. Used to show that a deliberately broken driver fails the suite.
 */
export async function runConformanceTest(id: string, createDriver: CreateDriver): Promise<void> {
  const test = conformanceTests.find((t) => t.id === id);
  if (!test)
    throw new Error(`runConformanceTest: no conformance test has id ${JSON.stringify(id)}`);
  const ctx = await TestContext.open(createDriver);
  try {
    await test.run(ctx);
  } finally {
    await ctx.cleanup();
  }
}

function validate(options: ConformanceOptions): ConformanceOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("runConformanceSuite: options must be an object");
  }
  const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.has(key));
  if (unknown.length > 0) {
    throw new TypeError(
      `runConformanceSuite: unknown option ${unknown.map((k) => JSON.stringify(k)).join(", ")} (known: ${[...OPTION_KEYS].join(", ")})`,
    );
  }
  if (typeof options.name !== "string" || options.name.trim() === "") {
    throw new TypeError("runConformanceSuite: name must be a non-empty string");
  }
  if (typeof options.createDriver !== "function") {
    throw new TypeError(
      "runConformanceSuite: createDriver must be a function ({ path }) => driver",
    );
  }
  if (
    options.timeoutMs !== undefined &&
    (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)
  ) {
    throw new TypeError("runConformanceSuite: timeoutMs must be a positive number");
  }
  if (options.tempDir !== undefined && typeof options.tempDir !== "string") {
    throw new TypeError("runConformanceSuite: tempDir must be a string");
  }
  const ids = new Set(conformanceTestIds());
  for (const [id, reason] of Object.entries(options.skip ?? {})) {
    if (!ids.has(id)) {
      const near = [...ids].filter((known) => known.split(".")[0] === id.split(".")[0]);
      throw new Error(
        `runConformanceSuite: skip names an unknown test id ${JSON.stringify(id)}` +
          (near.length > 0 ? ` (ids in that area: ${near.join(", ")})` : ""),
      );
    }
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new Error(`runConformanceSuite: skip[${JSON.stringify(id)}] needs a written reason`);
    }
  }
  return options;
}

function checkUnique(tests: readonly ConformanceTest[]): readonly ConformanceTest[] {
  const seen = new Set<string>();
  for (const test of tests) {
    if (seen.has(test.id)) throw new Error(`conformance: duplicate test id ${test.id}`);
    seen.add(test.id);
  }
  return tests;
}
