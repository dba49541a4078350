import type { SqliteErrorCode } from "@llm-sessions/core";
import type { Params, Queryable, Row } from "@llm-sessions/core/driver";
import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError, rejection } from "./helpers.js";

/**
 * A failed statement must leave the connection exactly as it was: the same
 * SQL text run next with good parameters binds those parameters (a driver
 * that reuses a cached statement must not replay the old bindings or the old
 * error), and an open transaction stays open. Every kind of failure SQLite
 * reports is tried through every method.
 */

const SCHEMA = `
  CREATE TABLE parent (id INTEGER PRIMARY KEY);
  INSERT INTO parent (id) VALUES (1);
  CREATE TABLE t (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    n INTEGER NOT NULL CHECK (n >= 0),
    parent_id INTEGER REFERENCES parent (id)
  ) STRICT;
  CREATE TRIGGER t_guard BEFORE INSERT ON t WHEN NEW.name = 'forbidden'
  BEGIN SELECT RAISE(ABORT, 'forbidden name'); END;
  INSERT INTO t (id, name, n, parent_id) VALUES (1, 'one', 1, 1);
`;
const SEED: Row = { id: 1, name: "one", n: 1, parent_id: 1 };
const MAX = 9223372036854775807n;

const INSERT = "INSERT INTO t (id, name, n, parent_id) VALUES (?, ?, ?, ?)";
/** Integer overflow at run time, inside a write: sum() past 2^63 - 1. */
const INSERT_SUM =
  "INSERT INTO t (id, name, n, parent_id) SELECT ?, ?, sum(x), 1 FROM (SELECT ? AS x UNION ALL SELECT ?)";
const RETURNING = " RETURNING id, name, n, parent_id";

/** One way a write fails, and the good parameters for the same SQL text. */
interface Failure {
  readonly kind: string;
  readonly code: SqliteErrorCode;
  readonly sql: string;
  readonly bad: (id: number) => Params;
  readonly good: (id: number) => Params;
}

/** The good parameters write `rowFor(id)`; INSERT_SUM sums `id - 1` and 1. */
function failure(
  kind: string,
  code: SqliteErrorCode,
  sql: string,
  bad: (id: number) => Params,
): Failure {
  const good = (id: number): Params =>
    sql === INSERT_SUM ? [id, `row${id}`, id - 1, 1] : [id, `row${id}`, id, 1];
  return { kind, code, sql, bad, good };
}

const FAILURES: readonly Failure[] = [
  failure("primary key", "CONSTRAINT", INSERT, () => [1, "pk", 1, 1]),
  failure("unique", "CONSTRAINT", INSERT, (id) => [id, "one", 1, 1]),
  failure("not null", "CONSTRAINT", INSERT, (id) => [id, null, 1, 1]),
  failure("check", "CONSTRAINT", INSERT, (id) => [id, `c${id}`, -1, 1]),
  failure("foreign key", "CONSTRAINT", INSERT, (id) => [id, `f${id}`, 1, 404]),
  failure("trigger abort", "CONSTRAINT", INSERT, (id) => [id, "forbidden", 1, 1]),
  failure("strict type", "CONSTRAINT", INSERT, (id) => [id, `s${id}`, "many", 1]),
  failure("overflow", "ERROR", INSERT_SUM, (id) => [id, `o${id}`, MAX, 1]),
];

/** The row `good(id)` writes. */
const rowFor = (id: number): Row => ({ id, name: `row${id}`, n: id, parent_id: 1 });

type Method = "run" | "get" | "all";
const METHODS: readonly Method[] = ["run", "get", "all"];

/** Runs `sql` through `method` and checks what it returns for a good row `id`. */
async function expectGood(
  q: Queryable,
  method: Method,
  sql: string,
  params: Params,
  id: number,
  what: string,
): Promise<void> {
  const returning = sql.endsWith(RETURNING);
  if (method === "run") {
    const result = await q.run(sql, params);
    expect(result, what).toEqual({ changes: 1, lastInsertRowid: id });
  } else if (method === "get") {
    expect(await q.get(sql, params), what).toEqual(returning ? rowFor(id) : undefined);
  } else {
    expect(await q.all(sql, params), what).toEqual(returning ? [rowFor(id)] : []);
  }
}

