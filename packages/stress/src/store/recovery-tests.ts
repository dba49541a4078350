import type { StoreHarness } from "./harness.js";

/** Store suite: a rejected write leaves every later write working. */
export function registerRecoveryTests(h: StoreHarness): void {
  void h;
}
