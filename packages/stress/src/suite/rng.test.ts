import { describe, expect, it } from "vitest";
import { Rng } from "./rng.js";

describe("Rng", () => {
  it("repeats its sequence for the same seed and differs for another", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
  });

  it("keeps int, pick and weighted in range", () => {
    const rng = new Rng(7);
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(3, 9);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(9);
      expect(["a", "b"]).toContain(rng.pick(["a", "b"]));
      expect(rng.weighted({ x: 1, y: 0 })).toBe("x");
    }
  });

  it("derives independent but repeatable generators", () => {
    const one = new Rng(1).derive("client-1").next();
    expect(new Rng(1).derive("client-1").next()).toBe(one);
    expect(new Rng(1).derive("client-2").next()).not.toBe(one);
  });
});
