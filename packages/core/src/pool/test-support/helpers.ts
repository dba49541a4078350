import type { DriverCapabilities } from "../../driver/types.js";
import type { PoolOptions } from "../options.js";
import { Pool } from "../pool.js";
import { FakeDatabase } from "./fake-driver.js";

/** A promise with its resolve/reject exposed, to hold a callback open from a test. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Makes a `Deferred`. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after `ms` of real time. */
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Lets pending promise callbacks run (a few macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** Opens a pool over a fresh fake database. */
export async function openFake(
  options?: PoolOptions,
  capabilities?: Partial<DriverCapabilities>,
): Promise<{ db: FakeDatabase; pool: Pool }> {
  const db = new FakeDatabase();
  const pool = await Pool.open(db.driver(capabilities), options);
  return { db, pool };
}

/** Counts callbacks running at once and the most that ever did. */
export class Concurrency {
  active = 0;
  max = 0;

  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.active++;
    this.max = Math.max(this.max, this.active);
    try {
      return await fn();
    } finally {
      this.active--;
    }
  }
}
