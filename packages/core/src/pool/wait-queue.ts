import type { Timers } from "./timers.js";

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly cancelTimer: () => void;
}

/**
 * A FIFO queue of callers waiting for a slot, each with its own deadline.
 * A waiter whose deadline passes is removed from the queue before its promise
 * rejects, so a slot freed later can never be granted to it (its callback
 * never runs late). A `Set` keeps arrival order and removes in O(1).
 */
export class WaitQueue {
  readonly #waiters = new Set<Waiter>();
  readonly #timers: Timers;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  /** Callers waiting now. */
  get length(): number {
    return this.#waiters.size;
  }

  /**
   * Waits until `grantNext()` picks this caller, or rejects with
   * `onTimeout()`'s error after `timeoutMs` (the waiter is gone by then).
   */
  wait(timeoutMs: number, onTimeout: () => unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        cancelTimer: this.#timers.start(timeoutMs, () => {
          if (!this.#waiters.delete(waiter)) return;
          reject(onTimeout());
        }),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Hands a slot to the longest waiter. False when nobody waits. */
  grantNext(): boolean {
    const first = this.#waiters.values().next();
    if (first.done) return false;
    const waiter = first.value;
    this.#waiters.delete(waiter);
    waiter.cancelTimer();
    waiter.resolve();
    return true;
  }

  /** Rejects every waiter with `error()` (their callbacks never run). Returns how many there were. */
  rejectAll(error: () => unknown): number {
    const all = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of all) {
      waiter.cancelTimer();
      waiter.reject(error());
    }
    return all.length;
  }
}
