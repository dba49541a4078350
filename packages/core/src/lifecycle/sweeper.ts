/**
 * Runs a job every `intervalMs` (±10% jitter, so processes sharing a file do
 * not sweep in lockstep). The next run is scheduled only after the current
 * one settles, so runs never overlap; the timer is unref'd, so it never keeps
 * a process alive; `stop()` clears it and waits for a running job.
 */
export class Sweeper {
  readonly #intervalMs: number;
  readonly #job: () => Promise<unknown>;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(intervalMs: number, job: () => Promise<unknown>, onError: (error: unknown) => void) {
    this.#intervalMs = intervalMs;
    this.#job = job;
    this.#onError = onError;
  }

  start(): void {
    if (this.#intervalMs > 0 && !this.#stopped) this.#schedule();
  }

  #schedule(): void {
    const jitter = 0.9 + Math.random() * 0.2;
    this.#timer = setTimeout(() => this.#tick(), Math.round(this.#intervalMs * jitter));
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = undefined;
    this.#running = this.#job()
      .catch((error: unknown) => {
        try {
          this.#onError(error);
        } catch {
          // A failing error handler must not take the process down either.
        }
      })
      .finally(() => {
        this.#running = undefined;
        if (!this.#stopped) this.#schedule();
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
