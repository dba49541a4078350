import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError } from "./helpers.js";

const PEOPLE = "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)";

export const parameterTests: readonly ConformanceTest[] = [
  defineTest("params.positional", "? parameters bind from an array, in order", async (ctx) => {
    const db = await ctx.connect();
    const row = await db.get("SELECT ? AS a, ? AS b, ? AS c", [1, "two", null]);
    expect(row).toEqual({ a: 1, b: "two", c: null });
    await db.exec(PEOPLE);
    await db.run("INSERT INTO people (name, age) VALUES (?, ?)", ["ada", 36]);
    expect(await db.all("SELECT name, age FROM people WHERE age > ?", [30])).toEqual([
      { name: "ada", age: 36 },
    ]);
  }),

  defineTest("params.named-colon", ":name binds from a prefix-less key", async (ctx) => {
    const db = await ctx.connect();
    const row = await db.get("SELECT :a AS a, :b AS b", { a: 1, b: "x" });
    expect(row).toEqual({ a: 1, b: "x" });
  }),

  defineTest("params.named-at", "@name binds from a prefix-less key", async (ctx) => {
    const db = await ctx.connect();
    const row = await db.get("SELECT @a AS a, @b AS b", { a: 2, b: "y" });
    expect(row).toEqual({ a: 2, b: "y" });
  }),

  defineTest("params.named-dollar", "$name binds from a prefix-less key", async (ctx) => {
    const db = await ctx.connect();
    const row = await db.get("SELECT $a AS a, $b AS b", { a: 3, b: "z" });
    expect(row).toEqual({ a: 3, b: "z" });
  }),

  defineTest(
    "params.named-repeated",
    "a named parameter used twice binds the same value; every value type binds by name",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(PEOPLE);
      await db.run("INSERT INTO people (name, age) VALUES (:name, :age)", { name: "bo", age: 7 });
      await db.run("INSERT INTO people (name, age) VALUES (:name, :age)", { name: "cy", age: 9 });
      const rows = await db.all("SELECT name FROM people WHERE age >= :min AND age < :min + 5", {
        min: 7,
      });
      expect(rows).toEqual([{ name: "bo" }, { name: "cy" }]);
      const typed = await db.get("SELECT :n AS n, :b AS b, :big AS big, :f AS f", {
        n: null,
        b: new Uint8Array([9]),
        big: 2n ** 62n,
        f: 0.25,
      });
      expect(typed?.b).toBeInstanceOf(Uint8Array);
      expect(Array.from(typed?.b as Uint8Array)).toEqual([9]);
      expect({ ...typed, b: "checked" }).toEqual({
        n: null,
        b: "checked",
        big: 2n ** 62n,
        f: 0.25,
      });
    },
  ),

  defineTest(
    "params.missing-positional",
    "too few positional parameters reject with a SqliteError (nothing is bound as NULL silently)",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(PEOPLE);
      await expectSqliteError(
        db.run("INSERT INTO people (name, age) VALUES (?, ?)", ["only-one"]),
        ["RANGE", "ERROR", "MISUSE"],
      );
      expect(await db.all("SELECT * FROM people")).toEqual([]);
    },
  ),

  defineTest(
    "params.missing-named",
    "a named parameter without a value rejects with a SqliteError",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(PEOPLE);
      await expectSqliteError(
        db.run("INSERT INTO people (name, age) VALUES (:name, :age)", { name: "nobody" }),
        ["RANGE", "ERROR", "MISUSE"],
      );
      expect(await db.all("SELECT * FROM people")).toEqual([]);
    },
  ),

  defineTest(
    "params.none",
    "statements without parameters run with params omitted or empty",
    async (ctx) => {
      const db = await ctx.connect();
      expect(await db.get("SELECT 1 AS one")).toEqual({ one: 1 });
      expect(await db.get("SELECT 1 AS one", [])).toEqual({ one: 1 });
      expect(await db.all("SELECT 2 AS two", {})).toEqual([{ two: 2 }]);
    },
  ),
];

