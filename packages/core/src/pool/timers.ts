/**
 * Every timer the pool starts goes through a `Timers`: each is `unref()`'d
 * (a pool must never keep a process alive on its own) and `clearAll()` stops
 * them when the pool closes.
 */
export class Timers {
  readonly #active = new Set<NodeJS.Timeout>();
  readonly #sleepers = new Set<() => void>();

  /** Like `setTimeout`, unref'd and tracked. Returns a function that cancels it. */
  start(ms: number, fn: () => void): () => void {
    const timer = setTimeout(() => {
      this.#active.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.#active.add(timer);
    return () => {
      clearTimeout(timer);
      this.#active.delete(timer);
    };
  }

  /**
   * Resolves after `ms`, or early when `clearAll()` runs (so a caller asleep
   * in a retry backoff is never stranded by a close; it finds the pool closed).
   */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#sleepers.delete(wake);
        cancel();
        resolve();
      };
      const cancel = this.start(ms, wake);
      this.#sleepers.add(wake);
    });
  }

  /** How many timers are pending (for tests and leak checks). */
  get size(): number {
    return this.#active.size;
  }

  /** Cancels every pending timer and wakes every sleeper. */
  clearAll(): void {
    for (const wake of [...this.#sleepers]) wake();
    for (const timer of this.#active) clearTimeout(timer);
    this.#active.clear();
  }
}

/** The largest delay `setTimeout` honours (about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;
