import type { StoreHarness } from "./harness.js";

/** Store suite: search ranks, bounds and snippets. */
export function registerSearchTests(h: StoreHarness): void {
  void h;
}