export const statementTests: readonly ConformanceTest[] = [
  defineTest(
    "run.changes",
    "run reports the rows changed by insert, update and delete",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(PEOPLE);
      const insert = await db.run(
        "INSERT INTO people (name, age) VALUES ('a', 1), ('b', 2), ('c', 3)",
      );
      expect(insert.changes).toBe(3);
      expect((await db.run("UPDATE people SET age = age + 1 WHERE age >= 2")).changes).toBe(2);
      expect((await db.run("UPDATE people SET age = 0 WHERE 0")).changes).toBe(0);
      expect((await db.run("DELETE FROM people")).changes).toBe(3);
      expect(typeof insert.changes).toBe("number");
    },
  ),

  defineTest(
    "run.changes-excludes-triggers",
    "changes counts the statement's own rows, not rows changed by triggers",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(`
        ${PEOPLE};
        CREATE TABLE log (msg TEXT);
        CREATE TRIGGER people_log AFTER INSERT ON people BEGIN
          INSERT INTO log VALUES ('a'), ('b');
        END;
      `);
      const result = await db.run("INSERT INTO people (name) VALUES ('x')");
      expect(result.changes).toBe(1);
      expect(await db.get("SELECT count(*) AS n FROM log")).toEqual({ n: 2 });
    },
  ),

  defineTest(
    "run.last-insert-rowid",
    "lastInsertRowid is the rowid of the row just inserted, as a number",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(PEOPLE);
      const first = await db.run("INSERT INTO people (name) VALUES ('a')");
      const second = await db.run("INSERT INTO people (name) VALUES ('b')");
      expect(first.lastInsertRowid).toBe(1);
      expect(second.lastInsertRowid).toBe(2);
      const explicit = await db.run("INSERT INTO people (id, name) VALUES (1000, 'c')");
      expect(explicit.lastInsertRowid).toBe(1000);
      const row = await db.get("SELECT name FROM people WHERE id = ?", [second.lastInsertRowid]);
      expect(row).toEqual({ name: "b" });
    },
  ),

  defineTest("run.big-rowid", "a rowid past 2^53 is reported as an exact bigint", async (ctx) => {
    const db = await ctx.connect();
    await db.exec(PEOPLE);
    const big = 2n ** 62n + 3n;
    const explicit = await db.run("INSERT INTO people (id, name) VALUES (?, 'big')", [big]);
    expect(explicit.lastInsertRowid).toBe(big);
    const next = await db.run("INSERT INTO people (name) VALUES ('next')");
    expect(next.lastInsertRowid).toBe(big + 1n);
    expect(await db.get("SELECT id FROM people WHERE name = 'next'")).toEqual({ id: big + 1n });
  }),

  defineTest(
    "run.returning",
    "INSERT ... RETURNING: run counts the row, get and all return the rows",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(PEOPLE);
      const ran = await db.run("INSERT INTO people (name) VALUES ('r1') RETURNING id");
      expect(ran.changes).toBe(1);
      expect(ran.lastInsertRowid).toBe(1);
      const got = await db.get(
        "INSERT INTO people (name, age) VALUES (?, ?) RETURNING id, name, age",
        ["r2", 5],
      );
      expect(got).toEqual({ id: 2, name: "r2", age: 5 });
      const all = await db.all("UPDATE people SET age = 1 RETURNING id");
      expect(all.map((r) => r.id).sort()).toEqual([1, 2]);
      expect(await db.get("SELECT count(*) AS n FROM people WHERE age = 1")).toEqual({ n: 2 });
    },
  ),

  defineTest(
    "get.first-row",
    "get returns the first row, or undefined when there is none",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(PEOPLE);
      await db.run("INSERT INTO people (name, age) VALUES ('b', 2), ('a', 1), ('c', 3)");
      expect(await db.get("SELECT name FROM people ORDER BY age")).toEqual({ name: "a" });
      expect(await db.get("SELECT name FROM people ORDER BY age DESC")).toEqual({ name: "c" });
      const none = await db.get("SELECT name FROM people WHERE age > 100");
      expect(none).toBeUndefined();
    },
  ),

  defineTest(
    "all.rows-in-order",
    "all returns every row in query order, or [] for none",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(PEOPLE);
      for (let i = 0; i < 50; i++) {
        await db.run("INSERT INTO people (name, age) VALUES (?, ?)", [`p${i}`, (i * 37) % 50]);
      }
      const rows = await db.all<{ age: number }>("SELECT age FROM people ORDER BY age");
      expect(rows.map((r) => r.age)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      const none = await db.all("SELECT * FROM people WHERE 0");
      expect(Array.isArray(none)).toBe(true);
      expect(none).toEqual([]);
    },
  ),

  defineTest(
    "exec.multi-statement",
    "exec runs every ;-separated statement, comments and blank lines included",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(`
        -- a comment
        CREATE TABLE a (x INTEGER);
        CREATE TABLE b (y TEXT);

        INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);
        /* block comment */ INSERT INTO b VALUES ('semi;colon');
      `);
      expect(await db.all("SELECT x FROM a ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
      expect(await db.get("SELECT y FROM b")).toEqual({ y: "semi;colon" });
    },
  ),

  defineTest(
    "exec.error",
    "exec rejects with a SqliteError when one of its statements fails",
    async (ctx) => {
      const db = await ctx.connect();
      await expectSqliteError(db.exec("CREATE TABLE ok (x); SELEC nonsense;"), "ERROR");
      await db.exec("CREATE TABLE u (x UNIQUE); INSERT INTO u VALUES (1)");
      await expectSqliteError(
        db.exec("INSERT INTO u VALUES (2); INSERT INTO u VALUES (1);"),
        "CONSTRAINT",
      );
      expect(await db.get("SELECT 1 AS still_usable")).toEqual({ still_usable: 1 });
    },
  ),

  defineTest(
    "statements.schema-change",
    "a cached statement sees schema changes (a new column, a re-created table)",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)");
      const sql = "SELECT * FROM t";
      expect(await db.all(sql)).toEqual([{ a: 1 }]);
      await db.exec("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'new'");
      expect(await db.all(sql)).toEqual([{ a: 1, b: "new" }]);
      await db.exec("DROP TABLE t; CREATE TABLE t (z TEXT); INSERT INTO t VALUES ('again')");
      expect(await db.all(sql)).toEqual([{ z: "again" }]);
    },
  ),

  defineTest(
    "statements.many-distinct",
    "thousands of distinct statements run without exhausting resources",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x INTEGER)");
      for (let i = 0; i < 2000; i++) {
        await db.run(`INSERT INTO t (x) VALUES (${i})`);
      }
      expect(await db.get("SELECT count(*) AS n, sum(x) AS s FROM t")).toEqual({
        n: 2000,
        s: (1999 * 2000) / 2,
      });
    },
  ),
];
