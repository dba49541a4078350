import type { SqliteConnection, SqliteValue } from "@llm-sessions/core/driver";
import { expect } from "vitest";
import { type ConformanceTest, defineTest } from "./define.js";
import { show } from "./helpers.js";

/** What a round trip reports: the value read back and SQLite's storage class. */
interface RoundTrip {
  readonly value: unknown;
  readonly type: string;
}

/**
 * Stores `value` in a column without type affinity and reads it back, both
 * from the table and as a bound parameter selected directly.
 */
async function roundTrip(db: SqliteConnection, value: SqliteValue): Promise<RoundTrip> {
  await db.exec("CREATE TABLE IF NOT EXISTS v (id INTEGER PRIMARY KEY, x)");
  const { lastInsertRowid } = await db.run("INSERT INTO v (x) VALUES (?)", [value]);
  const row = await db.get<{ x: unknown; t: string }>(
    "SELECT x, typeof(x) AS t FROM v WHERE id = ?",
    [lastInsertRowid],
  );
  expect(row, "the inserted row should be found by its lastInsertRowid").toBeDefined();
  const direct = await db.get<{ x: unknown }>("SELECT ? AS x", [value]);
  expect(direct?.x, `SELECT ? should give back what the table gave for ${show(value)}`).toEqual(
    row?.x,
  );
  return { value: row?.x, type: row?.t ?? "" };
}

async function expectSame(db: SqliteConnection, value: SqliteValue, type: string): Promise<void> {
  const back = await roundTrip(db, value);
  expect(back.type, `SQLite storage class of ${show(value)}`).toBe(type);
  expect(typeof back.value, `JS type of ${show(value)} read back`).toBe(typeof value);
  expect(back.value, `${show(value)} read back`).toStrictEqual(value);
}

function bytesOf(value: unknown): number[] {
  expect(value, `a blob should come back as a Uint8Array, got ${show(value)}`).toBeInstanceOf(
    Uint8Array,
  );
  return Array.from(value as Uint8Array);
}

