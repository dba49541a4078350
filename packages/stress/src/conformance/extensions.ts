import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { expectSqliteError, scalar } from "./helpers.js";

/** Compares dotted versions numerically. */
function atLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export const extensionTests: readonly ConformanceTest[] = [
  defineTest(
    "ext.sqlite-version",
    "SQLite is 3.38 or newer (STRICT tables, ->> and RETURNING need it)",
    async (ctx) => {
      const db = await ctx.connect();
      const version = await scalar(db, "SELECT sqlite_version()");
      expect(typeof version).toBe("string");
      expect(atLeast(String(version), "3.38.0"), `sqlite_version() = ${String(version)}`).toBe(
        true,
      );
    },
  ),

  defineTest(
    "ext.json",
    "JSON functions: json_valid, json_extract, ->, ->>, json_each",
    async (ctx) => {
      const db = await ctx.connect();
      const doc = JSON.stringify({ a: { b: [10, 20, 30] }, s: "text", n: null });
      const row = await db.get(
        `SELECT json_valid(:doc) AS valid, json_valid('{oops') AS invalid,
              json_extract(:doc, '$.a.b[1]') AS second, :doc ->> '$.s' AS s,
              :doc -> '$.a' AS a, json_type(:doc, '$.n') AS n_type,
              json_object('k', 1, 'l', json_array(1, 2)) AS built`,
        { doc },
      );
      expect(row).toEqual({
        valid: 1,
        invalid: 0,
        second: 20,
        s: "text",
        a: '{"b":[10,20,30]}',
        n_type: "null",
        built: '{"k":1,"l":[1,2]}',
      });
      const items = await db.all("SELECT value FROM json_each(?, '$.a.b') ORDER BY key", [doc]);
      expect(items).toEqual([{ value: 10 }, { value: 20 }, { value: 30 }]);
    },
  ),

  defineTest(
    "ext.json-check",
    "a CHECK (json_valid(...)) column rejects invalid JSON with CONSTRAINT",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (meta TEXT NOT NULL CHECK (json_valid(meta)))");
      await db.run("INSERT INTO t VALUES (?)", ['{"ok":true}']);
      await expectSqliteError(db.run("INSERT INTO t VALUES (?)", ["{not json"]), "CONSTRAINT");
      expect(await db.get("SELECT meta ->> '$.ok' AS ok FROM t")).toEqual({ ok: 1 });
    },
  ),

  defineTest(
    "ext.strict",
    "a STRICT table rejects a value of the wrong type with CONSTRAINT",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE s (i INTEGER, t TEXT, b BLOB, a ANY) STRICT");
      await db.run("INSERT INTO s VALUES (?, ?, ?, ?)", [1, "x", new Uint8Array([1]), 2.5]);
      const wrong = await expectSqliteError(
        db.run("INSERT INTO s (i) VALUES (?)", ["not a number"]),
        "CONSTRAINT",
        "text into a STRICT INTEGER column",
      );
      if (wrong.extendedCode !== undefined)
        expect(wrong.extendedCode).toMatch(/CONSTRAINT|DATATYPE/);
      await expectSqliteError(
        db.run("INSERT INTO s (t) VALUES (?)", [new Uint8Array([1])]),
        "CONSTRAINT",
        "a blob into a STRICT TEXT column",
      );
      await expectSqliteError(db.exec("CREATE TABLE bad (x VARCHAR(10)) STRICT"), "ERROR");
      // A lossless conversion is allowed: '12' into INTEGER becomes 12.
      await db.run("INSERT INTO s (i) VALUES (?)", ["12"]);
      expect(await db.all("SELECT i, typeof(i) AS ti FROM s ORDER BY rowid")).toEqual([
        { i: 1, ti: "integer" },
        { i: 12, ti: "integer" },
      ]);
    },
  ),

  defineTest(
    "ext.sql-features",
    "UPSERT, window functions, recursive CTEs and generated columns work",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec(`
        CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL, twice INTEGER AS (v * 2) STORED);
        INSERT INTO kv (k, v) VALUES ('a', 1), ('b', 5);
      `);
      await db.run(
        "INSERT INTO kv (k, v) VALUES ('a', 10) ON CONFLICT (k) DO UPDATE SET v = v + excluded.v",
      );
      expect(await db.all("SELECT k, v, twice FROM kv ORDER BY k")).toEqual([
        { k: "a", v: 11, twice: 22 },
        { k: "b", v: 5, twice: 10 },
      ]);
      const ranked = await db.all(
        "SELECT k, row_number() OVER (ORDER BY v DESC) AS r, sum(v) OVER () AS total FROM kv ORDER BY k",
      );
      expect(ranked).toEqual([
        { k: "a", r: 1, total: 16 },
        { k: "b", r: 2, total: 16 },
      ]);
      const counted = await db.get(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) SELECT sum(i) AS s FROM n",
      );
      expect(counted).toEqual({ s: 5050 });
    },
  ),

  defineTest(
    "ext.fts5",
    "FTS5 is present: MATCH, bm25 ranking and snippet (or it fails clearly when absent)",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const db = await ctx.connect();
      if (!caps.fts5) {
        await expectSqliteError(
          db.exec("CREATE VIRTUAL TABLE docs USING fts5(body)"),
          "ERROR",
          "creating an FTS5 table without FTS5",
        );
        return;
      }
      await db.exec("CREATE VIRTUAL TABLE docs USING fts5(title, body)");
      await db.batch([
        { sql: "INSERT INTO docs VALUES (?, ?)", params: ["reset", "How to reset your password"] },
        {
          sql: "INSERT INTO docs VALUES (?, ?)",
          params: ["billing", "password password password reset in the billing portal"],
        },
        { sql: "INSERT INTO docs VALUES (?, ?)", params: ["other", "nothing to see here"] },
      ]);
      const hits = await db.all<{ title: string; score: number }>(
        "SELECT title, bm25(docs) AS score FROM docs WHERE docs MATCH ? ORDER BY bm25(docs)",
        ["password"],
      );
      expect(hits.map((h) => h.title)).toEqual(["billing", "reset"]);
      expect(typeof hits[0]?.score).toBe("number");
      expect(hits[0]?.score ?? 0, "bm25 is negative: lower is better").toBeLessThan(
        hits[1]?.score ?? 0,
      );
      const byRank = await db.all("SELECT title FROM docs WHERE docs MATCH ? ORDER BY rank", [
        "reset AND password",
      ]);
      expect(byRank).toHaveLength(2);
      const snippet = await db.get<{ s: string }>(
        "SELECT snippet(docs, 1, '[', ']', '…', 4) AS s FROM docs WHERE docs MATCH ? AND title = 'reset'",
        ["password"],
      );
      expect(snippet?.s).toContain("[password]");
      const phrase = await db.all("SELECT title FROM docs WHERE docs MATCH ?", ['"your password"']);
      expect(phrase).toEqual([{ title: "reset" }]);
      await expectSqliteError(
        db.all("SELECT * FROM docs WHERE docs MATCH ?", ['"unterminated']),
        "ERROR",
        "a malformed MATCH expression",
      );
    },
  ),

  defineTest(
    "ext.fts5-external-content",
    "an external-content FTS5 index kept by triggers passes integrity-check after delete and update",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const db = await ctx.connect();
      if (!caps.fts5) {
        await expectSqliteError(
          db.exec("CREATE VIRTUAL TABLE idx USING fts5(body, content='')"),
          "ERROR",
          "creating an FTS5 table without FTS5",
        );
        return;
      }
      await db.exec(`
        CREATE TABLE msg (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
        CREATE VIRTUAL TABLE msg_fts USING fts5(body, content='msg', content_rowid='id');
        CREATE TRIGGER msg_ai AFTER INSERT ON msg BEGIN
          INSERT INTO msg_fts (rowid, body) VALUES (new.id, new.body);
        END;
        CREATE TRIGGER msg_ad AFTER DELETE ON msg BEGIN
          INSERT INTO msg_fts (msg_fts, rowid, body) VALUES ('delete', old.id, old.body);
        END;
        CREATE TRIGGER msg_au AFTER UPDATE ON msg BEGIN
          INSERT INTO msg_fts (msg_fts, rowid, body) VALUES ('delete', old.id, old.body);
          INSERT INTO msg_fts (rowid, body) VALUES (new.id, new.body);
        END;
      `);
      await db.run("INSERT INTO msg (body) VALUES ('alpha beta'), ('beta gamma'), ('gamma delta')");
      await db.run("DELETE FROM msg WHERE id = 1");
      await db.run("UPDATE msg SET body = 'epsilon' WHERE id = 3");
      const hits = await db.all(
        "SELECT rowid AS id FROM msg_fts WHERE msg_fts MATCH ? ORDER BY rowid",
        ["beta OR gamma OR epsilon"],
      );
      expect(hits).toEqual([{ id: 2 }, { id: 3 }]);
      await db.run("INSERT INTO msg_fts (msg_fts, rank) VALUES ('integrity-check', 1)");
      // A drifted index is reported as CORRUPT by the same command.
      await db.run("INSERT INTO msg_fts (msg_fts, rowid, body) VALUES ('delete', 2, 'beta gamma')");
      await expectSqliteError(
        db.run("INSERT INTO msg_fts (msg_fts, rank) VALUES ('integrity-check', 1)"),
        ["CORRUPT"],
        "integrity-check of a drifted index",
      );
    },
  ),

  defineTest(
    "ext.wal-checkpoint",
    "PRAGMA wal_checkpoint(TRUNCATE) runs where allowed (and is rejected clearly where not)",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (randomblob(10000))");
      if (!caps.walCheckpoint) {
        await expectSqliteError(db.all("PRAGMA wal_checkpoint(TRUNCATE)"), [
          "ERROR",
          "AUTH",
          "UNSUPPORTED",
          "PERM",
        ]);
        return;
      }
      const row = await db.get<{ busy: unknown; log: unknown; checkpointed: unknown }>(
        "PRAGMA wal_checkpoint(TRUNCATE)",
      );
      expect(row?.busy).toBe(0);
      expect(typeof row?.log).toBe("number");
      expect(typeof row?.checkpointed).toBe("number");
      if (caps.file) {
        const wal = `${ctx.path}-wal`;
        if (existsSync(wal)) expect((await stat(wal)).size, "TRUNCATE empties the WAL").toBe(0);
        expect(row).toEqual({ busy: 0, log: 0, checkpointed: 0 });
      }
    },
  ),

  defineTest(
    "ext.vacuum",
    "VACUUM and VACUUM INTO work where allowed (and are rejected clearly where not)",
    async (ctx) => {
      const caps = await ctx.capabilities();
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('kept')");
      const copy = ctx.file("vacuum-copy.db");
      if (!caps.vacuum) {
        await expectSqliteError(db.exec("VACUUM"), ["ERROR", "AUTH", "UNSUPPORTED", "PERM"]);
        return;
      }
      await db.exec("VACUUM");
      await db.run("VACUUM INTO ?", [copy]);
      expect(await db.all("SELECT x FROM t")).toEqual([{ x: "kept" }]);
      if (caps.local) {
        expect(existsSync(copy), "VACUUM INTO wrote the copy").toBe(true);
        expect((await stat(copy)).size).toBeGreaterThan(0);
      }
      if (caps.file) {
        const copied = await ctx.connectTo(await ctx.createDriver(copy));
        expect(await copied.all("SELECT x FROM t")).toEqual([{ x: "kept" }]);
        expect(await scalar(copied, "PRAGMA integrity_check")).toBe("ok");
      }
    },
  ),
];
