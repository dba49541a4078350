import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "./limits.js";
import { makeSchemas, plainMessages } from "./validation.js";

const limits = { ...DEFAULT_LIMITS, maxContentBytes: 64, maxTextLength: 16, maxBatchSize: 3 };
const schemas = makeSchemas(limits);

/** What the schema makes of `input` (as append passes it), or "refused". */
function bySchema(input: unknown): unknown {
  const result = schemas.newMessages.safeParse(Array.isArray(input) ? input : [input]);
  return result.success ? result.data : "refused";
}

/** A small deterministic generator (the cases must be the same on every run). */
function* cases(seed: number, n: number): Generator<unknown> {
  let x = seed;
  const next = (k: number): number => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(x / 65_536) % k;
  };
  const roles = ["user", "assistant", "system", "developer", "tool", "User", "", "bot"];
  const texts = [
    "hi",
    "",
    "a\u0000b",
    "\ud800",
    "ok \ud83e\udd9c",
    "é".repeat(32),
    "é".repeat(33),
    "x".repeat(64),
    "x".repeat(65),
  ];
  const keys = ["k", "", "k".repeat(16), "k".repeat(17), "\udc00", 7, null, undefined];
  for (let i = 0; i < n; i++) {
    const one = (): unknown => {
      const m: Record<string, unknown> = { role: roles[next(roles.length)] };
      const c = next(10);
      if (c < 8) m.content = texts[next(texts.length)];
      else if (c === 8) m.content = 5;
      if (next(2) === 0) m.idempotencyKey = keys[next(keys.length)];
      if (next(8) === 0) m.metadata = { a: 1 };
      if (next(12) === 0) return Object.assign(Object.create(null), m);
      return m;
    };
    const size = next(5);
    yield size === 0 ? one() : Array.from({ length: size - 1 }, one);
  }
}

describe("plainMessages: the hand-written parse of plain text messages", () => {
  it("takes the common shapes", () => {
    expect(plainMessages({ role: "user", content: "hi" }, limits)).toEqual([
      { role: "user", content: "hi", parts: null, usage: null, storedParts: null },
    ]);
    expect(
      plainMessages([{ role: "assistant", content: "ok", idempotencyKey: "turn-1" }], limits),
    ).toEqual(bySchema([{ role: "assistant", content: "ok", idempotencyKey: "turn-1" }]));
  });

  it("whenever it gives an answer, the schema accepts the input and gives the same", () => {
    let taken = 0;
    let declined = 0;
    for (const input of cases(42, 4_000)) {
      const fast = plainMessages(input, limits);
      if (fast === undefined) {
        declined++;
        continue;
      }
      taken++;
      expect(fast, JSON.stringify(input)).toEqual(bySchema(input));
    }
    // Both ways are exercised: the comparison above is not vacuous.
    expect(taken, `${taken} taken`).toBeGreaterThan(100);
    expect(declined).toBeGreaterThan(100);
  });

  it("leaves to the schema what it refuses, whatever the reason", () => {
    for (const input of [
      { role: "user", content: "a\u0000b" },
      { role: "user", content: "\ud800" },
      { role: "user", content: "x".repeat(65) },
      { role: "User", content: "hi" },
      { role: "user", content: "hi", idempotencyKey: "" },
      { role: "user", content: "hi", idempotencyKey: "k".repeat(17) },
      { role: "user", content: "hi", idempotencyKey: undefined },
      { role: "user" },
      [],
      [1, 2, 3, 4].map(() => ({ role: "user", content: "hi" })),
    ]) {
      expect(plainMessages(input, limits), JSON.stringify(input)).toBeUndefined();
    }
  });
});

describe("plainMessages on hostile input", () => {
  it("declines (and does not throw) when a getter or proxy trap throws", () => {
    const boom = (): never => {
      throw new Error("boom");
    };
    const getter = Object.defineProperty({ role: "user" }, "content", {
      get: boom,
      enumerable: true,
    });
    const trap = new Proxy({ role: "user", content: "hi" }, { ownKeys: boom });
    for (const input of [getter, trap, [trap]]) {
      expect(plainMessages(input, limits)).toBeUndefined();
    }
  });
});
