import { describe, expect, it } from "vitest";
import type { Io } from "./io.js";
import { Progress, type ProgressClock } from "./progress.js";

function recorder(errIsTTY: boolean): Io & { text: () => string } {
  let err = "";
  return {
    out: () => {},
    err: (s) => {
      err += s;
    },
    errIsTTY,
    columns: undefined,
    text: () => err,
  };
}

/** A clock the test moves by hand; `tick` runs the repeated redraws. */
function manualClock(): ProgressClock & { advance(ms: number): void; running(): number } {
  let now = 0;
  const timers = new Set<() => void>();
  return {
    now: () => now,
    every: (_ms, fn) => {
      timers.add(fn);
      return () => timers.delete(fn);
    },
    advance(ms) {
      now += ms;
      for (const fn of timers) fn();
    },
    running: () => timers.size,
  };
}

describe("Progress.working: work of unknown length", () => {
  it("on a terminal: the step and its elapsed seconds, redrawn; finish erases it and stops redrawing", () => {
    const io = recorder(true);
    const clock = manualClock();
    const p = new Progress(io, "sweep", true, clock);
    p.working("opening");
    clock.advance(1000);
    p.working("idle after 30m");
    clock.advance(2500);
    expect(io.text()).toBe(
      "\r\x1b[2Ksweep: opening… 0 s\r\x1b[2Ksweep: opening… 1 s\r\x1b[2Ksweep: idle after 30m… 0 s\r\x1b[2Ksweep: idle after 30m… 2 s",
    );
    expect(clock.running()).toBe(1);
    p.finish();
    expect(clock.running()).toBe(0);
    expect(io.text().endsWith("\r\x1b[2K")).toBe(true);
  });

  it("on a log: one line per step, nothing redrawn; disabled (--json): nothing", () => {
    const io = recorder(false);
    const clock = manualClock();
    const p = new Progress(io, "sweep", true, clock);
    p.working("opening");
    p.working("idle after 30m");
    clock.advance(5000);
    p.finish();
    expect(io.text()).toBe("sweep: opening\nsweep: idle after 30m\n");
    expect(clock.running()).toBe(0);
    const quiet = recorder(true);
    const off = new Progress(quiet, "sweep", false, clock);
    off.working("opening");
    off.finish();
    expect(quiet.text()).toBe("");
  });
});
