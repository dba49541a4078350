/** A clock that only moves when told: inject `read` as the store's `clock`. */
export class ManualClock {
  /** Milliseconds since the epoch. */
  now: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.now = start;
  }

  /** The store's clock function. */
  readonly read = (): number => this.now;

  /** Moves the clock forward by `ms` and returns the new time. */
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}
