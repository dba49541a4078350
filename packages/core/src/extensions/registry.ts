import type { Pool } from "../pool/index.js";
import type { StoreContext } from "../sessions/context.js";
import type { StoreExtension } from "./types.js";

/** What `attachExtension` needs of an open store; kept out of the store's public surface. */
export interface StoreInternals {
  readonly pool: Pool;
  readonly ctx: StoreContext;
  /** Extensions attached to this store, by name (their checks join `integrity.check`). */
  readonly attached: Map<string, StoreExtension>;
}

const internals = new WeakMap<object, StoreInternals>();

/** @internal Called by `openStore`. */
export function registerStore(store: object, value: StoreInternals): void {
  internals.set(store, value);
}

/** @internal The internals of a store made by `openStore`, or undefined. */
export function storeInternals(store: object): StoreInternals | undefined {
  return internals.get(store);
}
