import { describe, expect, it } from "vitest";
import { MODEL_POLICY, Predicted, StoreModel } from "./state.js";

const input = (content: string, key: string | null = null) => ({
  role: "user" as const,
  content,
  tokens: 1,
  idempotencyKey: key,
});

describe("the store model", () => {
  it("gives gap-free seqs and returns the stored message for a retried key", () => {
    const m = new StoreModel(0);
    m.create("a", null);
    const first = m.append("a", [input("x", "k"), input("y"), input("x", "k")]);
    expect(first.map((x) => x.seq)).toEqual([1, 2, 1]);
    expect(m.append("a", [input("x", "k")])[0]?.seq).toBe(1);
    m.pop("a");
    expect(m.append("a", [input("w")])[0]?.seq).toBe(2);
  });

  it("refuses a key reused for another message, and changes nothing", () => {
    const m = new StoreModel(0);
    m.create("a", null);
    m.append("a", [input("x", "k")]);
    expect(() => m.append("a", [input("new"), input("other", "k")])).toThrow(Predicted);
    expect(() => m.append("a", [input("p", "j"), input("q", "j")])).toThrow(Predicted);
    expect(m.sessions.get("a")?.messages.map((x) => x.content)).toEqual(["x"]);
  });

  it("applies the policy: idle, then archive, then purge; forks lose a purged parent", () => {
    const m = new StoreModel(0);
    m.create("a", null);
    m.fork("a", "b", undefined);
    m.now = MODEL_POLICY.idleAfterMs;
    expect(m.sweep()).toEqual({ idled: 2, archived: 0, purged: 0 });
    m.touch("b");
    m.now = MODEL_POLICY.archiveAfterMs;
    expect(m.sweep()).toEqual({ idled: 1, archived: 1, purged: 0 });
    expect(() => m.append("a", [input("x")])).toThrow(Predicted);
    m.now = MODEL_POLICY.purgeAfterMs;
    expect(m.sweep().purged).toBe(1);
    expect(m.sessions.get("b")?.parentId).toBeNull();
  });
});
