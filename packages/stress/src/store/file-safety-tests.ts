import type { StoreHarness } from "./harness.js";

/** Store suite: files the store cannot trust are refused, never reinitialised. */
export function registerFileSafetyTests(h: StoreHarness): void {
  void h;
}
