import type { Executor } from "../sessions/context.js";

/**
 * A lease row lets one process at a time run a job on a shared file. Leases
 * use the wall clock (not the store's injectable clock): they guard against
 * real processes overlapping, and one whose owner died simply expires.
 */
export class Lease {
  readonly #db: Executor;
  readonly #name: string;
  readonly #owner: string;
  readonly #ttlMs: number;

  constructor(db: Executor, name: string, owner: string, ttlMs: number) {
    this.#db = db;
    this.#name = name;
    this.#owner = owner;
    this.#ttlMs = ttlMs;
  }

  /** Takes or renews the lease; false when another live owner holds it. */
  async acquire(): Promise<boolean> {
    const now = Date.now();
    const row = await this.#db.write((tx) =>
      tx.get<{ owner: string }>(
        `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE leases.owner = excluded.owner OR leases.expires_at <= ?
         RETURNING owner`,
        [this.#name, this.#owner, now + this.#ttlMs, now],
      ),
    );
    return row?.owner === this.#owner;
  }

  /** Gives the lease up (only if still ours). */
  async release(): Promise<void> {
    await this.#db.write((tx) =>
      tx.run("DELETE FROM leases WHERE name = ? AND owner = ?", [this.#name, this.#owner]),
    );
  }
}
