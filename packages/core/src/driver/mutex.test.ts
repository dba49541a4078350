import { describe, expect, it } from "vitest";
import { Mutex } from "./mutex.js";

describe("Mutex", () => {
  it("serves waiters one at a time in arrival order", async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    let inside = 0;
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        mutex.run(async () => {
          inside += 1;
          expect(inside).toBe(1);
          events.push(`start ${n}`);
          await new Promise((r) => setTimeout(r, 2));
          events.push(`end ${n}`);
          inside -= 1;
        }),
      ),
    );
    expect(events).toEqual([
      "start 1",
      "end 1",
      "start 2",
      "end 2",
      "start 3",
      "end 3",
      "start 4",
      "end 4",
    ]);
    expect(mutex.locked).toBe(false);
  });

  it("releases when the holder throws, and a double release is harmless", async () => {
    const mutex = new Mutex();
    await expect(mutex.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    const release = await mutex.acquire();
    release();
    release();
    expect(mutex.locked).toBe(false);
    const a = await mutex.acquire();
    expect(mutex.locked).toBe(true);
    a();
  });

  it("tryAcquire takes a free lock at once and never overtakes a waiter", async () => {
    const mutex = new Mutex();
    const first = mutex.tryAcquire();
    expect(first).toBeTypeOf("function");
    expect(mutex.tryAcquire()).toBeUndefined();
    const order: string[] = [];
    const waiter = mutex.acquire().then((release) => {
      order.push("waiter");
      return release;
    });
    first?.();
    // The lock went straight to the waiter: a try in between finds it held.
    expect(mutex.tryAcquire()).toBeUndefined();
    (await waiter)();
    expect(order).toEqual(["waiter"]);
    const again = mutex.tryAcquire();
    expect(again).toBeTypeOf("function");
    again?.();
    expect(mutex.locked).toBe(false);
  });
});
