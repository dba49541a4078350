import { afterEach, describe, expect, it, vi } from "vitest";
import { Sweeper } from "./sweeper.js";

describe("Sweeper", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs the job every interval, never overlapping, and leaves no timer after stop", async () => {
    vi.useFakeTimers();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let finish: (() => void) | undefined;
    const job = () =>
      new Promise<void>((resolve) => {
        running += 1;
        runs += 1;
        maxRunning = Math.max(maxRunning, running);
        finish = () => {
          running -= 1;
          resolve();
        };
      });
    const sweeper = new Sweeper(1000, job, () => {});
    sweeper.start();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1100); // ±10% jitter: the first run has started
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(5000); // the job is still running: no second run
    expect(runs).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    finish?.();
    await vi.advanceTimersByTimeAsync(1100);
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
    const stopped = sweeper.stop();
    finish?.();
    await stopped;
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(2);
  });

  it("a failing job is reported and the schedule goes on", async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let runs = 0;
    const sweeper = new Sweeper(
      100,
      async () => {
        runs += 1;
        throw new Error(`boom ${runs}`);
      },
      (e) => errors.push(e),
    );
    sweeper.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBeGreaterThanOrEqual(8);
    expect(errors).toHaveLength(runs);
    await sweeper.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an interval of 0 schedules nothing", () => {
    vi.useFakeTimers();
    const sweeper = new Sweeper(
      0,
      async () => {},
      () => {},
    );
    sweeper.start();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("its timer never keeps the process alive (unref)", () => {
    const spy = vi.spyOn(globalThis, "setTimeout");
    const sweeper = new Sweeper(
      60_000,
      async () => {},
      () => {},
    );
    sweeper.start();
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    spy.mockRestore();
    return sweeper.stop();
  });
});
