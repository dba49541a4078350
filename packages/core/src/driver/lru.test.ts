import { describe, expect, it } from "vitest";
import { LruCache } from "./lru.js";

describe("LruCache", () => {
  it("stays within its bound, evicting the least recently used", () => {
    const evicted: number[] = [];
    const cache = new LruCache<string, number>(2, (v) => evicted.push(v));
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // a is now the most recent
    cache.set("c", 3);
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(evicted).toEqual([2]);
    cache.clear();
    expect(evicted.sort()).toEqual([1, 2, 3]);
    expect(cache.size).toBe(0);
  });

  it("rejects a size below one", () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
