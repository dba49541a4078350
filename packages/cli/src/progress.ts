import type { Io } from "./io.js";

const WIDTH = 28;
const REDRAW_MS = 80;
const TICK_MS = 1000;

/** How `Progress` reads time and repeats a redraw; tests pass their own. */
export interface ProgressClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

const realClock: ProgressClock = {
  now: () => performance.now(),
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    // A redraw must never keep the process alive.
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * Progress on stderr for long-running commands. On a terminal: one bar,
 * redrawn in place (at most every 80 ms) and erased at the end. Elsewhere
 * (logs, CI, pipes): one line when each phase starts, so a log shows what
 * happened without carriage-return noise. Silent with `--json`.
 */
export class Progress {
  readonly #io: Io;
  readonly #label: string;
  readonly #enabled: boolean;
  #phase: string | undefined;
  readonly #clock: ProgressClock;
  #lastDraw = 0;
  #drawn = false;
  #stopTicking: (() => void) | undefined;

  constructor(io: Io, label: string, enabled: boolean, clock: ProgressClock = realClock) {
    this.#io = io;
    this.#label = label;
    this.#enabled = enabled;
    this.#clock = clock;
  }

  /** Reports `done` of `total` units in `phase`. */
  update(phase: string, done: number, total: number, unit = "pages"): void {
    if (!this.#enabled) return;
    const newPhase = phase !== this.#phase;
    this.#phase = phase;
    if (!this.#io.errIsTTY) {
      if (newPhase)
        this.#io.err(`${this.#label}: ${phase} (${total.toLocaleString("en-US")} ${unit})\n`);
      return;
    }
    const now = this.#clock.now();
    if (!newPhase && done < total && now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * WIDTH);
    const bar = `${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}`;
    this.#io.err(
      `\r\x1b[2K${this.#label} ${phase.padEnd(7)} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}%  ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} ${unit}`,
    );
    this.#drawn = true;
  }

  /**
   * Work whose amount is not known (a sweep): one line on a log; on a
   * terminal, the step and the seconds it has taken so far, redrawn every
   * second until the next step or `finish`.
   */
  working(name: string): void {
    if (!this.#enabled) return;
    this.#stopTicking?.();
    this.#stopTicking = undefined;
    this.#phase = name;
    if (!this.#io.errIsTTY) {
      this.#io.err(`${this.#label}: ${name}\n`);
      return;
    }
    const started = this.#clock.now();
    const draw = (): void => {
      const seconds = Math.floor((this.#clock.now() - started) / 1000);
      this.#io.err(`\r\x1b[2K${this.#label}: ${name}… ${seconds} s`);
      this.#drawn = true;
    };
    draw();
    this.#stopTicking = this.#clock.every(TICK_MS, draw);
  }

  /** A step without a measurable amount (e.g. "probe"). */
  step(name: string): void {
    if (!this.#enabled) return;
    this.#stopTicking?.();
    this.#stopTicking = undefined;
    this.#phase = name;
    if (this.#io.errIsTTY) {
      this.#io.err(`\r\x1b[2K${this.#label}: ${name}…`);
      this.#drawn = true;
    } else {
      this.#io.err(`${this.#label}: ${name}\n`);
    }
  }

  /** Erases the bar (terminal) so the result prints on a clean line. */
  finish(): void {
    this.#stopTicking?.();
    this.#stopTicking = undefined;
    if (this.#drawn) this.#io.err("\r\x1b[2K");
    this.#drawn = false;
  }
}
