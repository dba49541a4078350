/**
 * A small bounded map that forgets the least recently used entry: core keeps
 * each connection's prepared statements in one, and an adapter may keep its
 * own per-SQL data in another.
 */
export class LruCache<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();
  readonly #onEvict: ((value: V) => void) | undefined;

  constructor(max: number, onEvict?: (value: V) => void) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError("LruCache size must be an integer >= 1");
    this.#max = max;
    this.#onEvict = onEvict;
  }

  /** How many entries the cache holds. */
  get size(): number {
    return this.#map.size;
  }

  /** Returns the value for `key`, or `undefined`, and marks it most recently used. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** Stores `value` as the most recently used; past the limit, evicts the least recently used entry (passing it to `onEvict`). */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value as K;
      const evicted = this.#map.get(oldest) as V;
      this.#map.delete(oldest);
      this.#onEvict?.(evicted);
    }
  }

  /** Removes every entry, passing each value to `onEvict` first. */
  clear(): void {
    if (this.#onEvict) for (const value of this.#map.values()) this.#onEvict(value);
    this.#map.clear();
  }
}
