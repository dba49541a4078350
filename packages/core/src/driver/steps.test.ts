import { describe, expect, it } from "vitest";
import { SqliteError } from "./errors.js";
import { runSteps, step, type TxSteps } from "./steps.js";
import { fakeRaw, wrap } from "./test-support/fake-raw.js";

function* threeStatements(log: string[]): TxSteps<string> {
  const row = yield* step.get<{ sql: string }>("SELECT 1");
  // A microtask queued here runs at the body's first promise turn.
  queueMicrotask(() => log.push("microtask"));
  yield* step.run("INSERT 1");
  const rows = yield* step.all<{ sql: string }>("SELECT 2");
  return `${row?.sql}|${rows[0]?.sql}`;
}

describe("transactionSteps", () => {
  it("runs BEGIN to COMMIT without a promise turn when the driver answers synchronously", async () => {
    const { raw, log } = fakeRaw({ async: false });
    const conn = wrap(raw);
    const result = await conn.transactionSteps("immediate", () => threeStatements(log));
    expect(result).toBe("SELECT 1|SELECT 2");
    expect(log).toEqual([
      "BEGIN immediate",
      "SELECT 1",
      "INSERT 1",
      "SELECT 2",
      "COMMIT",
      "microtask",
    ]);
  });

  it("gives the same result with a driver that answers with promises, awaiting each step", async () => {
    const { raw, log } = fakeRaw({ async: true });
    const conn = wrap(raw);
    const result = await conn.transactionSteps("immediate", () => threeStatements(log));
    expect(result).toBe("SELECT 1|SELECT 2");
    // The microtask now runs while the body waits on the driver.
    expect(log.indexOf("microtask")).toBeLessThan(log.indexOf("COMMIT"));
    expect(log.filter((l) => l !== "microtask")).toEqual([
      "BEGIN immediate",
      "SELECT 1",
      "INSERT 1",
      "SELECT 2",
      "COMMIT",
    ]);
  });

  for (const async of [false, true]) {
    const kind = async ? "async" : "sync";

    it(`throws a failing statement into the body as a SqliteError it can catch (${kind})`, async () => {
      const { raw, log } = fakeRaw({ async, fail: "INSERT dup" });
      const conn = wrap(raw);
      const caught: unknown[] = [];
      const result = await conn.transactionSteps("immediate", function* () {
        try {
          yield* step.run("INSERT dup");
        } catch (error) {
          caught.push(error);
        }
        yield* step.run("INSERT after");
        return "done";
      });
      expect(result).toBe("done");
      expect(caught).toHaveLength(1);
      expect(caught[0]).toBeInstanceOf(SqliteError);
      expect((caught[0] as SqliteError).code).toBe("CONSTRAINT");
      expect(log).toEqual(["BEGIN immediate", "INSERT dup", "INSERT after", "COMMIT"]);
    });

    it(`rolls back and rethrows when the body throws (${kind})`, async () => {
      const { raw, log } = fakeRaw({ async });
      const conn = wrap(raw);
      const boom = new Error("rule broken");
      await expect(
        conn.transactionSteps("immediate", function* () {
          yield* step.run("INSERT 1");
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(log).toEqual(["BEGIN immediate", "INSERT 1", "ROLLBACK"]);
      // The connection is usable afterwards.
      expect(await conn.get("SELECT 3")).toEqual({ sql: "SELECT 3" });
    });

    it(`rolls back and reports a failed COMMIT as a SqliteError (${kind})`, async () => {
      const { raw, log } = fakeRaw({ async, fail: "COMMIT" });
      const conn = wrap(raw);
      const error = await conn
        .transactionSteps("immediate", function* () {
          yield* step.run("INSERT 1");
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqliteError);
      expect(log).toEqual(["BEGIN immediate", "INSERT 1", "COMMIT", "ROLLBACK"]);
    });

    it(`runs an await step with the transaction's handle, then the rest of the body (${kind})`, async () => {
      const { raw, log } = fakeRaw({ async });
      const conn = wrap(raw);
      const result = await conn.transactionSteps("deferred", function* () {
        const inner = yield* step.await(async (tx) => {
          await new Promise((r) => setTimeout(r, 5));
          return (await tx.get<{ sql: string }>("SELECT inside"))?.sql;
        });
        yield* step.exec("SAVEPOINT s");
        return inner;
      });
      expect(result).toBe("SELECT inside");
      expect(log).toEqual(["BEGIN deferred", "SELECT inside", "SAVEPOINT s", "COMMIT"]);
    });
  }

  it("rethrows an await step's own error as it is, thrown or rejected, and rolls back", async () => {
    const { raw, log } = fakeRaw({ async: false });
    const conn = wrap(raw);
    const mine = new Error("mine");
    for (const fn of [
      () => {
        throw mine;
      },
      () => Promise.reject(mine),
    ]) {
      const error = await conn
        .transactionSteps("immediate", function* () {
          yield* step.run("INSERT 1");
          yield* step.await(fn as () => Promise<void>);
        })
        .catch((e: unknown) => e);
      expect(error).toBe(mine);
    }
    expect(log.filter((l) => l === "ROLLBACK")).toHaveLength(2);
  });

  it("refuses to start from inside the connection's own transaction (it would wait for itself)", async () => {
    const { raw } = fakeRaw({ async: false });
    const conn = wrap(raw);
    const error = await conn
      .transaction("immediate", async () =>
        conn.transactionSteps("immediate", function* () {
          yield* step.run("INSERT 1");
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteError);
    expect((error as SqliteError).code).toBe("MISUSE");
  });

  it("runs steps one at a time with other callers: a waiting statement runs after COMMIT", async () => {
    const { raw, log } = fakeRaw({ async: true });
    const conn = wrap(raw);
    const tx = conn.transactionSteps("immediate", function* () {
      yield* step.run("INSERT 1");
      yield* step.run("INSERT 2");
    });
    const other = conn.run("INSERT other");
    await Promise.all([tx, other]);
    expect(log).toEqual(["BEGIN immediate", "INSERT 1", "INSERT 2", "COMMIT", "INSERT other"]);
  });
});

describe("runSteps", () => {
  it("drives a body over any Queryable, throwing failures into it", async () => {
    const { raw, log } = fakeRaw({ async: true, fail: "bad" });
    const conn = wrap(raw);
    const result = await runSteps(
      (function* () {
        let failed = "";
        try {
          yield* step.batch([{ sql: "bad one" }]);
        } catch (error) {
          failed = (error as SqliteError).code;
        }
        const row = yield* step.get<{ sql: string }>("SELECT 1");
        return `${failed} ${row?.sql}`;
      })(),
      conn,
    );
    expect(result).toBe("CONSTRAINT SELECT 1");
    expect(log).toEqual(["BEGIN immediate", "bad one", "ROLLBACK", "SELECT 1"]);
  });
});
