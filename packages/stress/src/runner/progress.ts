/** Shows how far the running suite is: a bar on a terminal, a line per 10% elsewhere. */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #label = "";
  #started = 0;
  #lastDecile = -1;
  #lastDraw = 0;

  constructor(stream: NodeJS.WriteStream, enabled: boolean) {
    this.#stream = stream;
    this.#enabled = enabled;
  }

  /** Starts a bar for one suite on one adapter. */
  start(label: string): void {
    this.#label = label;
    this.#started = performance.now();
    this.#lastDecile = -1;
    this.update(0, 1);
  }

  /** Moves the bar. */
  update(done: number, total: number): void {
    if (!this.#enabled) return;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const elapsed = ((performance.now() - this.#started) / 1000).toFixed(1);
    if (this.#stream.isTTY) {
      const now = performance.now();
      if (now - this.#lastDraw < 100 && ratio < 1) return;
      this.#lastDraw = now;
      const width = 30;
      const filled = Math.round(ratio * width);
      const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
      this.#stream.write(
        `\r\x1b[2K${this.#label} ${bar} ${Math.round(ratio * 100)}% (${done}/${total}) ${elapsed}s`,
      );
      return;
    }
    const decile = Math.floor(ratio * 10);
    if (decile > this.#lastDecile) {
      this.#lastDecile = decile;
      this.#stream.write(`${this.#label}: ${decile * 10}% (${elapsed}s)\n`);
    }
  }

  /** Prints a line above the bar. */
  log(line: string): void {
    if (this.#stream.isTTY && this.#enabled) this.#stream.write("\r\x1b[2K");
    this.#stream.write(`${line}\n`);
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.#enabled && this.#stream.isTTY) this.#stream.write("\r\x1b[2K");
  }
}