const rowsOf = (q: Queryable) => q.all("SELECT id, name, n, parent_id FROM t ORDER BY id");

/**
 * For every failure kind, SQL text (with and without RETURNING) and method:
 * the failing call, then the same text with good parameters twice, then the
 * failure again, with `q` checked after each step. Returns the rows expected.
 */
async function failThenSucceed(q: Queryable, methods: readonly Method[]): Promise<Row[]> {
  const expected: Row[] = [SEED];
  let id = 10;
  for (const failure of FAILURES) {
    for (const suffix of ["", RETURNING]) {
      const sql = failure.sql + suffix;
      for (const method of methods) {
        const what = `${failure.kind}, ${method}${suffix ? " RETURNING" : ""}`;
        await expectSqliteError(q[method](sql, failure.bad(id)), failure.code, what);
        for (let again = 0; again < 2; again++) {
          id += 1;
          await expectGood(q, method, sql, failure.good(id), id, `${what}: good call ${again}`);
          expected.push(rowFor(id));
        }
        expect(await rowsOf(q), `${what}: the table`).toEqual(expected);
        await expectSqliteError(
          q[method](sql, failure.bad(id + 1)),
          failure.code,
          `${what}: again`,
        );
      }
    }
  }
  return expected;
}

/** A sentinel thrown to roll a transaction back. */
class Undo extends Error {}