export const valuesTests: readonly ConformanceTest[] = [
  defineTest("values.null", "null round-trips as null (not undefined)", async (ctx) => {
    const db = await ctx.connect();
    const back = await roundTrip(db, null);
    expect(back.type).toBe("null");
    expect(back.value).toBeNull();
  }),

  defineTest(
    "values.small-integers",
    "0, negatives and 32-bit edges come back as number",
    async (ctx) => {
      const db = await ctx.connect();
      for (const n of [0, 1, -1, 42, -2147483648, 2147483647, 4294967296]) {
        await expectSame(db, n, "integer");
      }
    },
  ),

  defineTest("values.max-safe-integer", "±(2^53 - 1) come back as exact numbers", async (ctx) => {
    const db = await ctx.connect();
    await expectSame(db, Number.MAX_SAFE_INTEGER, "integer");
    await expectSame(db, Number.MIN_SAFE_INTEGER, "integer");
  }),

  defineTest(
    "values.bigint-roundtrip",
    "integers past 2^53 come back as exact bigint",
    async (ctx) => {
      const db = await ctx.connect();
      await expectSame(db, 2n ** 53n + 1n, "integer");
      await expectSame(db, -(2n ** 53n) - 1n, "integer");
      const sum = await db.get<{ s: unknown }>("SELECT ? + 1 AS s", [2n ** 60n]);
      expect(sum?.s).toBe(2n ** 60n + 1n);
    },
  ),

  defineTest("values.int64-extremes", "-(2^63) and 2^63 - 1 round-trip as bigint", async (ctx) => {
    const db = await ctx.connect();
    await expectSame(db, -(2n ** 63n), "integer");
    await expectSame(db, 2n ** 63n - 1n, "integer");
    const computed = await db.get<{ lo: unknown; hi: unknown }>(
      "SELECT -9223372036854775807 - 1 AS lo, 9223372036854775807 AS hi",
    );
    expect(computed).toEqual({ lo: -(2n ** 63n), hi: 2n ** 63n - 1n });
  }),

  defineTest(
    "values.safe-bigint-param",
    "a bigint parameter that fits in 2^53 comes back as a number",
    async (ctx) => {
      const db = await ctx.connect();
      const back = await roundTrip(db, 5n);
      expect(back.type).toBe("integer");
      expect(back.value).toBe(5);
      const neg = await roundTrip(db, -(2n ** 53n) + 1n);
      expect(neg.value).toBe(Number.MIN_SAFE_INTEGER);
    },
  ),

  defineTest("values.floats", "reals keep every bit (0.1, -1.5e300, 5e-324, -0.5)", async (ctx) => {
    const db = await ctx.connect();
    for (const x of [0.1, -1.5e300, 5e-324, -0.5, 1.7976931348623157e308, Math.PI]) {
      await expectSame(db, x, "real");
    }
    const third = await db.get<{ x: unknown }>("SELECT 1.0 / 3 AS x");
    expect(third?.x).toBe(1 / 3);
  }),

  defineTest("values.empty-string", "the empty string stays a string (not null)", async (ctx) => {
    const db = await ctx.connect();
    await expectSame(db, "", "text");
    const len = await db.get<{ n: unknown }>("SELECT length(?) AS n", [""]);
    expect(len?.n).toBe(0);
  }),

  defineTest(
    "values.unicode",
    "unicode text (emoji, CJK, combining marks, right-to-left) round-trips exactly",
    async (ctx) => {
      const db = await ctx.connect();
      const samples = [
        "héllo wörld",
        "日本語のテキスト",
        "emoji 😀👩‍👩‍👧‍👦🏳️‍🌈",
        "e\u0301 combining",
        "right-to-left مرحبا",
        "\uFFFD replacement",
      ];
      for (const s of samples) await expectSame(db, s, "text");
      const emoji = await db.get<{ n: unknown }>("SELECT length(?) AS n", ["😀"]);
      expect(emoji?.n, "length() counts characters, so the text was bound as UTF-8").toBe(1);
    },
  ),

  defineTest(
    "values.text-nul",
    "text with a NUL inside round-trips whole (not cut at the NUL), or is refused whole where the adapter declares `refusesTextWithNul`",
    async (ctx) => {
      const db = await ctx.connect();
      if ((await ctx.capabilities()).refusesTextWithNul) {
        // Complementary: the text is refused with MISUSE and nothing is written.
        await db.exec("CREATE TABLE nul (v TEXT)");
        const insert = db.run("INSERT INTO nul (v) VALUES (?)", ["before\u0000after"]);
        await expect(insert).rejects.toMatchObject({ code: "MISUSE" });
        expect(await db.all("SELECT v FROM nul")).toEqual([]);
        return;
      }
      await expectSame(db, "before\u0000after", "text");
      await expectSame(db, "\u0000", "text");
      await expectSame(db, "trailing\u0000", "text");
      const hex = await db.get<{ h: unknown }>("SELECT hex(?) AS h", ["a\u0000b"]);
      expect(hex?.h, "the NUL was bound as a byte of the text").toBe("610062");
    },
  ),

  defineTest("values.long-string", "a 1 MB string round-trips exactly", async (ctx) => {
    const db = await ctx.connect();
    const chunk = "0123456789abcdef".repeat(64); // 1 KiB
    const big = `${chunk.repeat(1023)}${"é".repeat(512)}`;
    await expectSame(db, big, "text");
    const len = await db.get<{ n: unknown }>(
      "SELECT length(x) AS n FROM v ORDER BY id DESC LIMIT 1",
    );
    expect(len?.n).toBe(big.length);
  }),

  defineTest("values.blob-bytes", "a blob of all 256 byte values round-trips", async (ctx) => {
    const db = await ctx.connect();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const back = await roundTrip(db, all);
    expect(back.type).toBe("blob");
    expect(bytesOf(back.value)).toEqual(Array.from(all));
    const len = await db.get<{ n: unknown; h: unknown }>("SELECT length(?) AS n, hex(?) AS h", [
      all,
      all.subarray(250),
    ]);
    expect(len).toEqual({ n: 256, h: "FAFBFCFDFEFF" });
  }),

  defineTest(
    "values.empty-blob",
    "an empty blob stays an empty blob (not null, not text)",
    async (ctx) => {
      const db = await ctx.connect();
      const back = await roundTrip(db, new Uint8Array(0));
      expect(back.type).toBe("blob");
      expect(bytesOf(back.value)).toEqual([]);
      const made = await db.get<{ x: unknown }>("SELECT zeroblob(0) AS x");
      expect(bytesOf(made?.x)).toEqual([]);
    },
  ),

  defineTest(
    "values.uint8array-view",
    "a Uint8Array that is not a Buffer (and a view at an offset) binds exactly its bytes",
    async (ctx) => {
      const db = await ctx.connect();
      const backing = new ArrayBuffer(16);
      new Uint8Array(backing).set(Array.from({ length: 16 }, (_, i) => 100 + i));
      const view = new Uint8Array(backing, 3, 5);
      const back = await roundTrip(db, view);
      expect(back.type).toBe("blob");
      expect(bytesOf(back.value)).toEqual([103, 104, 105, 106, 107]);
      const plain = new Uint8Array([1, 2, 3]);
      const hex = await db.get<{ h: unknown }>("SELECT hex(?) AS h", [plain]);
      expect(hex?.h).toBe("010203");
      const sql = await db.get<{ x: unknown }>("SELECT x'00ff10' AS x");
      expect(bytesOf(sql?.x)).toEqual([0, 255, 16]);
    },
  ),

  defineTest(
    "values.row-shape",
    "rows are plain objects keyed by column name or alias, in select order",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (a INTEGER, b TEXT, c REAL, d BLOB, e)");
      await db.run("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [
        1,
        "two",
        3.5,
        new Uint8Array([4]),
        null,
      ]);
      const row = await db.get<Record<string, unknown>>("SELECT e, d, c AS see, b, a FROM t");
      expect(Object.keys(row ?? {})).toEqual(["e", "d", "see", "b", "a"]);
      expect(row?.e).toBeNull();
      expect(bytesOf(row?.d)).toEqual([4]);
      expect(row?.see).toBe(3.5);
      expect(row?.b).toBe("two");
      expect(row?.a).toBe(1);
      const star = await db.all<Record<string, unknown>>("SELECT * FROM t");
      expect(star).toHaveLength(1);
      expect(Object.keys(star[0] ?? {})).toEqual(["a", "b", "c", "d", "e"]);
    },
  ),

  defineTest(
    "values.column-affinity",
    "declared column types apply SQLite affinity ('12' into INTEGER is 12, 3 into TEXT is '3')",
    async (ctx) => {
      const db = await ctx.connect();
      await db.exec("CREATE TABLE t (i INTEGER, s TEXT, r REAL)");
      await db.run("INSERT INTO t VALUES (?, ?, ?)", ["12", 3, 4]);
      const row = await db.get("SELECT i, s, r, typeof(r) AS rt FROM t");
      expect(row).toEqual({ i: 12, s: "3", r: 4, rt: "real" });
    },
  ),
];
