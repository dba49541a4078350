import { describe, expect, it } from "vitest";
import { SqliteError } from "./errors.js";
import { step } from "./steps.js";
import { fakeRaw, wrap } from "./test-support/fake-raw.js";

describe("core's connection over a raw adapter connection", () => {
  it("prepares each SQL text once and forgets the least recently used past the cache size", async () => {
    const { raw, log } = fakeRaw({ async: false, logPrepares: true });
    const conn = wrap(raw, { statementCacheSize: 2 });
    await conn.run("A");
    await conn.run("A");
    await conn.get("B");
    await conn.all("C");
    await conn.run("A");
    expect(log.filter((l) => l.startsWith("prepare"))).toEqual([
      "prepare A",
      "prepare B",
      "prepare C",
      "prepare A",
    ]);
  });

  for (const async of [false, true]) {
    const kind = async ? "async" : "sync";

    it(`runs a batch outside a transaction as its own write transaction (${kind})`, async () => {
      const { raw, log } = fakeRaw({ async });
      const conn = wrap(raw);
      await conn.batch([{ sql: "INSERT 1" }, { sql: "INSERT 2" }]);
      expect(log).toEqual(["BEGIN immediate", "INSERT 1", "INSERT 2", "COMMIT"]);
    });

    it(`rolls a failing batch back, leaving nothing done (${kind})`, async () => {
      const { raw, log } = fakeRaw({ async, fail: "INSERT 2" });
      const conn = wrap(raw);
      await expect(conn.batch([{ sql: "INSERT 1" }, { sql: "INSERT 2" }])).rejects.toMatchObject({
        code: "CONSTRAINT",
      });
      expect(log).toEqual(["BEGIN immediate", "INSERT 1", "INSERT 2", "ROLLBACK"]);
    });

    it(`runs a batch inside a transaction as a savepoint, undone when it fails (${kind})`, async () => {
      const { raw, log } = fakeRaw({ async, fail: "INSERT bad" });
      const conn = wrap(raw);
      const outcome = await conn.transactionSteps("immediate", function* () {
        yield* step.batch([{ sql: "INSERT 1" }]);
        try {
          yield* step.batch([{ sql: "INSERT 2" }, { sql: "INSERT bad" }]);
        } catch (error) {
          return (error as SqliteError).code;
        }
        return "no error";
      });
      expect(outcome).toBe("CONSTRAINT");
      expect(log).toEqual([
        "BEGIN immediate",
        "SAVEPOINT llm_sessions_batch",
        "INSERT 1",
        "RELEASE llm_sessions_batch",
        "SAVEPOINT llm_sessions_batch",
        "INSERT 2",
        "INSERT bad",
        "ROLLBACK TO llm_sessions_batch; RELEASE llm_sessions_batch",
        "COMMIT",
      ]);
    });

    it(`refuses to run a statement, or commit, once SQLite has ended the transaction (${kind})`, async () => {
      const fake = fakeRaw({ async });
      const conn = wrap(fake.raw);
      const error = await conn
        .transaction("immediate", async (tx) => {
          await tx.run("INSERT 1");
          // SQLite rolled back on its own (after SQLITE_FULL, say).
          fake.endTransaction();
          await tx.run("INSERT 2");
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqliteError);
      expect((error as SqliteError).code).toBe("ABORT");
      // INSERT 2 never reached the driver (it would have run in autocommit), nor did COMMIT or ROLLBACK.
      expect(fake.log).toEqual(["BEGIN immediate", "INSERT 1"]);

      fake.log.length = 0;
      const atCommit = await conn
        .transactionSteps("immediate", function* () {
          yield* step.run("INSERT 3");
          fake.endTransaction();
        })
        .catch((e: unknown) => e);
      expect((atCommit as SqliteError).code).toBe("ABORT");
      expect(fake.log).toEqual(["BEGIN immediate", "INSERT 3"]);
    });
  }

  it("hands a batch to the adapter's own batch when it has one", async () => {
    const { raw, log } = fakeRaw({ async: true });
    const conn = wrap({
      ...raw,
      batch: async (statements) => {
        log.push(`batch ${statements.map((s) => s.sql).join(",")}`);
        return statements.map(() => ({ changes: 1, lastInsertRowid: 1 }));
      },
    });
    expect(await conn.batch([{ sql: "INSERT 1" }, { sql: "INSERT 2" }])).toHaveLength(2);
    expect(log).toEqual(["batch INSERT 1,INSERT 2"]);
  });

  it("waits for a file's write lock on later turns of the event loop, SQLite's own wait off", async () => {
    const { raw, log } = fakeRaw({
      async: false,
      fail: "BEGIN immediate",
      failCode: "BUSY",
      failTimes: 2,
    });
    const conn = wrap(raw, { waitForLock: true, busyTimeoutMs: 60_000 });
    await conn.transactionSteps("immediate", function* () {
      yield* step.run("INSERT 1");
    });
    const attempt = ["PRAGMA busy_timeout = 0", "BEGIN immediate", "PRAGMA busy_timeout = 60000"];
    expect(log).toEqual([...attempt, ...attempt, ...attempt, "INSERT 1", "COMMIT"]);
  });

  it("gives up with BUSY at once when the busy timeout is 0", async () => {
    const { raw, log } = fakeRaw({ async: false, fail: "BEGIN immediate", failCode: "BUSY" });
    const conn = wrap(raw, { waitForLock: true, busyTimeoutMs: 0 });
    await expect(conn.batch([{ sql: "INSERT 1" }])).rejects.toMatchObject({ code: "BUSY" });
    expect(log).toEqual(["PRAGMA busy_timeout = 0", "BEGIN immediate", "PRAGMA busy_timeout = 0"]);
  });

  it("begins a deferred transaction, and any on a database it need not wait for, directly", async () => {
    const { raw, log } = fakeRaw({ async: false });
    await wrap(raw, { waitForLock: true }).transactionSteps("deferred", function* () {
      yield* step.get("SELECT 1");
    });
    await wrap(raw, { waitForLock: false }).transactionSteps("immediate", function* () {
      yield* step.get("SELECT 2");
    });
    expect(log).toEqual([
      "BEGIN deferred",
      "SELECT 1",
      "COMMIT",
      "BEGIN immediate",
      "SELECT 2",
      "COMMIT",
    ]);
  });
});