export const recoveryTests: readonly ConformanceTest[] = [
  defineTest(
    "recovery.after-failure",
    "after every kind of failed statement (run, get, all) the same SQL with good parameters writes exactly the new row",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(SCHEMA);
      const expected = await failThenSucceed(db, METHODS);
      expect(await db.inTransaction()).toBe(false);
      // Another connection sees every row: each was committed on its own.
      if ((await ctx.capabilities()).sharedConnections) {
        expect(await rowsOf(await ctx.connect())).toEqual(expected);
      }
    },
  ),

  defineTest(
    "recovery.in-transaction",
    "a failed statement inside a transaction leaves it open: later statements run in it and commit or roll back with it",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(SCHEMA);
      const expected = await db.transaction("immediate", (tx) => failThenSucceed(tx, METHODS));
      expect(await rowsOf(db)).toEqual(expected);
      // The good statements after a failure are inside the transaction: undone with it.
      const undone = await rejection(
        db.transaction("immediate", async (tx) => {
          for (const failure of FAILURES) {
            await expectSqliteError(
              tx.get(failure.sql + RETURNING, failure.bad(900)),
              failure.code,
            );
            await expectGood(
              tx,
              "get",
              failure.sql + RETURNING,
              failure.good(900),
              900,
              failure.kind,
            );
            await tx.run("DELETE FROM t WHERE id = 900");
          }
          await expectGood(tx, "run", INSERT, [901, "row901", 901, 1], 901, "last");
          throw new Undo("roll back");
        }),
      );
      expect(undone).toBeInstanceOf(Undo);
      expect(await rowsOf(db)).toEqual(expected);
      expect(await db.inTransaction()).toBe(false);
    },
  ),

  defineTest(
    "recovery.raw-transaction",
    "a failed statement inside a raw BEGIN leaves it open; ROLLBACK undoes the good statements after it",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(SCHEMA);
      await db.exec("BEGIN IMMEDIATE");
      await failThenSucceed(db, METHODS);
      expect(await db.inTransaction()).toBe(true);
      await db.exec("ROLLBACK");
      expect(await db.inTransaction()).toBe(false);
      expect(await rowsOf(db)).toEqual([SEED]);
    },
  ),

  defineTest(
    "recovery.batch",
    "after a failed batch (every kind), a batch of the same SQL with good parameters writes exactly its rows, inside a transaction or not",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(SCHEMA);
      const expected: Row[] = [SEED];
      let id = 10;
      const attempt = async (q: Queryable) => {
        for (const failure of FAILURES) {
          await expectSqliteError(
            q.batch([
              { sql: INSERT, params: [id + 1, `row${id + 1}`, id + 1, 1] },
              { sql: failure.sql, params: failure.bad(id + 2) },
            ]),
            failure.code,
            `${failure.kind}: batch`,
          );
          expect(await rowsOf(q), `${failure.kind}: nothing of the failed batch`).toEqual(expected);
          const results = await q.batch([
            { sql: failure.sql, params: failure.good(id + 1) },
            { sql: failure.sql, params: failure.good(id + 2) },
          ]);
          expect(results, failure.kind).toEqual([
            { changes: 1, lastInsertRowid: id + 1 },
            { changes: 1, lastInsertRowid: id + 2 },
          ]);
          expected.push(rowFor(id + 1), rowFor(id + 2));
          expect(await rowsOf(q), `${failure.kind}: the good batch`).toEqual(expected);
          id += 2;
        }
      };
      await attempt(db);
      expect(await db.inTransaction()).toBe(false);
      await db.transaction("immediate", attempt);
      expect(await rowsOf(db)).toEqual(expected);
    },
  ),

  defineTest(
    "recovery.prepare-error",
    "a statement that cannot be prepared (syntax, unknown table) fails every time and changes nothing, inside a transaction or not",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(SCHEMA);
      const broken = ["INSERT INTO t (id, name VALUES (?, ?)", "INSERT INTO nowhere VALUES (?, ?)"];
      const tryAll = async (q: Queryable) => {
        for (const sql of broken) {
          for (const method of METHODS) {
            await expectSqliteError(q[method](sql, [50, "x"]), "ERROR", `${method} ${sql}`);
            await expectSqliteError(q[method](sql, [50, "x"]), "ERROR", `${method} ${sql} again`);
          }
          await expectSqliteError(q.batch([{ sql, params: [50, "x"] }]), "ERROR", `batch ${sql}`);
        }
      };
      await tryAll(db);
      expect(await db.inTransaction()).toBe(false);
      await db.transaction("immediate", async (tx) => {
        await tx.run(INSERT, [2, "row2", 2, 1]);
        await tryAll(tx);
        await tx.run(INSERT, [3, "row3", 3, 1]);
      });
      expect(await rowsOf(db)).toEqual([SEED, rowFor(2), rowFor(3)]);
    },
  ),

  defineTest(
    "recovery.read-error",
    "a read that fails at run time (integer overflow in sum) answers the same SQL with good parameters exactly",
    async (ctx) => {
      const db = await ctx.connect();
      const sql = "SELECT sum(x) AS total FROM (SELECT ? AS x UNION ALL SELECT ?)";
      for (const method of METHODS) {
        await expectSqliteError(db[method](sql, [MAX, 1]), "ERROR", method);
        if (method === "run") {
          // What run reports for a SELECT is not the point: the reads below are.
          await db.run(sql, [2, 3]);
          expect(await db.get(sql, [6, 7])).toEqual({ total: 13 });
        } else if (method === "get") {
          expect(await db.get(sql, [2, 3])).toEqual({ total: 5 });
          expect(await db.get(sql, [4, 5])).toEqual({ total: 9 });
        } else {
          expect(await db.all(sql, [2, 3])).toEqual([{ total: 5 }]);
          expect(await db.all(sql, [4, 5])).toEqual([{ total: 9 }]);
        }
      }
    },
  ),

  defineTest(
    "recovery.method-switch",
    "the same SQL text run through all, get and run in turn binds each call's own parameters (no stale rows)",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(SCHEMA);
      const select = "SELECT id, name FROM t WHERE id >= ? ORDER BY id";
      await db.run(INSERT, [2, "row2", 2, 1]);
      expect(await db.all(select, [1])).toEqual([
        { id: 1, name: "one" },
        { id: 2, name: "row2" },
      ]);
      expect(await db.get(select, [2])).toEqual({ id: 2, name: "row2" });
      await db.run(select, [1]);
      expect(await db.get(select, [3])).toBeUndefined();
      expect(await db.all(select, [2])).toEqual([{ id: 2, name: "row2" }]);
      expect(await db.get(select, [1])).toEqual({ id: 1, name: "one" });
      const insert = INSERT + RETURNING;
      expect(await db.all(insert, [3, "row3", 3, 1])).toEqual([rowFor(3)]);
      expect(await db.get(insert, [4, "row4", 4, 1])).toEqual(rowFor(4));
      expect(await db.run(insert, [5, "row5", 5, 1])).toEqual({ changes: 1, lastInsertRowid: 5 });
      expect(await db.get(insert, [6, "row6", 6, 1])).toEqual(rowFor(6));
      expect((await rowsOf(db)).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    },
  ),
];
