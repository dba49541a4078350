/**
 * Hostile values, as factories: each call of a factory builds a fresh value,
 * so that the two stores of a run never share an object that one of them
 * could change (a getter that counts its reads, a circular object).
 */

/** What a factory may ask of the run: the cursor an earlier compared input got from this store. */
export interface Env {
  /** The `nextCursor` this store returned for input `index` (`null` when it returned none). */
  cursor(index: number): string | null;
}

/** Builds one argument value for one store. */
export type Make = (env: Env) => unknown;

/** A factory for a value that cannot be changed (a primitive), or one rebuilt each time. */
export const just =
  (value: unknown): Make =>
  () =>
    value;

/** Strings that break rules: lengths at and past the bounds, ill-formed UTF-16, NUL, markers, SQL. */
export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "a",
  "x".repeat(127),
  "x".repeat(128),
  "x".repeat(129),
  "x".repeat(1000),
  "x".repeat(1001),
  "é".repeat(1000),
  "😀".repeat(500),
  "😀".repeat(501),
  "\u0000",
  "a\u0000evil",
  "\uD800",
  "\uDC00",
  "a\uD800b",
  "a\uDFFF",
  "\uDBFF\uDFFF",
  "\uDC00\uD800",
  "\uFFFD",
  "\uFEFF",
  "\u202Ereversed",
  "e\u0301",
  "\r\n\t",
  "\u{F0001}",
  "\u{F0002}",
  "\u{F0001}zebra\u{F0002}",
  "'; DROP TABLE sessions; --",
  "' OR '1'='1",
  "%",
  "_",
  "*",
  "\\",
  '"',
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "hasOwnProperty",
  "B",
  "b-live",
  "zqsecretb",
];

/** Numbers around every bound a count, limit, time or token total could have. */
export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  2,
  0.5,
  1.5,
  49.999,
  50,
  999,
  1000,
  1001,
  10_000,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  -Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

/** A Proxy whose every inspection throws: what a hostile caller can pass for any object. */
export function throwingProxy(): object {
  const fail = () => {
    throw new Error("hostile proxy: do not look at me");
  };
  return new Proxy(
    {},
    {
      get: fail,
      has: fail,
      ownKeys: fail,
      getOwnPropertyDescriptor: fail,
      getPrototypeOf: fail,
    },
  );
}

/** Values of the wrong type for any argument. */
export const WRONG_TYPES: readonly Make[] = [
  just(undefined),
  just(null),
  just(true),
  just(0),
  just(""),
  () => [],
  () => ({}),
  () => () => "a-live",
  just(Symbol("hostile")),
  just(1n),
  just(2n ** 64n),
  () => new Date(0),
  () => new Map([["id", "a-live"]]),
  () => new String("a-live"),
  () => new Number(5),
  () => Object.create(null),
  () => /a-live/,
  () => new Uint8Array([0x61, 0x00]),
  () => ["a-live"],
  throwingProxy,
];

function nested(depth: number, leaf: unknown): Record<string, unknown> {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = { d: v };
  return v as Record<string, unknown>;
}

function nestedArrays(depth: number): Record<string, unknown> {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return { d: v };
}

/** Metadata: deep, circular, with throwing getters and `toJSON`, `__proto__` keys, too big, not JSON. */
export const HOSTILE_METADATA: readonly Make[] = [
  () => ({}),
  () => ({ note: "plain" }),
  () => nested(50, "x"),
  () => nested(999, "x"),
  () => nested(1000, "x"),
  () => nested(1499, "x"),
  () => nested(1500, "x"),
  () => nested(10_000, "x"),
  () => nestedArrays(1200),
  () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    return o;
  },
  () => {
    const inner: unknown[] = [];
    inner.push({ back: inner });
    return { list: inner };
  },
  () =>
    Object.defineProperty({}, "boom", {
      enumerable: true,
      get() {
        throw new Error("hostile getter");
      },
    }),
  () => {
    // Small the first time it is read, huge afterwards: a check and a use must read it once.
    let reads = 0;
    return Object.defineProperty({}, "grows", {
      enumerable: true,
      get() {
        reads += 1;
        return reads === 1 ? "small" : "y".repeat(200_000);
      },
    });
  },
  () => ({
    toJSON() {
      throw new Error("hostile toJSON");
    },
  }),
  () => ({ toJSON: () => ({ replaced: true }) }),
  () => JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'),
  () => JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
  () => Object.assign(Object.create(null), { bare: 1 }),
  () => ({ a: undefined }),
  () => ({ a: Number.NaN }),
  () => ({ a: Number.POSITIVE_INFINITY }),
  () => ({ a: -0 }),
  () => ({ a: 2 ** 64 }),
  () => ({ a: 1n }),
  () => ({ a: Symbol("s") }),
  () => ({ a: () => 1 }),
  () => ({ a: new Date(0) }),
  () => ({ a: new Map([[1, 2]]) }),
  () => ({ [Symbol("k")]: 1, b: 2 }),
  () => ({ "\uD800": 1 }),
  () => ({ k: "\uDC00" }),
  () => ({ "a\u0000b": 1 }),
  () => ({ k: "a\u0000b" }),
  () => ({ k: "\u{F0001}" }),
  () => ({ big: "z".repeat(64 * 1024) }),
  () => ({ big: "z".repeat(64 * 1024 - 10) }),
  () => ({ many: Array.from({ length: 20_000 }, (_, i) => i) }),
  () => {
    const sparse: number[] = [1];
    sparse[2] = 3;
    return { sparse };
  },
  () => [1, 2],
  just("string"),
  just(null),
  just(42),
  throwingProxy,
  () =>
    new (class Secretive {
      hidden = "zqsecretb";
    })(),
];

/** Search text: FTS5 syntax and its abuse, the other tenants' words, bounds. */
export const HOSTILE_QUERIES: readonly string[] = [
  "apple",
  "zebra",
  "zebra apple",
  "APPLE",
  "Äpple",
  "zqsecretb",
  "zqsecretd",
  "zqsecrett",
  "zqsecret*",
  "zq*",
  "z*",
  "a*",
  "*",
  "**",
  "a * b",
  "^apple",
  "^",
  "apple^",
  '"',
  '""',
  '"zebra',
  'zebra"',
  '"zebra apple"',
  'a"b',
  "NEAR(zebra apple)",
  "NEAR(zebra apple, 0)",
  "NEAR(zebra apple, -1)",
  "NEAR(zebra apple, 99999999999)",
  "NEAR(",
  "NEAR()",
  "content:zebra",
  "{content}: zebra",
  "-content: zebra",
  "- zebra",
  "content : *",
  "rowid:1",
  "rank:1",
  "messages_fts:zebra",
  "zebra:",
  ":",
  "a:b:c",
  "(zebra",
  "zebra)",
  "()",
  "(zebra OR apple) AND NOT secret",
  "zebra AND",
  "AND",
  "OR",
  "NOT",
  "NOT zebra",
  "zebra NOT apple",
  "zebra OR zqsecretb",
  "+",
  "-",
  "-zebra",
  "zebra'",
  "\\",
  "'",
  "\u0000",
  "zebra\u0000apple",
  "\uD800",
  "zebra \uDC00",
  "\u{F0001}zebra\u{F0002}",
  "x".repeat(1000),
  "x".repeat(1001),
  "a ".repeat(500),
  "a* ".repeat(333),
  `NEAR(${"a ".repeat(200)})`,
  `${"(".repeat(300)}zebra${")".repeat(300)}`,
  " ",
  "",
  "\t\n",
  "😀",
  "e\u0301",
];
