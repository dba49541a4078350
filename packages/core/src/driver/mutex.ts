/**
 * A FIFO async mutex: one holder at a time, waiters served in arrival order.
 * A connection uses it so that one caller's transaction never interleaves
 * with another caller's statements.
 */
export class Mutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  /** Whether someone holds the lock. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Resolves with a release function once the lock is held. */
  async acquire(): Promise<() => void> {
    if (this.#locked) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#locked = true;
    return this.#releaser();
  }

  /**
   * The lock at once, or `undefined` when it is held (then use `acquire`).
   * Why: an uncontended call should not pay for a promise and a turn of the
   * microtask queue, which on Node 20 also runs the promise hooks of
   * AsyncLocalStorage.
   */
  tryAcquire(): (() => void) | undefined {
    if (this.#locked) return undefined;
    this.#locked = true;
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#locked = false;
    };
  }

  /** Runs `fn` while holding the lock. */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
