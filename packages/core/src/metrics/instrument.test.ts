import { describe, expect, it } from "vitest";
import { instrumentStore, wrapMethods } from "./instrument.js";
import { OperationRecorder } from "./recorder.js";

class FakeSessions {
  readonly calls: unknown[][] = [];
  async create(...args: unknown[]): Promise<string> {
    this.calls.push(args);
    return "created";
  }
  async get(id: string): Promise<string> {
    throw new Error(`missing ${id}`);
  }
  list(): string {
    return "sync";
  }
}

function fakeStore() {
  const sessions = new FakeSessions();
  return {
    sessions,
    messages: { append: async () => ["m"], last: async () => [] },
    search: async (text: string) => `hits for ${text}`,
    stats: async () => ({ total: 0 }),
  };
}

describe("instrumentStore", () => {
  it("times each call once, passes arguments and results through, and counts rejections", async () => {
    const recorder = new OperationRecorder();
    const store = fakeStore();
    instrumentStore(store, recorder);
    expect(await store.sessions.create({ title: "t" }, 2)).toBe("created");
    expect(store.sessions.calls).toEqual([[{ title: "t" }, 2]]);
    await expect(store.sessions.get("x")).rejects.toThrow("missing x");
    expect(await store.search("q")).toBe("hits for q");
    await store.messages.append();
    const snap = recorder.snapshot();
    expect(snap["sessions.create"]).toMatchObject({ count: 1, errors: 0 });
    expect(snap["sessions.get"]).toMatchObject({ count: 0, errors: 1 });
    expect(snap.search).toMatchObject({ count: 1 });
    expect(snap["messages.append"]).toMatchObject({ count: 1 });
    expect(snap["messages.pop"]).toMatchObject({ count: 0 });
  });

  it("handles a synchronous result and a synchronous throw", () => {
    const recorder = new OperationRecorder();
    const target = {
      ok: () => 1,
      boom: () => {
        throw new Error("sync");
      },
    };
    wrapMethods(target, "t.", ["ok", "boom"], recorder);
    expect(target.ok()).toBe(1);
    expect(() => target.boom()).toThrow("sync");
    expect(recorder.snapshot()["t.ok"]).toMatchObject({ count: 1, errors: 0 });
    expect(recorder.snapshot()["t.boom"]).toMatchObject({ count: 0, errors: 1 });
  });

  it("instrumenting the same view twice records each call once", async () => {
    const recorder = new OperationRecorder();
    const store = fakeStore();
    instrumentStore(store, recorder);
    instrumentStore(store, recorder);
    await store.stats();
    expect(recorder.snapshot().stats?.count).toBe(1);
  });
});
