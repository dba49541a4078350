import type { Rng } from "../suite/rng.js";

/**
 * The sessions a workload's clients share: live ids to pick from, which of
 * them may be deleted, and a pop counter per session (a retried append may
 * only return new ids when a pop came between).
 */
export class SessionSet {
  readonly #ids: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #fixed = new Set<string>();
  readonly #pops = new Map<string, number>();
  readonly #shared = new Set<string>();

  /**
   * Adds a session; a `fixed` one is never picked for deletion; a `shared`
   * one is also written by other processes (whose pops this set cannot see).
   */
  add(id: string, options: { fixed?: boolean; shared?: boolean } = {}): void {
    if (this.#index.has(id)) return;
    this.#index.set(id, this.#ids.length);
    this.#ids.push(id);
    if (options.fixed) this.#fixed.add(id);
    if (options.shared) this.#shared.add(id);
  }

  /** Whether every pop on the session is counted here (no other process writes it). */
  popsKnown(id: string): boolean {
    return !this.#shared.has(id);
  }

  /** Removes a session (deleted, purged). */
  remove(id: string): void {
    const at = this.#index.get(id);
    if (at === undefined) return;
    const last = this.#ids.pop() as string;
    if (last !== id) {
      this.#ids[at] = last;
      this.#index.set(last, at);
    }
    this.#index.delete(id);
    this.#fixed.delete(id);
    this.#shared.delete(id);
    this.#pops.delete(id);
  }

  has(id: string): boolean {
    return this.#index.has(id);
  }

  /** Whether the session may be deleted (so `SessionNotFoundError` on it is expected). */
  deletable(id: string): boolean {
    return !this.#fixed.has(id);
  }

  get size(): number {
    return this.#ids.length;
  }

  /** Every live id. */
  ids(): readonly string[] {
    return this.#ids;
  }

  /** A random live session, or `undefined` when there is none (or no deletable one). */
  pick(rng: Rng, options: { deletable?: boolean } = {}): string | undefined {
    if (!options.deletable) return this.#ids.length ? rng.pick(this.#ids) : undefined;
    for (let i = 0; i < 8; i++) {
      const id = this.#ids.length ? rng.pick(this.#ids) : undefined;
      if (id !== undefined && !this.#fixed.has(id)) return id;
    }
    return this.#ids.find((id) => !this.#fixed.has(id));
  }

  /** Counts a pop on a session. */
  popped(id: string): void {
    this.#pops.set(id, (this.#pops.get(id) ?? 0) + 1);
  }

  /** Pops counted on a session so far. */
  pops(id: string): number {
    return this.#pops.get(id) ?? 0;
  }
}
