import type { SqliteDriver } from "@llm-sessions/core";
import type { RunResult, SqliteConnection } from "@llm-sessions/core/driver";
import { runConformanceTest } from "@llm-sessions/stress/conformance";
import { describe, expect, it } from "vitest";
import { betterSqlite } from "./index.js";

/** The real driver with one behaviour broken on purpose. */
function broken(path: string, breakIt: (conn: SqliteConnection) => SqliteConnection): SqliteDriver {
  const driver = betterSqlite({ filename: path });
  return {
    name: driver.name,
    target: driver.target,
    capabilities: driver.capabilities,
    connect: async (options) => breakIt(await driver.connect(options)),
  };
}

/** Delegates everything to `conn` except `batch`. */
const withBatch = (conn: SqliteConnection, batch: SqliteConnection["batch"]): SqliteConnection => ({
  run: (sql, params) => conn.run(sql, params),
  get: (sql, params) => conn.get(sql, params),
  all: (sql, params) => conn.all(sql, params),
  exec: (sql) => conn.exec(sql),
  batch,
  transaction: (mode, fn) => conn.transaction(mode, fn),
  transactionSteps: (mode, steps) => conn.transactionSteps(mode, steps),
  writeBatch: (list) => conn.writeBatch(list),
  inTransaction: () => conn.inTransaction(),
  close: () => conn.close(),
  get closed() {
    return conn.closed;
  },
});

/**
 * The conformance suite must turn red when an adapter breaks its contract.
 * Each case runs one suite test against the real adapter (passes) and against
 * the same adapter with the guarded behaviour broken (fails).
 */
describe("the conformance suite catches a broken adapter", () => {
  const cases: Array<
    [id: string, what: string, breakIt: (conn: SqliteConnection) => SqliteConnection]
  > = [
    [
      "batch.atomic",
      "batch runs statement by statement (not atomic)",
      (conn) =>
        withBatch(conn, async (statements) => {
          const results: RunResult[] = [];
          for (const s of statements) results.push(await conn.run(s.sql, s.params));
          return results;
        }),
    ],
    [
      "errors.foreign-key",
      "foreign keys left off",
      (conn) => {
        void conn.exec("PRAGMA foreign_keys = OFF");
        return conn;
      },
    ],
    [
      "pragmas.synchronous",
      "synchronous forced to FULL",
      (conn) => {
        void conn.exec("PRAGMA synchronous = FULL");
        return conn;
      },
    ],
  ];

  for (const [id, what, breakIt] of cases) {
    it(`${id} passes on the real adapter and fails when ${what}`, async () => {
      await expect(
        runConformanceTest(id, ({ path }) => betterSqlite({ filename: path })),
      ).resolves.toBeUndefined();
      const failure = await runConformanceTest(id, ({ path }) => broken(path, breakIt)).then(
        () => undefined,
        (error: unknown) => error,
      );
      // It fails on the suite's assertion, not on a crash of the wrapper.
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).name).toMatch(/AssertionError/);
    });
  }
});
