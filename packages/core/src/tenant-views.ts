/**
 * The most recently used tenant views, at most `capacity` of them.
 *
 * Making a view wraps its methods for metrics, which costs more than a map
 * lookup, so views of busy tenants are kept; but tenant ids come from callers
 * and are unbounded (one view held per id grew without limit), so the least
 * recently used view is dropped past the bound. A dropped view still works
 * for whoever holds it: it only shares the store's context and recorder.
 */
export class TenantViews<V> {
  readonly #capacity: number;
  // A Map iterates in insertion order: re-inserting on use keeps the least
  // recently used first.
  readonly #views = new Map<string, V>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The view of `tenantId`, made by `make` when it is not held. */
  get(tenantId: string, make: () => V): V {
    const held = this.#views.get(tenantId);
    if (held !== undefined) {
      this.#views.delete(tenantId);
      this.#views.set(tenantId, held);
      return held;
    }
    const view = make();
    this.#views.set(tenantId, view);
    if (this.#views.size > this.#capacity) {
      const oldest = this.#views.keys().next();
      if (!oldest.done) this.#views.delete(oldest.value);
    }
    return view;
  }

  /** How many views are held now. */
  get size(): number {
    return this.#views.size;
  }
}
