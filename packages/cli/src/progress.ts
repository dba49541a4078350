import type { Io } from "./io.js";

const WIDTH = 28;
const REDRAW_MS = 80;

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
  #lastDraw = 0;
  #drawn = false;

  constructor(io: Io, label: string, enabled: boolean) {
    this.#io = io;
    this.#label = label;
    this.#enabled = enabled;
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
    const now = performance.now();
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

  /** A step without a measurable amount (e.g. "probe"). */
  step(name: string): void {
    if (!this.#enabled) return;
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
    if (this.#drawn) this.#io.err("\r\x1b[2K");
    this.#drawn = false;
  }
}
