import {
  type SqliteConnection,
  step,
  type Transaction,
  type TransactionMode,
  type TxSteps,
} from "@llm-sessions/core/driver";
import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError, gate, rejection, tick, track, within } from "./helpers.js";

const T = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)";

export const transactionTests: readonly ConformanceTest[] = [
  defineTest("tx.commit", "a transaction commits when its callback resolves", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(T);
    await db.transaction("immediate", async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('a')");
      await tx.run("INSERT INTO t (v) VALUES ('b')");
      expect(await tx.all("SELECT v FROM t ORDER BY id")).toEqual([{ v: "a" }, { v: "b" }]);
    });
    expect(await db.inTransaction()).toBe(false);
    expect(await db.all("SELECT v FROM t ORDER BY id")).toEqual([{ v: "a" }, { v: "b" }]);
    if ((await ctx.capabilities()).sharedConnections) {
      const other = await ctx.connect();
      expect(await other.all("SELECT v FROM t ORDER BY id")).toEqual([{ v: "a" }, { v: "b" }]);
    }
  }),

  defineTest(
    "tx.rollback-on-throw",
    "a throwing callback rolls back and its error is rethrown as-is",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      await db.run("INSERT INTO t (v) VALUES ('kept')");
      class Custom extends Error {}
      const thrown = new Custom("from the callback");
      const error = await rejection(
        db.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO t (v) VALUES ('lost')");
          await tx.run("UPDATE t SET v = 'changed' WHERE v = 'kept'");
          throw thrown;
        }),
      );
      expect(error, "the very error the callback threw").toBe(thrown);
      expect(await db.all("SELECT v FROM t")).toEqual([{ v: "kept" }]);
      expect(await db.inTransaction()).toBe(false);
      const odd = await rejection(
        db.transaction("deferred", async () => {
          throw "a string";
        }),
      );
      expect(odd).toBe("a string");
    },
  ),

  defineTest("tx.returns-value", "transaction resolves to the callback's value", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(T);
    const value = { some: "object" };
    expect(await db.transaction("immediate", async () => value)).toBe(value);
    const id = await db.transaction("immediate", async (tx) => {
      const r = await tx.run("INSERT INTO t (v) VALUES ('x')");
      return r.lastInsertRowid;
    });
    expect(id).toBe(1);
    expect(await db.transaction("deferred", async (tx) => tx.get("SELECT v FROM t"))).toEqual({
      v: "x",
    });
    expect(await db.transaction("deferred", async () => undefined)).toBeUndefined();
  }),

  defineTest(
    "tx.sql-error-inside",
    "an uncaught statement error inside a transaction rolls back and rejects with that SqliteError",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE u (x TEXT UNIQUE)");
      let inner: unknown;
      const outer = await rejection(
        db.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO u VALUES ('a')");
          try {
            await tx.run("INSERT INTO u VALUES ('a')");
          } catch (error) {
            inner = error;
            throw error;
          }
        }),
      );
      expect(outer).toBe(inner);
      await expectSqliteError(Promise.reject(outer), "CONSTRAINT");
      expect(await db.all("SELECT * FROM u")).toEqual([]);
    },
  ),

  defineTest(
    "tx.caught-error-continues",
    "a statement error caught inside the callback undoes that statement only; the rest commits",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE u (x TEXT UNIQUE)");
      await db.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO u VALUES ('a')");
        await expectSqliteError(tx.run("INSERT INTO u VALUES ('b'), ('a')"), "CONSTRAINT");
        await tx.run("INSERT INTO u VALUES ('c')");
      });
      expect(await db.all("SELECT x FROM u ORDER BY x")).toEqual([{ x: "a" }, { x: "c" }]);
    },
  ),

  defineTest(
    "tx.commit-failure",
    "a deferred constraint that fails at COMMIT rejects, keeps nothing, and leaves no transaction open",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(`
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (
          id INTEGER PRIMARY KEY,
          parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED
        );
      `);
      await expectSqliteError(
        db.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO child (parent_id) VALUES (42)");
          return "callback finished";
        }),
        "CONSTRAINT",
        "a transaction whose COMMIT violates a deferred foreign key",
      );
      expect(await db.inTransaction()).toBe(false);
      expect(await db.all("SELECT * FROM child")).toEqual([]);
      await db.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO parent (id) VALUES (42)");
        await tx.run("INSERT INTO child (parent_id) VALUES (42)");
      });
      expect(await db.get("SELECT count(*) AS n FROM child")).toEqual({ n: 1 });
    },
  ),

  defineTest(
    "tx.nested-misuse",
    "transaction() on the connection from inside its transaction rejects with MISUSE",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      const result = await within(
        db.transaction("immediate", async (tx) => {
          await tx.run("INSERT INTO t (v) VALUES ('outer')");
          await expectSqliteError(
            db.transaction("immediate", async (inner) => {
              await inner.run("INSERT INTO t (v) VALUES ('inner')");
            }),
            "MISUSE",
            "a nested transaction()",
          );
          return "outer done";
        }),
        5_000,
        "a transaction with a nested transaction() inside",
      );
      expect(result).toBe("outer done");
      expect(await db.all("SELECT v FROM t")).toEqual([{ v: "outer" }]);
    },
  ),

  defineTest(
    "tx.connection-inside-misuse",
    "a statement sent to the connection (not tx) from inside its transaction rejects with MISUSE, no deadlock",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      await within(
        db.transaction("immediate", async (tx) => {
          await expectSqliteError(db.run("INSERT INTO t (v) VALUES ('x')"), "MISUSE", "db.run");
          await expectSqliteError(db.get("SELECT 1"), "MISUSE", "db.get");
          await expectSqliteError(db.all("SELECT 1"), "MISUSE", "db.all");
          await expectSqliteError(db.exec("SELECT 1"), "MISUSE", "db.exec");
          await expectSqliteError(
            db.batch([{ sql: "INSERT INTO t (v) VALUES ('y')" }]),
            "MISUSE",
            "db.batch",
          );
          await tx.run("INSERT INTO t (v) VALUES ('via tx')");
        }),
        5_000,
        "a transaction that calls its own connection",
      );
      expect(await db.all("SELECT v FROM t")).toEqual([{ v: "via tx" }]);
    },
  ),

  defineTest(
    "tx.handle-after-end",
    "the tx handle rejects with MISUSE once the transaction has committed or rolled back",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      let committed: Transaction | undefined;
      await db.transaction("immediate", async (tx) => {
        committed = tx;
      });
      let rolledBack: Transaction | undefined;
      await rejection(
        db.transaction("immediate", async (tx) => {
          rolledBack = tx;
          throw new Error("roll back");
        }),
      );
      for (const tx of [committed, rolledBack]) {
        expect(tx).toBeDefined();
        if (!tx) continue;
        await expectSqliteError(
          tx.run("INSERT INTO t (v) VALUES ('late')"),
          "MISUSE",
          "late tx.run",
        );
        await expectSqliteError(tx.get("SELECT 1"), "MISUSE", "late tx.get");
        await expectSqliteError(tx.all("SELECT 1"), "MISUSE", "late tx.all");
        await expectSqliteError(tx.exec("SELECT 1"), "MISUSE", "late tx.exec");
        await expectSqliteError(
          tx.batch([{ sql: "INSERT INTO t (v) VALUES ('late')" }]),
          "MISUSE",
          "late tx.batch",
        );
        await expectSqliteError(tx.batch([]), "MISUSE", "late tx.batch([])");
      }
      expect(await db.all("SELECT * FROM t")).toEqual([]);
    },
  ),

  defineTest(
    "tx.handle-escapes-async",
    "a tx statement started in the callback but not awaited does not run after the transaction ends",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      let late: Promise<unknown> | undefined;
      await db.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO t (v) VALUES ('in')");
        setTimeout(() => {
          late = tx.run("INSERT INTO t (v) VALUES ('escaped')").catch((error: unknown) => error);
        }, 0);
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(late).toBeDefined();
      await expectSqliteError(
        (late ?? Promise.resolve()).then((value) => {
          throw value;
        }),
        "MISUSE",
        "a tx statement issued after the callback resolved",
      );
      expect(await db.all("SELECT v FROM t")).toEqual([{ v: "in" }]);
    },
  ),

  defineTest(
    "tx.isolation-interleave",
    "two concurrent transactions on one connection never interleave",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (who TEXT)");
      const events: string[] = [];
      const body = (who: string) => async (tx: Transaction) => {
        events.push(`${who}:begin`);
        await tx.run("INSERT INTO t VALUES (?)", [who]);
        await tick();
        await tick();
        const row = await tx.get<{ n: number }>("SELECT count(*) AS n FROM t");
        events.push(`${who}:end`);
        return row?.n;
      };
      const [a, b] = await Promise.all([
        db.transaction("immediate", body("a")),
        db.transaction("immediate", body("b")),
      ]);
      expect(events).toEqual(["a:begin", "a:end", "b:begin", "b:end"]);
      expect([a, b], "each transaction sees only committed rows and its own").toEqual([1, 2]);
    },
  ),

  defineTest(
    "tx.outside-statement-waits",
    "a statement issued while another caller's transaction is open waits, and is not rolled back with it",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      const hold = gate();
      const entered = gate();
      const transaction = db.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO t (v) VALUES ('tx')");
        entered.open();
        await hold.promise;
        throw new Error("roll the transaction back");
      });
      const txOutcome = transaction.catch((error: unknown) => error);
      await entered.promise;
      const outside = track(db.run("INSERT INTO t (v) VALUES ('outside')"));
      const reader = track(db.all("SELECT v FROM t"));
      for (let i = 0; i < 5; i++) await tick();
      expect(outside.settled, "the outside run must wait for the transaction").toBe(false);
      expect(reader.settled, "the outside read must wait for the transaction").toBe(false);
      hold.open();
      expect(await txOutcome).toBeInstanceOf(Error);
      await outside.promise;
      expect(
        await reader.promise,
        "the read ran after the rollback, behind the outside run",
      ).toEqual([{ v: "outside" }]);
      expect(await db.all("SELECT v FROM t")).toEqual([{ v: "outside" }]);
    },
  ),

  defineTest(
    "tx.read-modify-write",
    "20 concurrent read-modify-write transactions lose no update",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0)");
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction("immediate", async (tx) => {
            const row = await tx.get<{ n: number }>("SELECT n FROM counter");
            await tick();
            await tx.run("UPDATE counter SET n = ?", [(row?.n ?? 0) + 1]);
          }),
        ),
      );
      expect(await db.get("SELECT n FROM counter")).toEqual({ n: 20 });
    },
  ),

  defineTest(
    "tx.many-concurrent",
    "200 concurrent callers on one connection all succeed, in call order",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER)");
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => db.run("INSERT INTO t (i) VALUES (?)", [i])),
      );
      expect(results.map((r) => r.lastInsertRowid)).toEqual(
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      const reads = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          i % 5 === 0
            ? db.transaction("deferred", (tx) =>
                tx.get<{ i: number }>("SELECT i FROM t WHERE id = ?", [i + 1]),
              )
            : db.get<{ i: number }>("SELECT i FROM t WHERE id = ?", [i + 1]),
        ),
      );
      expect(reads.map((r) => r?.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    },
  ),

  defineTest(
    "tx.invalid-mode",
    "an unknown transaction mode rejects with MISUSE before anything runs",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      let ran = false;
      await expectSqliteError(
        db.transaction("exclusive" as "immediate", async () => {
          ran = true;
        }),
        "MISUSE",
      );
      expect(ran).toBe(false);
      expect(await db.inTransaction()).toBe(false);
    },
  ),

  defineTest(
    "tx.raw-begin",
    "inTransaction() is true after a raw exec('BEGIN') and false after COMMIT or ROLLBACK",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      expect(await db.inTransaction()).toBe(false);
      await db.exec("BEGIN");
      expect(await db.inTransaction()).toBe(true);
      await db.run("INSERT INTO t (v) VALUES ('raw')");
      await db.exec("COMMIT");
      expect(await db.inTransaction()).toBe(false);
      await db.exec("BEGIN IMMEDIATE");
      expect(await db.inTransaction()).toBe(true);
      await db.run("INSERT INTO t (v) VALUES ('undone')");
      await db.exec("ROLLBACK");
      expect(await db.inTransaction()).toBe(false);
      expect(await db.all("SELECT v FROM t")).toEqual([{ v: "raw" }]);
      await db.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO t (v) VALUES ('managed')");
      });
      expect(await db.inTransaction()).toBe(false);
    },
  ),

  defineTest(
    "tx.deferred-snapshot",
    "a deferred transaction reads one snapshot while another connection commits",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const a = await ctx.connect();
      await a.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
      if (!caps.sharedConnections) {
        // Complementary: with one private database, a deferred transaction
        // still reads its own writes and commits them.
        await a.transaction("deferred", async (tx) => {
          expect(await tx.get("SELECT count(*) AS n FROM t")).toEqual({ n: 1 });
          await tx.run("INSERT INTO t VALUES (2)");
          expect(await tx.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
        });
        expect(await a.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
        return;
      }
      const b = await ctx.connect();
      const counts = await a.transaction("deferred", async (tx) => {
        const before = await tx.get<{ n: number }>("SELECT count(*) AS n FROM t");
        await b.run("INSERT INTO t VALUES (2)");
        expect(await b.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
        const during = await tx.get<{ n: number }>("SELECT count(*) AS n FROM t");
        return [before?.n, during?.n];
      });
      expect(counts, "the snapshot does not move inside the transaction").toEqual([1, 1]);
      expect(await a.get("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
    },
  ),

  defineTest(
    "tx.immediate-locks",
    "an immediate transaction takes the write lock at BEGIN; a deferred one does not",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const a = await ctx.connect();
      await a.exec(T);
      if (!caps.sharedConnections) {
        // Complementary: both modes write and commit on a private database.
        await a.transaction("immediate", (tx) => tx.run("INSERT INTO t (v) VALUES ('i')"));
        await a.transaction("deferred", (tx) => tx.run("INSERT INTO t (v) VALUES ('d')"));
        expect(await a.all("SELECT v FROM t ORDER BY id")).toEqual([{ v: "i" }, { v: "d" }]);
        return;
      }
      const b = await ctx.connect({ busyTimeoutMs: 50 });
      if (caps.beginsLazily) {
        // Complementary: BEGIN IMMEDIATE goes with the first statement, which takes the lock.
        let queued: Promise<unknown> | undefined;
        await a.transaction("immediate", async (tx) => {
          await b.run("INSERT INTO t (v) VALUES ('before the first statement')");
          await tx.run("INSERT INTO t (v) VALUES ('first')");
          if (caps.queuesWriters) {
            queued = b.run("INSERT INTO t (v) VALUES ('queued')");
            queued.catch(() => {});
          } else {
            await expectSqliteError(
              b.run("INSERT INTO t (v) VALUES ('refused')"),
              "BUSY",
              "a write after the immediate transaction's first statement",
            );
          }
          await tx.run("INSERT INTO t (v) VALUES ('second')");
        });
        await queued;
        expect(await a.all("SELECT v FROM t ORDER BY id")).toEqual([
          { v: "before the first statement" },
          { v: "first" },
          { v: "second" },
          ...(caps.queuesWriters ? [{ v: "queued" }] : []),
        ]);
        return;
      }
      await a.transaction("deferred", async () => {
        // Nothing read or written yet: no lock is held.
        await b.run("INSERT INTO t (v) VALUES ('while deferred')");
      });
      await a.transaction("immediate", async () => {
        await expectSqliteError(
          b.run("INSERT INTO t (v) VALUES ('while immediate')"),
          "BUSY",
          "a write while another connection holds an immediate transaction",
        );
      });
      expect(await a.all("SELECT v FROM t")).toEqual([{ v: "while deferred" }]);
    },
  ),
  defineTest(
    "tx.context-ends-with-transaction",
    "work scheduled from inside a transaction that runs after it ended may use the connection",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      const later = gate();
      let scheduled: Promise<unknown> | undefined;
      await db.transaction("immediate", async (tx) => {
        await tx.run("INSERT INTO t (v) VALUES ('in tx')");
        // E.g. a timer or a lazily started background task created during the transaction.
        setTimeout(() => {
          scheduled = db.run("INSERT INTO t (v) VALUES ('after tx')");
          later.open();
        }, 5);
      });
      await within(later.promise, 2_000, "the scheduled timer");
      await within(
        scheduled ?? Promise.resolve(),
        2_000,
        "a run issued after the transaction ended",
      );
      expect(await db.all("SELECT v FROM t ORDER BY id")).toEqual([
        { v: "in tx" },
        { v: "after tx" },
      ]);
    },
  ),

  defineTest(
    "tx.steps-commit",
    "transactionSteps runs a body of yielded statements in one transaction and commits it",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      const result = await steps(db, "immediate", function* () {
        yield* step.run("INSERT INTO t (v) VALUES ('a')");
        const r = yield* step.run("INSERT INTO t (v) VALUES ('b')");
        const rows = yield* step.all<{ v: string }>("SELECT v FROM t ORDER BY id");
        const one = yield* step.get<{ v: string }>("SELECT v FROM t WHERE id = ?", [1]);
        return { id: r.lastInsertRowid, rows, one };
      });
      expect(result).toEqual({ id: 2, rows: [{ v: "a" }, { v: "b" }], one: { v: "a" } });
      expect(await db.inTransaction()).toBe(false);
      expect(await db.all("SELECT v FROM t ORDER BY id")).toEqual([{ v: "a" }, { v: "b" }]);
    },
  ),

  defineTest(
    "tx.steps-errors",
    "transactionSteps throws a failing statement into the body (a SqliteError it may catch) and rolls back a body that throws",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE u (x TEXT UNIQUE)");
      let caught: unknown;
      await steps(db, "immediate", function* () {
        yield* step.run("INSERT INTO u VALUES ('a')");
        try {
          yield* step.run("INSERT INTO u VALUES ('a')");
        } catch (error) {
          caught = error;
        }
        // A savepoint inside the transaction, then more work: all of it commits.
        yield* step.batch([{ sql: "INSERT INTO u VALUES ('b')" }]);
      });
      await expectSqliteError(Promise.reject(caught), "CONSTRAINT");
      expect(await db.all("SELECT x FROM u ORDER BY x")).toEqual([{ x: "a" }, { x: "b" }]);
      const thrown = new Error("rule broken");
      const error = await rejection(
        steps(db, "immediate", function* () {
          yield* step.run("INSERT INTO u VALUES ('lost')");
          throw thrown;
        }),
      );
      expect(error).toBe(thrown);
      expect(await db.all("SELECT x FROM u ORDER BY x")).toEqual([{ x: "a" }, { x: "b" }]);
      expect(await db.inTransaction()).toBe(false);
    },
  ),

  defineTest(
    "tx.steps-await",
    "an await step runs async code on the transaction's handle, inside the same transaction",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(T);
      const seen = await steps(db, "immediate", function* () {
        yield* step.run("INSERT INTO t (v) VALUES ('before')");
        const inside = yield* step.await(async (tx) => {
          await new Promise((r) => setTimeout(r, 5));
          await tx.run("INSERT INTO t (v) VALUES ('awaited')");
          return (await tx.all<{ v: string }>("SELECT v FROM t ORDER BY id")).map((r) => r.v);
        });
        yield* step.run("INSERT INTO t (v) VALUES ('after')");
        return inside;
      });
      expect(seen).toEqual(["before", "awaited"]);
      expect((await db.all<{ v: string }>("SELECT v FROM t ORDER BY id")).map((r) => r.v)).toEqual([
        "before",
        "awaited",
        "after",
      ]);
    },
  ),
];

/** The body through `transactionSteps`, which every connection has (a wrapper forwards it). */
function steps<T>(db: SqliteConnection, mode: TransactionMode, body: () => TxSteps<T>): Promise<T> {
  return db.transactionSteps(mode, body);
}
